package index

import (
	"context"
	"testing"
	"testing/fstest"

	"apisearch/catalog"
)

func catalogOf(t *testing.T, entries map[string]string) *catalog.Catalog {
	t.Helper()
	fsys := fstest.MapFS{"producers/p.yaml": {Data: []byte("name: Producteur\ntype: Ministère\n")}}
	for slug, title := range entries {
		fsys["apis/"+slug+".yaml"] = &fstest.MapFile{Data: []byte("title: " + title + "\naccess: open\nproducer: p\n")}
	}
	c, err := catalog.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// liveOf serves an index of a catalogue of entries (slug → title) as a Live, closed at the end
// of the test, and returns the catalogue too.
func liveOf(t *testing.T, entries map[string]string) (*Live, *catalog.Catalog) {
	t.Helper()
	c := catalogOf(t, entries)
	ix, err := Build(context.Background(), c, Config{})
	if err != nil {
		t.Fatal(err)
	}
	l := NewLive(ix)
	t.Cleanup(l.Close)
	return l, c
}

func TestLiveSwapClosesTheOldIndexAfterItsLastSearch(t *testing.T) {
	first, err := Build(context.Background(), catalogOf(t, map[string]string{"a": "API Alpha"}), Config{})
	if err != nil {
		t.Fatal(err)
	}
	l := NewLive(first)
	held, release := l.Acquire()

	second, err := Build(context.Background(), catalogOf(t, map[string]string{"b": "API Bravo"}), Config{})
	if err != nil {
		t.Fatal(err)
	}
	l.Swap(second)
	if g := l.Generation(); g != 2 {
		t.Errorf("generation after a swap = %d, want 2", g)
	}
	// The search in flight still answers from the old index.
	if res, err := held.Search(context.Background(), Request{Query: "alpha"}); err != nil || res.Total != 1 {
		t.Fatalf("search on the held index after the swap: %v, %v", res, err)
	}
	now, releaseNow := l.Acquire()
	if res, _ := now.Search(context.Background(), Request{Query: "bravo"}); res.Total != 1 {
		t.Errorf("new searches do not see the new index")
	}
	releaseNow()
	release()
	// The last search is done: the old index is closed.
	if _, err := held.bleve.DocCount(); err == nil {
		t.Errorf("the old index is still open after its last search")
	}
	l.Close()
	if _, err := second.bleve.DocCount(); err == nil {
		t.Errorf("Close left the current index open")
	}
}

func TestLiveApply(t *testing.T) {
	l, _ := liveOf(t, map[string]string{"a": "API Alpha", "b": "API Bravo"})
	d, err := l.Apply(context.Background(), catalogOf(t, map[string]string{"a": "API Alpha modifiée", "c": "API Charlie"}))
	if err != nil {
		t.Fatal(err)
	}
	if d != (Diff{Added: 1, Changed: 1, Removed: 1}) {
		t.Errorf("diff = %+v, want one added, one changed, one removed", d)
	}
	cur, release := l.Acquire()
	defer release()
	for q, want := range map[string]int{"modifiee": 1, "bravo": 0, "charlie": 1} {
		if res, _ := cur.Search(context.Background(), Request{Query: q + " "}); res.Total != want {
			t.Errorf("%q: %d results, want %d", q, res.Total, want)
		}
	}
	if g := l.Generation(); g != 2 {
		t.Errorf("generation = %d, want 2", g)
	}
	if d, _ := l.Apply(context.Background(), cur.Catalog()); d != (Diff{}) || l.Generation() != 2 {
		t.Errorf("applying the same catalogue: diff %+v, generation %d; want nothing and no new generation", d, l.Generation())
	}
}

// TestLiveApplyServesTheNewCommit checks that a commit that changes no entry (a README, a
// comment) still becomes the catalogue served, so that replicas report the commit they read.
func TestLiveApplyServesTheNewCommit(t *testing.T) {
	l, c := liveOf(t, map[string]string{"a": "API Alpha"})
	next := *c
	next.Commit = "89abcdef0123456789abcdef0123456789abcdef"
	if _, err := l.Apply(context.Background(), &next); err != nil {
		t.Fatal(err)
	}
	cur, release := l.Acquire()
	defer release()
	if got := cur.Catalog().Commit; got != next.Commit || l.Generation() != 2 {
		t.Errorf("served commit %q at generation %d, want %s at generation 2", got, l.Generation(), next.Commit)
	}
}
