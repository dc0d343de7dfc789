package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const snapshotDir = "../../../shared/catalogs/apigouv"

func noEnv(string) string { return "" }

// startServe runs "apisearch serve" with args on a free loopback port and returns its base URL;
// the server is stopped at the end of the test.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	return startServeEnv(t, noEnv, args...)
}

// startServeEnv is startServe with an environment.
func startServeEnv(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	base, _ := startStoppable(t, getenv, args...)
	return base
}

// startStoppable is startServeEnv, and returns stop, which stops the server and waits for
// serve to return; the test stops it at its end when it has not.
func startStoppable(t *testing.T, getenv func(string) string, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s"}, args...), getenv, io.Discard, pw)
		pw.Close()
	}()
	stop := sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("serve did not stop within 15s")
		}
	})
	t.Cleanup(stop)
	return waitServing(t, pr, done, io.Discard), stop
}

// waitServing reads serve's log from r until its "serving" line and returns the base URL it
// gives. The rest of the log is copied to logs, so that serve never blocks writing it.
func waitServing(t *testing.T, r io.Reader, done <-chan error, logs io.Writer) string {
	t.Helper()
	addrs := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			io.WriteString(logs, sc.Text()+"\n")
			if addr, ok := servingAddr(sc.Text()); ok {
				select {
				case addrs <- addr:
				default:
				}
			}
		}
		// A line too long for the scanner ends the scan; the rest must still be read.
		io.Copy(logs, r)
	}()
	select {
	case addr := <-addrs:
		return "http://" + addr
	case err := <-done:
		t.Fatalf("serve stopped before serving: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not log that it serves within 30s")
	}
	return ""
}

// servingAddr returns the address of serve's "serving" log line, JSON or text, and whether line
// is that line.
func servingAddr(line string) (string, bool) {
	var record struct{ Msg, Addr string }
	if json.Unmarshal([]byte(line), &record) == nil {
		return record.Addr, record.Msg == "serving" && record.Addr != ""
	}
	if !strings.Contains(line, " msg=serving ") {
		return "", false
	}
	for _, field := range strings.Fields(line) {
		if addr, ok := strings.CutPrefix(field, "addr="); ok {
			return addr, true
		}
	}
	return "", false
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// newRequest makes a request, with an admin token when one is given.
func newRequest(method, url, token string) (*http.Request, error) {
	req, err := http.NewRequest(method, url, nil)
	if err == nil && token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, err
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode
}

func TestServeDefaultCatalog(t *testing.T) {
	base := startServe(t)
	var list struct {
		Total int
		APIs  []struct{ Slug, Title string }
	}
	if status := getJSON(t, base+"/apis", &list); status != 200 || list.Total < 40 || len(list.APIs) != list.Total {
		t.Fatalf("GET /apis = %d with %d entries, want 200 and at least 40", status, list.Total)
	}
	var entry struct{ Slug, Title string }
	if status := getJSON(t, base+"/apis/"+list.APIs[0].Slug, &entry); status != 200 || entry.Title != list.APIs[0].Title {
		t.Errorf("GET /apis/%s = %d %+v", list.APIs[0].Slug, status, entry)
	}
	var health struct{ Status string }
	if status := getJSON(t, base+"/healthz", &health); status != 200 || health.Status != "ok" {
		t.Errorf("GET /healthz = %d %+v", status, health)
	}
}

// TestServingLine starts serve in each log format: it says where it serves and how many APIs in
// a structured line of its log on stderr, and writes nothing on stdout.
func TestServingLine(t *testing.T) {
	tests := []struct {
		format string
		apis   func(line string) string
	}{
		{"json", func(line string) string {
			var record struct{ APIs json.Number }
			json.Unmarshal([]byte(line), &record)
			return record.APIs.String()
		}},
		{"text", func(line string) string {
			for _, field := range strings.Fields(line) {
				if n, ok := strings.CutPrefix(field, "apis="); ok {
					return n
				}
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, logs syncBuffer
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s", "--log-format", tt.format}, noEnv, &stdout, pw)
				pw.Close()
			}()
			base := waitServing(t, pr, done, &logs)
			var list struct{ Total int }
			getJSON(t, base+"/apis", &list)
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not stop within 15s")
			}
			var line string
			for _, l := range strings.Split(logs.String(), "\n") {
				if _, ok := servingAddr(l); ok {
					line = l
				}
			}
			if got := tt.apis(line); got != strconv.Itoa(list.Total) {
				t.Errorf("serving line %q gives apis %q, want %d, the number /apis lists", line, got, list.Total)
			}
			if stdout.String() != "" {
				t.Errorf("serve wrote on stdout: %q", stdout.String())
			}
		})
	}
}

func TestServeSnapshot(t *testing.T) {
	if _, err := os.Stat(snapshotDir); err != nil {
		t.Skipf("snapshot not found at %s: skipping", snapshotDir)
	}
	base := startServe(t, "--catalog", snapshotDir)
	var list struct{ Total int }
	if status := getJSON(t, base+"/apis", &list); status != 200 || list.Total != 170 {
		t.Errorf("GET /apis on the snapshot = %d with %d entries, want 200 and 170", status, list.Total)
	}
	var res struct {
		Total int
		Hits  []struct {
			Slug       string
			Highlights struct{ Title string }
		}
		Facets struct {
			Access []struct {
				Value string
				Count int
			}
		}
	}
	if status := getJSON(t, base+"/search?q=legifrance&per_page=5", &res); status != 200 || len(res.Hits) == 0 ||
		res.Hits[0].Slug != "DILA_api_Legifrance" || res.Hits[0].Highlights.Title != "<mark>Légifrance</mark>" {
		t.Errorf("GET /search?q=legifrance = %d %+v, want Légifrance first, highlighted", status, res)
	}
	if status := getJSON(t, base+"/search?access=account", &res); status != 200 || res.Total != 24 {
		t.Errorf("GET /search?access=account = %d with %d results, want 24", status, res.Total)
	}
	var ac struct {
		Suggestions []struct{ Text, Kind, Slug string }
	}
	if status := getJSON(t, base+"/autocomplete?q=conventions+co", &ac); status != 200 || len(ac.Suggestions) == 0 ||
		ac.Suggestions[0].Text != "API Conventions collectives" || ac.Suggestions[0].Slug == "" {
		t.Errorf("GET /autocomplete?q=conventions+co = %d %+v, want API Conventions collectives first", status, ac)
	}
	var e struct {
		Error struct{ Code string }
	}
	if status := getJSON(t, base+"/apis/nope", &e); status != 404 || e.Error.Code != "not_found" {
		t.Errorf("GET /apis/nope = %d %+v, want 404 not_found", status, e)
	}
}

func TestCheck(t *testing.T) {
	bad := t.TempDir()
	for name, content := range map[string]string{
		"producers/dinum.yaml": "name: DINUM\ntype: Ministère\n",
		"apis/good.yaml":       "title: Bonne API\ntagline: Elle marche.\nproducer: dinum\naccess: open\nlinks: {doc_tech: 'https://x', contact: 'https://y'}\n",
		"apis/broken.yaml":     "title: Cassée\nproducer: dinum\naccess: public\n",
	} {
		p := filepath.Join(bad, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		args     []string
		exit     int
		contains []string
		skip     bool
	}{
		{"default catalogue", []string{"check", "../../catalog"}, 0, []string{"0 errors"}, false},
		{"snapshot", []string{"check", snapshotDir}, 0, []string{"170 entries", "0 errors", `unknown field "extrenal_site" read as "external_site"`}, true},
		{"broken entry", []string{"check", bad}, 1, []string{"apis/broken.yaml:3: error: unknown access value \"public\"", "1 errors"}, false},
		{"json", []string{"check", "--json", bad}, 1, []string{`"errors": 1`, `"path": "apis/broken.yaml"`, `"line": 3`}, false},
		{"missing folder", []string{"check", filepath.Join(bad, "nope")}, 2, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				if _, err := os.Stat(snapshotDir); err != nil {
					t.Skipf("snapshot not found at %s: skipping", snapshotDir)
				}
			}
			var out, errOut strings.Builder
			err := run(context.Background(), tt.args, noEnv, &out, &errOut)
			exit := 0
			var ee exitError
			if errors.As(err, &ee) {
				exit = int(ee)
			} else if err != nil {
				t.Fatalf("run: %v", err)
			}
			if exit != tt.exit {
				t.Errorf("exit status = %d, want %d; stdout:\n%s\nstderr:\n%s", exit, tt.exit, out.String(), errOut.String())
			}
			for _, s := range tt.contains {
				if !strings.Contains(out.String(), s) {
					t.Errorf("report does not contain %q:\n%s", s, out.String())
				}
			}
		})
	}
}

func TestUsage(t *testing.T) {
	var errOut strings.Builder
	err := run(context.Background(), []string{"frobnicate"}, noEnv, io.Discard, &errOut)
	if ee, ok := err.(exitError); !ok || ee != 2 || !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: err = %v, stderr %q", err, errOut.String())
	}
}

func TestServeFollowsTheFolderAndAdmin(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("producers/dinum.yaml", "name: DINUM\ntype: Ministère\n")
	write("apis/a.yaml", "title: API Alpha\ntagline: Une.\nproducer: dinum\naccess: open\n")
	const token = "token-de-test-assez-long"
	env := func(k string) string {
		if k == "APISEARCH_ADMIN_TOKEN" {
			return token
		}
		return ""
	}
	base := startServeEnv(t, env, "--catalog", dir, "--debounce", "50ms")

	write("apis/b.yaml", "title: API Bravo\ntagline: Une.\nproducer: dinum\naccess: open\n")
	deadline := time.Now().Add(5 * time.Second)
	for {
		var res struct{ Total int }
		getJSON(t, base+"/search?q=bravo", &res)
		if res.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a new file was not searchable within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	req, _ := http.NewRequest("POST", base+"/admin/reindex", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var reindexed struct{ Entries, Generation int }
	json.NewDecoder(resp.Body).Decode(&reindexed)
	resp.Body.Close()
	if resp.StatusCode != 200 || reindexed.Entries != 2 || reindexed.Generation < 2 {
		t.Errorf("POST /admin/reindex = %d %+v", resp.StatusCode, reindexed)
	}
	req, _ = http.NewRequest("GET", base+"/admin/status", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		Entries int
		Watcher *struct {
			Running bool
			Watches int
		}
	}
	json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	if resp.StatusCode != 200 || status.Entries != 2 || status.Watcher == nil || !status.Watcher.Running {
		t.Errorf("GET /admin/status = %d %+v", resp.StatusCode, status)
	}
}

func TestServeFrozenWithoutAdmin(t *testing.T) {
	dir := t.TempDir()
	for rel, content := range map[string]string{
		"producers/dinum.yaml": "name: DINUM\ntype: Ministère\n",
		"apis/a.yaml":          "title: API Alpha\ntagline: Une.\nproducer: dinum\naccess: open\n",
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755)
		os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644)
	}
	base := startServe(t, "--catalog", dir, "--watch=false")
	os.WriteFile(filepath.Join(dir, "apis/b.yaml"), []byte("title: API Bravo\ntagline: Une.\nproducer: dinum\naccess: open\n"), 0o644)
	time.Sleep(500 * time.Millisecond)
	var res struct{ Total int }
	if getJSON(t, base+"/search?q=bravo", &res); res.Total != 0 {
		t.Errorf("--watch=false: a new file was indexed")
	}
	var e struct{ Error struct{ Code string } }
	if status := getJSON(t, base+"/admin/status", &e); status != 404 || e.Error.Code != "not_found" {
		t.Errorf("no admin token: GET /admin/status = %d %+v, want 404", status, e)
	}
}
