package reindex

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"apisearch/catalog"
	"apisearch/internal/watch"
)

// TestCatalogueSynonymsFollowed edits the synonyms.yaml of a followed catalogue folder, with
// the default debounce, as an editor would after seeing a query that finds nothing: the new
// synonym is searchable within a second; a broken save keeps the previous synonyms and is
// reported in Status with its path and line; deleting the file leaves the built-in ones.
func TestCatalogueSynonymsFollowed(t *testing.T) {
	dir := newFolder(t, map[string]string{"velo": "Pistes cyclables", "ft": "Offres de France Travail"})
	r, err := New(context.Background(), Config{Open: dirOpener(dir), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := watch.New(watch.Config{Dir: dir, Logger: quiet()}, r.Apply)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; r.Close() }()
	for w.State().Watches == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	l := &live{t: t, dir: dir, r: r, w: w}
	if got := l.search("bicyclette"); len(got) != 0 {
		t.Fatalf("bicyclette finds %v before any synonym links it", got)
	}

	// within waits at most a second for a search for q to find exactly want.
	within := func(q string, want ...string) {
		t.Helper()
		start := time.Now()
		for got := l.search(q); !slices.Equal(got, want); got = l.search(q) {
			if time.Since(start) > time.Second {
				t.Fatalf("search %q finds %v, want %v within a second", q, got, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("%q finds %v after %v", q, want, time.Since(start))
	}
	l.write(catalog.SynonymsFile, "groups:\n  - [bicyclette, piste cyclable]\n")
	within("bicyclette", "velo")
	within("pole emploi", "ft") // the built-in synonyms still apply

	l.write(catalog.SynonymsFile, "groups:\n  - [bicyclette, piste cyclable]\n  - [vélo]\n")
	deadline := time.Now().Add(5 * time.Second)
	for !slices.ContainsFunc(r.Status().Problems, func(p catalog.Problem) bool {
		return p.Path == catalog.SynonymsFile && p.Line == 3 && p.Severity == catalog.SeverityError && strings.Contains(p.Message, "group 2 has 1 member")
	}) {
		if time.Now().After(deadline) {
			t.Fatalf("the broken synonyms file is not reported with its path and line: %+v", r.Status().Problems)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := l.search("bicyclette"); !slices.Equal(got, []string{"velo"}) {
		t.Errorf("after a broken save, bicyclette finds %v: the previous synonyms should stay in force", got)
	}

	if err := os.Remove(filepath.Join(dir, catalog.SynonymsFile)); err != nil {
		t.Fatal(err)
	}
	within("bicyclette")
	within("pole emploi", "ft")
	if st := r.Status(); st.Errors != 0 {
		t.Errorf("problems left once the file is deleted: %+v", st.Problems)
	}
}
