package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// healthcheck asks the local service whether it is ready: exit 0 when /readyz answers 200,
// 1 otherwise. Container images have no curl; the binary checks itself. The address is --addr
// when given, else the one serve wrote into --addr-file, else APISEARCH_ADDR, so that a service
// started with another --addr than the environment's is still found.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := ":8080"
	if v := getenv(envName("addr")); v != "" {
		addr = v
	}
	fl.StringVar(&addr, "addr", addr, "the address the service listens on (env APISEARCH_ADDR)")
	addrFile := fl.String("addr-file", getenv(envName("addr-file")), "the file serve writes the address it listens on into, read when --addr is not given (env APISEARCH_ADDR_FILE)")
	timeout := fl.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitError(2)
	}
	addrGiven := false
	fl.Visit(func(f *flag.Flag) { addrGiven = addrGiven || f.Name == "addr" })
	if !addrGiven && *addrFile != "" {
		// A missing file is a service not started yet, or one that could not write it: the
		// address from the environment is the best guess left.
		if data, err := os.ReadFile(*addrFile); err == nil && strings.TrimSpace(string(data)) != "" {
			addr = strings.TrimSpace(string(data))
		}
	}
	target, err := loopback(addr)
	if err != nil {
		fmt.Fprintf(stderr, "apisearch healthcheck: address %q: %v\n", addr, err)
		return exitError(2)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	url := "http://" + target + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "apisearch healthcheck: %s: %v\n", url, err)
		return exitError(1)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "apisearch healthcheck: %s answered %s\n", url, resp.Status)
		return exitError(1)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}

// loopback is the address to reach a service listening on addr from the same machine: a
// listener on every interface (no host, 0.0.0.0, ::) is reached on 127.0.0.1.
func loopback(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// writeAddrFile writes addr into path through a temporary file renamed over it, so that
// healthcheck never reads half an address.
func writeAddrFile(path, addr string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".apisearch-addr-*")
	if err != nil {
		return fmt.Errorf("address file %s: %w", path, err)
	}
	_, err = tmp.WriteString(addr + "\n")
	if err == nil {
		err = tmp.Chmod(0o644) // an address is no secret, and healthcheck may run as another user
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("address file %s: %w", path, err)
	}
	return nil
}
