package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"apisearch/internal/stats"
)

func TestDataDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		name    string
		args    []string
		dataDir string
		err     string
	}{
		{"none: in memory", nil, "", ""},
		{"the index folder by default", []string{"--index-dir", "/var/lib/apisearch"}, "/var/lib/apisearch", ""},
		{"its own folder", []string{"--index-dir", "/var/lib/index", "--data-dir", "/var/lib/data"}, "/var/lib/data", ""},
		{"a file", []string{"--data-dir", file}, "", "--data-dir " + file + ": not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseServeConfig(tt.args, noEnv, io.Discard)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || cfg.DataDir != tt.dataDir {
				t.Errorf("data folder %q, %v; want %q", cfg.DataDir, err, tt.dataDir)
			}
		})
	}
}

// TestStatsSurviveRestart counts searches, stops the service and starts it again on the same
// data folder: /stats.json and /admin/stats answer the same; a second process on the folder
// is refused.
func TestStatsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	const token = "restart-test-admin-token"
	env := envOf(map[string]string{"APISEARCH_ADMIN_TOKEN": token})
	args := []string{"--data-dir", dir, "--trusted-proxies", "127.0.0.1", "--watch=false", "--rate-limit", "0"}
	base, stop := startStoppable(t, env, args...)
	send := func(method, target, client string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+target, nil)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s = %d", method, target, resp.StatusCode)
		}
	}
	for i := range stats.PublicClients {
		client := fmt.Sprint("192.0.2.", i+1)
		for _, q := range []string{"adresse", "meteo", "xyzzy introuvable"} {
			send("GET", "/search?"+url.Values{"q": {q[:2]}, "typing": {"1"}}.Encode(), client)
			send("GET", "/search?"+url.Values{"q": {q}}.Encode(), client)
		}
		send("GET", "/autocomplete?q=adr", client)
		send("POST", "/stats/click?q=adresse&slug=api-adresse", client)
	}
	before := map[string]string{}
	for _, target := range []string{"/stats.json", "/admin/stats"} {
		before[target] = getBody(t, base+target, token)
	}
	var figures struct {
		Service struct {
			Total      struct{ Searches, Clicks int }
			TopQueries []struct{ Query string } `json:"top_queries"`
		}
	}
	json.Unmarshal([]byte(before["/stats.json"]), &figures)
	if figures.Service.Total.Searches != 15 || figures.Service.Total.Clicks != 5 || len(figures.Service.TopQueries) != 3 {
		t.Fatalf("before the restart: %+v", figures.Service)
	}
	stop()
	if _, err := os.Stat(filepath.Join(dir, stats.FileName)); err != nil {
		t.Fatalf("no statistics file after shutdown: %v", err)
	}

	base, _ = startStoppable(t, env, args...)
	for _, target := range []string{"/stats.json", "/admin/stats"} {
		var want, got any
		json.Unmarshal([]byte(before[target]), &want)
		json.Unmarshal([]byte(getBody(t, base+target, token)), &got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s after a restart:\n got %v\nwant %v", target, got, want)
		}
	}

	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "in use by another apisearch process") {
		t.Errorf("a second process on the data folder: %v, want it refused", err)
	}
}

// getBody returns the body of a GET, with the admin token.
func getBody(t *testing.T, url, token string) string {
	t.Helper()
	req, _ := newRequest("GET", url, token)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}
