package reindex

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"apisearch/index"
	"apisearch/internal/watch"
)

// TestProducerFileGoneOrBroken deletes, renames or breaks the file of a producer that entries
// name, while serving: the change is applied through the watcher's path and through a full
// reindex without a crash, and the entries keep being found (at their last good version).
func TestProducerFileGoneOrBroken(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string)
	}{
		{"deleted", func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, "producers/dinum.yaml"))) }},
		{"renamed", func(t *testing.T, dir string) {
			must(t, os.Rename(filepath.Join(dir, "producers/dinum.yaml"), filepath.Join(dir, "producers/dinum-old.yaml")))
		}},
		{"broken", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"producers/dinum.yaml": "name: [DINUM"})
		}},
		{"emptied", func(t *testing.T, dir string) { writeFiles(t, dir, map[string]string{"producers/dinum.yaml": ""}) }},
	} {
		for _, how := range []string{"watcher batch", "full reindex"} {
			t.Run(tc.name+" then "+how, func(t *testing.T) {
				dir := newFolder(t, map[string]string{"a": "API Alpha", "b": "API Bravo"})
				r, err := New(context.Background(), Config{Open: dirOpener(dir), Logger: quiet()})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				tc.change(t, dir)
				if how == "full reindex" {
					_, err = r.Reindex(context.Background(), false)
				} else {
					err = r.Apply(context.Background(), watch.Batch{Paths: []string{"producers/dinum.yaml"}})
				}
				if err != nil {
					t.Fatalf("change not applied: %v", err)
				}
				l := &live{t: t, r: r}
				if got := l.search("api"); !slices.Equal(got, []string{"a", "b"}) {
					t.Errorf("search finds %v, want the entries kept at their last good version [a b]", got)
				}
				ix, release := r.Live().Acquire()
				defer release()
				if s := ix.Suggest("dinum", 8); len(s) == 0 {
					t.Errorf("no suggestion for the producer the kept entries name")
				}
				if st := r.Status(); st.Errors == 0 {
					t.Errorf("the entries' problem is not reported: %+v", st.Problems)
				}
			})
		}
	}
}

// TestLiveIndexEqualsFreshBuild applies random batches of edits, renames, deletes, additions,
// broken writes and producer changes to a copy of the national catalogue, then compares the
// served index with an index freshly built from the same catalogue: every entry's title
// search, and other queries, must give the same total, the same hits in the same order, the
// same scores, suggestions and corrections. What a search answers must not depend on the
// history of edits.
func TestLiveIndexEqualsFreshBuild(t *testing.T) {
	if _, err := os.Stat(snapshotDir); err != nil {
		t.Skipf("snapshot not found at %s: skipping", snapshotDir)
	}
	dir := t.TempDir()
	must(t, os.CopyFS(dir, os.DirFS(snapshotDir)))
	r, err := New(context.Background(), Config{Open: dirOpener(dir), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	rng := rand.New(rand.NewPCG(13, 7))
	files := func(sub string) []string {
		names, _ := filepath.Glob(filepath.Join(dir, sub, "*.md"))
		return names
	}
	read := func(p string) string {
		data, _ := os.ReadFile(p)
		return string(data)
	}
	tagline := regexp.MustCompile(`(?m)^tagline:.*$`)
	title := regexp.MustCompile(`(?m)^title:.*$`)
	edits := []func(){
		// An entry's tagline takes another entry's: document frequencies move.
		func() {
			api := files("api")
			a, b := api[rng.IntN(len(api))], api[rng.IntN(len(api))]
			if m := tagline.FindString(read(b)); m != "" {
				os.WriteFile(a, []byte(tagline.ReplaceAllLiteralString(read(a), m)), 0o644)
			}
		},
		// A body grows words of another entry.
		func() {
			api := files("api")
			a, b := api[rng.IntN(len(api))], api[rng.IntN(len(api))]
			body := read(b)
			os.WriteFile(a, []byte(read(a)+"\n"+body[strings.LastIndex(body, "---")+3:]), 0o644)
		},
		// A new entry, copied from another with a new title.
		func() {
			api := files("api")
			src := read(api[rng.IntN(len(api))])
			n := rng.IntN(1000)
			os.WriteFile(filepath.Join(dir, "api", fmt.Sprintf("nouvelle-%d.md", n)),
				[]byte(title.ReplaceAllLiteralString(src, fmt.Sprintf("title: API Nouvelle %d", n))), 0o644)
		},
		func() { api := files("api"); os.Remove(api[rng.IntN(len(api))]) },
		func() {
			api := files("api")
			p := api[rng.IntN(len(api))]
			os.Rename(p, strings.TrimSuffix(p, ".md")+"-renommee.md")
		},
		func() {
			api := files("api")
			os.WriteFile(api[rng.IntN(len(api))], []byte("---\ntitle: [cassé\n"), 0o644)
		},
		func() {
			prods := files("producteurs")
			os.Remove(prods[rng.IntN(len(prods))])
		},
	}
	ctx := context.Background()
	for batch := range 24 {
		for range 1 + rng.IntN(4) {
			edits[rng.IntN(len(edits))]()
		}
		if err := r.Apply(ctx, watch.Batch{Resync: true, Reason: "test"}); err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		if batch%8 == 7 {
			compareWithFreshBuild(t, r, batch)
		}
	}
}

// compareWithFreshBuild checks that the served index answers as a fresh build of its catalogue.
func compareWithFreshBuild(t *testing.T, r *Reindexer, batch int) {
	t.Helper()
	served, release := r.Live().Acquire()
	defer release()
	c := served.Catalog()
	fresh, err := index.Build(context.Background(), c, index.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	queries := []string{"api", "geo", "entreprise ", "donnees publiques", "adresse", "sante ", "impots",
		"legifranse", "educ", "transport", "siret", "\"base adresse\"", "qualite de l'air", "emploi"}
	for _, e := range c.Entries {
		queries = append(queries, e.Title)
	}
	differ := 0
	for _, q := range queries {
		for _, req := range []index.Request{{Query: q, PerPage: 100}, {Query: q, Accesses: []string{"open"}, Sort: index.SortPopularity}} {
			a, err1 := served.Search(context.Background(), req)
			b, err2 := fresh.Search(context.Background(), req)
			if err1 != nil || err2 != nil {
				t.Fatalf("search %q: %v, %v", q, err1, err2)
			}
			if why := sameResult(a, b); why != "" {
				differ++
				if differ <= 5 {
					t.Errorf("after batch %d, %q: the served index and a fresh build differ: %s", batch, q, why)
				}
			}
		}
		if a, b := served.Suggest(q, 8), fresh.Suggest(q, 8); !slices.Equal(a, b) {
			differ++
			if differ <= 5 {
				t.Errorf("after batch %d, suggestions for %q differ: %v vs %v", batch, q, a, b)
			}
		}
	}
	if differ > 0 {
		t.Errorf("after batch %d: %d of %d queries answer differently from a fresh build", batch, differ, len(queries))
	}
}

// sameResult says how two results differ, or "" when they do not.
func sameResult(a, b *index.Result) string {
	if a.Total != b.Total {
		return fmt.Sprintf("total %d vs %d", a.Total, b.Total)
	}
	if a.DidYouMean != b.DidYouMean {
		return fmt.Sprintf("did you mean %q vs %q", a.DidYouMean, b.DidYouMean)
	}
	for i := range a.Hits {
		x, y := a.Hits[i], b.Hits[i]
		if x.Slug != y.Slug {
			return fmt.Sprintf("hit %d is %s (%v) vs %s (%v)", i+1, x.Slug, x.Score, y.Slug, y.Score)
		}
		if math.Abs(x.Score-y.Score) > 1e-9*math.Max(1, math.Abs(y.Score)) {
			return fmt.Sprintf("hit %d (%s) scores %g vs %g", i+1, x.Slug, x.Score, y.Score)
		}
	}
	return ""
}
