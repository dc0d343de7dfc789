package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"apisearch/internal/loadtest"
)

func TestRunRefusesFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--other-url", "http://127.0.0.1:7700/search?q={q}", "--other-binary", "/bin/true"}, "one other side at a time"},
		{[]string{"--other-binary", "/bin/true", "--hostile"}, "--hostile is not a side-by-side run"},
		{[]string{"--other-binary", "/bin/true", "--phases", "search"}, "search-distinct phase only"},
		{[]string{"--other-binary", "/bin/true", "--no-answer-cache"}, "--no-answer-cache"},
		{[]string{"--other-body", `{"q":{q}}`}, "--other-body goes with --other-url"},
		{[]string{"--other-pid", "1"}, "--other-pid goes with --other-url"},
		{[]string{"--other-url", "http://127.0.0.1:7700/search?q={q}", "--other-header", "no colon"}, "want Name: value"},
		{[]string{"--other-binary", "/bin/true", "--rounds", "0"}, "--rounds 0"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := run(context.Background(), tt.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error saying %q", tt.args, err, tt.want)
			}
		})
	}
}

// TestExportDocuments checks what another engine is given: every entry of the catalogue, once,
// with the texts it is searched by.
func TestExportDocuments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "documents.json")
	if err := run(context.Background(), []string{"--export-documents", path}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []loadtest.Document
	if err := json.Unmarshal(data, &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 57 {
		t.Errorf("%d documents, want the default catalogue's 57", len(docs))
	}
	ids := map[string]bool{}
	for _, d := range docs {
		if d.ID == "" || ids[d.ID] || d.Title == "" || d.Body == "" || d.Producer == "" || d.Access == "" {
			t.Errorf("document %+v: want a new id, a title, a body, a producer and an access", d)
		}
		ids[d.ID] = true
	}
}
