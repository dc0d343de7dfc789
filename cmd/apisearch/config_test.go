package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestInvalidConfiguration(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty-token")
	os.WriteFile(empty, []byte("  \n"), 0o600)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		message string
	}{
		{"unknown flag", []string{"--colour"}, nil, "flag provided but not defined: -colour"},
		{"bad duration", []string{"--debounce", "soon"}, nil, `invalid value "soon" for flag -debounce`},
		{"debounce out of range", []string{"--debounce", "2h"}, nil, "--debounce 2h0m0s: want between 10ms and 1m"},
		{"bad env", nil, map[string]string{"APISEARCH_WATCH": "maybe"}, `APISEARCH_WATCH="maybe"`},
		{"bad log level", []string{"--log-level", "loud"}, nil, `--log-level "loud"`},
		{"bad log format", nil, map[string]string{"APISEARCH_LOG_FORMAT": "xml"}, `--log-format "xml"`},
		{"negative rate", []string{"--rate-limit", "-1"}, nil, "--rate-limit -1"},
		{"missing token file", []string{"--admin-token-file", "/nonexistent/token"}, nil, "--admin-token-file"},
		{"empty token file", []string{"--admin-token-file", empty}, nil, "is empty"},
		{"short token", nil, map[string]string{"APISEARCH_ADMIN_TOKEN": "secret"}, "the admin token from APISEARCH_ADMIN_TOKEN is 6 characters long, the minimum is 16"},
		{"missing catalogue", []string{"--catalog", "/nonexistent/catalogue"}, nil, "--catalog /nonexistent/catalogue: not a folder"},
		{"bad trusted proxy", []string{"--trusted-proxies", "not-an-ip"}, nil, "not-an-ip"},
		{"extra argument", []string{"now"}, nil, `unexpected argument "now"`},
		{"origin without scheme", []string{"--cors-origins", "example.gouv.fr"}, nil, `--cors-origins: origin "example.gouv.fr": want http:// or https://`},
		{"origin with a path", []string{"--cors-origins", "https://example.gouv.fr/app"}, nil, `--cors-origins: origin "https://example.gouv.fr/app"`},
		{"public URL without scheme", []string{"--public-url", "recherche.api.gouv.fr"}, nil, `--public-url: public URL "recherche.api.gouv.fr": want http:// or https://`},
		{"public URL with a query", nil, map[string]string{"APISEARCH_PUBLIC_URL": "https://api.gouv.fr/?v=1"}, `--public-url: public URL "https://api.gouv.fr/?v=1": want no query`},
		{"address without port", []string{"--addr", "localhost"}, nil, `--addr "localhost": want host:port`},
		{"address port out of range", []string{"--addr", ":99999"}, nil, `--addr ":99999": port "99999"`},
		{"blank token", nil, map[string]string{"APISEARCH_ADMIN_TOKEN": "   "}, "APISEARCH_ADMIN_TOKEN is blank"},
		{"too few connections", []string{"--max-connections", "2"}, nil, "--max-connections 2: want 8 or more"},
		{"reindex wait past the write timeout", []string{"--reindex-wait", "1m"}, nil, "--reindex-wait 1m0s"},
		{"shutdown delay too long", []string{"--shutdown-delay", "1h"}, nil, "--shutdown-delay 1h0m0s"},
		{"negative cache", []string{"--answer-cache-bytes", "-5"}, nil, "--answer-cache-bytes -5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut strings.Builder
			err := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s"}, tt.args...), envOf(tt.env), io.Discard, &errOut)
			var exit exitError
			if !errors.As(err, &exit) || exit != 2 {
				t.Fatalf("err = %v, want exit status 2", err)
			}
			if msg := errOut.String(); !strings.Contains(msg, tt.message) || strings.Count(msg, "\n") != 1 {
				t.Errorf("message = %q, want one line containing %q", msg, tt.message)
			}
		})
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	cfg, err := parseServeConfig([]string{"--rate-limit", "7"}, envOf(map[string]string{
		"APISEARCH_RATE_LIMIT": "99", "APISEARCH_CORS_ORIGINS": "https://a.fr, https://b.fr", "APISEARCH_WATCH": "false",
		"APISEARCH_ADMIN_TOKEN": "tok-for-config-tests",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimit != 7 || cfg.Watch || len(cfg.CORSOrigins) != 2 || cfg.CORSOrigins[1] != "https://b.fr" || cfg.AdminToken != "tok-for-config-tests" {
		t.Errorf("config = %+v", cfg)
	}
}

func TestServeHelpListsEnvironment(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"serve", "--help"}, noEnv, io.Discard, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--addr, APISEARCH_ADDR", "--index-dir, APISEARCH_INDEX_DIR", "--cors-origins, APISEARCH_CORS_ORIGINS",
		"--rate-limit, APISEARCH_RATE_LIMIT", "APISEARCH_ADMIN_TOKEN", "--log-format, APISEARCH_LOG_FORMAT", "--watch, APISEARCH_WATCH"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestHealthcheck(t *testing.T) {
	base := startServe(t)
	addr := strings.TrimPrefix(base, "http://")
	var out strings.Builder
	if err := run(context.Background(), []string{"healthcheck", "--addr", addr}, noEnv, &out, io.Discard); err != nil || out.String() != "ready\n" {
		t.Errorf("healthcheck of a ready service: %v, %q", err, out.String())
	}
	env := envOf(map[string]string{"APISEARCH_ADDR": addr})
	if err := run(context.Background(), []string{"healthcheck"}, env, io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck with APISEARCH_ADDR: %v", err)
	}
	var errOut strings.Builder
	err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:1"}, noEnv, io.Discard, &errOut)
	if ee, ok := err.(exitError); !ok || ee != 1 || errOut.Len() == 0 {
		t.Errorf("healthcheck of nothing: %v, %q; want exit 1 with a message", err, errOut.String())
	}
}

// TestHealthcheckAddrFile runs serve on another port than APISEARCH_ADDR says, as `docker run
// IMAGE serve --addr :9000` does in the image: healthcheck finds it through the address file
// that both read from APISEARCH_ADDR_FILE, an explicit --addr still wins, and once serve has
// stopped the file is gone and healthcheck says so.
func TestHealthcheckAddrFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "apisearch.addr")
	// Nothing listens on port 1: the environment's address is the wrong one.
	env := envOf(map[string]string{"APISEARCH_ADDR": "127.0.0.1:1", "APISEARCH_ADDR_FILE": file})
	base, stop := startStoppable(t, env)
	written, err := os.ReadFile(file)
	if err != nil || strings.TrimSpace(string(written)) != strings.TrimPrefix(base, "http://") {
		t.Errorf("address file holds %q (%v), want the address serve listens on, %s", written, err, base)
	}
	tests := []struct {
		name string
		args []string
		exit int
	}{
		{"address from the file", []string{"healthcheck"}, 0},
		{"an explicit --addr wins", []string{"healthcheck", "--addr", "127.0.0.1:1"}, 1},
		{"--addr-file given as a flag", []string{"healthcheck", "--addr-file", file}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut strings.Builder
			err := run(context.Background(), tt.args, env, io.Discard, &errOut)
			exit := 0
			if ee, ok := err.(exitError); ok {
				exit = int(ee)
			} else if err != nil {
				t.Fatal(err)
			}
			if exit != tt.exit {
				t.Errorf("%v: exit status %d, want %d; stderr %q", tt.args, exit, tt.exit, errOut.String())
			}
		})
	}
	stop()
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("address file after serve stopped: %v, want it removed", err)
	}
	err = run(context.Background(), []string{"healthcheck"}, env, io.Discard, io.Discard)
	if ee, ok := err.(exitError); !ok || ee != 1 {
		t.Errorf("healthcheck once serve stopped: %v, want exit status 1", err)
	}
}

// TestShutdownFinishesRequestsInFlight stops the service while requests run: every request
// it had accepted gets its full answer.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	if _, err := os.Stat(snapshotDir); err != nil {
		t.Skipf("snapshot not found at %s: skipping", snapshotDir)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	env := envOf(map[string]string{"APISEARCH_ADMIN_TOKEN": "tok-for-config-tests", "APISEARCH_RATE_LIMIT": "0"})
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s", "--catalog", snapshotDir}, env, io.Discard, pw)
		pw.Close()
	}()
	base := waitServing(t, pr, done, io.Discard)

	// Full reindexes of the snapshot take tens of milliseconds: they are in flight when the
	// service is told to stop.
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	var failures []error
	for range 5 {
		wg.Go(func() {
			req, _ := newRequest("POST", base+"/admin/reindex", "tok-for-config-tests")
			resp, err := httpClient.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[resp.StatusCode]++
		})
	}
	time.Sleep(30 * time.Millisecond)
	cancel()
	wg.Wait()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if len(failures) > 0 || statuses[200] != 5 {
		t.Errorf("requests in flight during shutdown: statuses %v, failures %v; want 5 × 200", statuses, failures)
	}
	if _, err := httpClient.Get(base + "/healthz"); err == nil {
		t.Errorf("the service still answers after shutdown")
	}
}

func TestServeIndexDir(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var logs strings.Builder
	var mu sync.Mutex
	logw := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) })
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func(pw *io.PipeWriter) {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s", "--index-dir", dir, "--log-format", "text"}, noEnv, io.Discard, pw)
		pw.Close()
	}(pw)
	waitServing(t, pr, done, logw)

	// A second process on the same folder fails at once, with a clear message.
	var errOut strings.Builder
	start := time.Now()
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s", "--index-dir", dir}, noEnv, io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "in use by another apisearch process") || time.Since(start) > 5*time.Second {
		t.Errorf("second process on the index folder: %v after %v", err, time.Since(start))
	}
	cancel()
	<-done

	// A restart reopens the index instead of rebuilding it.
	mu.Lock()
	logs.Reset()
	mu.Unlock()
	ctx, cancel = context.WithCancel(context.Background())
	pr, pw = io.Pipe()
	go func(pw *io.PipeWriter) {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s", "--index-dir", dir, "--log-format", "text"}, noEnv, io.Discard, pw)
		pw.Close()
	}(pw)
	waitServing(t, pr, done, logw)
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "reopened=true") {
		t.Errorf("restart did not reopen the index on disk:\n%s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestOriginTrailingSlash accepts an origin written with a trailing slash and matches the
// browser's origin, which never has one.
func TestOriginTrailingSlash(t *testing.T) {
	base := startServe(t, "--cors-origins", "https://example.gouv.fr/")
	req, _ := http.NewRequest(http.MethodGet, base+"/search?q=adresse", nil)
	req.Header.Set("Origin", "https://example.gouv.fr")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); resp.StatusCode != http.StatusOK || got != "https://example.gouv.fr" {
		t.Errorf("status %d, Access-Control-Allow-Origin %q; want 200 and the origin", resp.StatusCode, got)
	}
}

// TestPublicURL reads --public-url or APISEARCH_PUBLIC_URL, a trailing slash dropped, and
// serves it as the OpenAPI document's server.
func TestPublicURL(t *testing.T) {
	cfg, err := parseServeConfig(nil, envOf(map[string]string{"APISEARCH_PUBLIC_URL": "https://api.gouv.fr/recherche/"}), io.Discard)
	if err != nil || cfg.PublicURL != "https://api.gouv.fr/recherche" {
		t.Errorf("APISEARCH_PUBLIC_URL: %q, %v", cfg.PublicURL, err)
	}
	base := startServe(t, "--public-url", "https://recherche.api.gouv.fr/")
	resp, err := httpClient.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Servers []struct{ URL string } }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || len(doc.Servers) != 1 || doc.Servers[0].URL != "https://recherche.api.gouv.fr" {
		t.Errorf("/openapi.json servers %+v, %v; want https://recherche.api.gouv.fr", doc.Servers, err)
	}
}

// TestShutdownDrainsReadinessFirst stops the service with a drain delay: during the delay
// /readyz answers 503 and searches are still answered; then the service stops.
func TestShutdownDrainsReadinessFirst(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "2s"}, noEnv, io.Discard, pw)
		pw.Close()
	}()
	base := waitServing(t, pr, done, io.Discard)
	get := func(path string) int {
		resp, err := httpClient.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s during the drain: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before shutdown = %d, want 200", got)
	}
	cancel()
	deadline := time.Now().Add(time.Second)
	for get("/readyz") != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("/readyz still 200 a second after the stop signal")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := get("/search?q=adresse"); got != http.StatusOK {
		t.Errorf("search during the drain = %d, want 200", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after its drain")
	}
}

// TestIdleConnectionsDoNotLockOut holds more idle keep-alive connections than the cap allows:
// a new client is still answered, since idle connections are closed under pressure.
func TestIdleConnectionsDoNotLockOut(t *testing.T) {
	base := startServe(t, "--max-connections", "8", "--rate-limit", "0")
	addr := strings.TrimPrefix(base, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Each connection makes one request and stays open, idle, as a browser's would.
	for range 12 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("a new client with 12 idle connections open and a cap of 8: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
}

// TestReadmeListsEveryFlag keeps the README's configuration table in step with serve's flags.
func TestReadmeListsEveryFlag(t *testing.T) {
	var usage strings.Builder
	if err := run(context.Background(), []string{"serve", "--help"}, noEnv, io.Discard, &usage); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(usage.String(), "\n") {
		name, _, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok || !strings.HasPrefix(name, "--") {
			continue
		}
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("README's configuration table has no row for %s", name)
		}
	}
}
