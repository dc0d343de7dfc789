package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks the local service whether it is ready: exit 0 when /readyz answers 200,
// 1 otherwise. Container images have no curl; the binary checks itself.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := ":8080"
	if v := getenv(envName("addr")); v != "" {
		addr = v
	}
	fl.StringVar(&addr, "addr", addr, "the address the service listens on (env APISEARCH_ADDR)")
	timeout := fl.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitError(2)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "apisearch healthcheck: address %q: %v\n", addr, err)
		return exitError(2)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
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
