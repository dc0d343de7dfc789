package server

import (
	"encoding/json"
	"testing"
)

// TestReadyzSaysWhichCatalogue checks that /readyz gives the version of the catalogue served,
// and its Git commit when there is one.
func TestReadyzSaysWhichCatalogue(t *testing.T) {
	plain := testCatalog(t)
	checkedOut := testCatalog(t)
	checkedOut.Commit = "5d41402abc4b2a76b9719d911017c592ae4f1c3e"
	tests := []struct {
		name, commit string
		source       Source
	}{
		{"a folder", "", sourceOf(t, plain)},
		{"a Git checkout", checkedOut.Commit, sourceOf(t, checkedOut)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(newHandler(t, Config{}, tt.source), "GET", "/readyz", nil)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
				t.Fatalf("/readyz = %d %s", rec.Code, rec.Body)
			}
			commit, hasCommit := body["catalog_commit"]
			if body["catalog_version"] != plain.Version || (tt.commit == "") == hasCommit || (hasCommit && commit != tt.commit) {
				t.Errorf("/readyz = %s, want version %s and commit %q", rec.Body, plain.Version, tt.commit)
			}
		})
	}
}
