package index

import (
	"context"
	"slices"
	"testing"
	"testing/fstest"

	"apisearch/catalog"
)

// TestCatalogueSynonyms checks that a catalogue folder's synonyms.yaml adds to the built-in
// synonyms: its groups, expansions and ignored words apply, and the built-in ones still do.
func TestCatalogueSynonyms(t *testing.T) {
	fsys := fstest.MapFS{
		"producers/p.yaml": {Data: []byte("name: Producteur\ntype: Ministère\n")},
		"apis/velo.yaml":   {Data: []byte("title: Pistes cyclables\naccess: open\nproducer: p\n")},
		"apis/ft.yaml":     {Data: []byte("title: Offres de France Travail\naccess: open\nproducer: p\n")},
		"apis/bus.yaml":    {Data: []byte("title: Horaires des autocars\naccess: open\nproducer: p\n")},
		catalog.SynonymsFile: {Data: []byte("groups:\n  - [bicyclette, piste cyclable]\n" +
			"expansions:\n  transport: [autocar]\nignore: [dénicher]\n")},
	}
	c, err := catalog.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), c, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	without, err := Build(context.Background(), &catalog.Catalog{Layout: c.Layout, Entries: c.Entries, Producers: c.Producers}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer without.Close()
	tests := []struct {
		query         string
		want, without []string
	}{
		{"bicyclette ", []string{"velo"}, nil},
		{"transport ", []string{"bus"}, nil},
		{"autocar ", []string{"bus"}, []string{"bus"}},
		{"pole emploi ", []string{"ft"}, []string{"ft"}}, // built-in
	}
	for _, word := range []string{"denicher", "trouver"} { // the folder's, the built-in one
		if !ix.ignored[word] || without.ignored[word] != (word == "trouver") {
			t.Errorf("%q ignored: %v, without the folder's synonyms %v", word, ix.ignored[word], without.ignored[word])
		}
	}
	for _, tt := range tests {
		for _, side := range []struct {
			ix   *Index
			want []string
		}{{ix, tt.want}, {without, tt.without}} {
			got := slugs(run(t, side.ix, Request{Query: tt.query}))
			if !slices.Equal(got, side.want) {
				t.Errorf("%q with the folder's synonyms %v: got %v, want %v", tt.query, side.ix == ix, got, side.want)
			}
		}
	}
}

func TestLiveApplySeesNewSynonyms(t *testing.T) {
	l, c := liveOf(t, map[string]string{"velo": "Pistes cyclables"})
	next := *c
	next.Synonyms = &catalog.Synonyms{Groups: [][]string{{"bicyclette", "piste cyclable"}}}
	if _, err := l.Apply(context.Background(), &next); err != nil {
		t.Fatal(err)
	}
	if g := l.Generation(); g != 2 {
		t.Fatalf("generation after a change of synonyms only = %d, want 2", g)
	}
	cur, release := l.Acquire()
	defer release()
	if got := slugs(run(t, cur, Request{Query: "bicyclette "})); !slices.Equal(got, []string{"velo"}) {
		t.Errorf("bicyclette after the change: got %v, want [velo]", got)
	}
}
