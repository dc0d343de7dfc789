package index

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestOnePassAgreesWithBleve checks a search's one pass over its matches (facet counts, filters,
// sort and page, finished clauses left alone) against bleve's own collector, facets and sort
// on the same requests: bleve given the plain query and the filters as clauses that score
// nothing, one search per filtered facet. The
// catalogue is synthetic, 3 000 entries in two of bleve's segments, in memory and on disk,
// where bleve's merges renumber the documents while the searches run.
func TestOnePassAgreesWithBleve(t *testing.T) {
	c := synthetic(t, 3000)
	disk, err := OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { disk.Close() })
	for _, cfg := range []struct {
		name string
		cfg  Config
	}{{"memory", Config{}}, {"disk", Config{Disk: disk}}} {
		t.Run(cfg.name, func(t *testing.T) {
			ix, err := Build(context.Background(), c, cfg.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			rng := rand.New(rand.NewPCG(7, 11))
			for range 80 {
				req := randomRequest(rng, ix)
				got := run(t, ix, req)
				want := bleveReference(t, ix, req)
				if got.Total != want.Total || !slices.Equal(slugs(got), slugs(want)) {
					t.Fatalf("%+v:\n one pass: %d %v\n bleve:    %d %v", req, got.Total, slugs(got), want.Total, slugs(want))
				}
				for i := range got.Hits {
					if got.Hits[i].Score != want.Hits[i].Score {
						t.Errorf("%+v: hit %s scores %v, bleve %v", req, got.Hits[i].Slug, got.Hits[i].Score, want.Hits[i].Score)
					}
				}
				for name, f := range map[string][2][]FacetValue{
					"producer": {got.Facets.Producer, want.Facets.Producer},
					"theme":    {got.Facets.Theme, want.Facets.Theme},
					"access":   {got.Facets.Access, want.Facets.Access},
				} {
					if g, w := facetCounts(f[0]), facetCounts(f[1]); !maps.Equal(g, w) {
						t.Errorf("%+v: facet %s\n one pass: %v\n bleve:    %v", req, name, g, w)
					}
				}
			}
		})
	}
}

// randomRequest draws a search of one or two of the catalogue's keywords, with up to two
// filters of one or two values, any sort and one of the first three pages.
func randomRequest(rng *rand.Rand, ix *Index) Request {
	es := ix.catalog.Entries
	word := func() string {
		e := es[rng.IntN(len(es))]
		if len(e.Keywords) == 0 {
			return e.Producer.Slug
		}
		return e.Keywords[rng.IntN(len(e.Keywords))]
	}
	req := Request{Query: word(), Page: 1 + rng.IntN(3), PerPage: 5 + rng.IntN(16)}
	if rng.IntN(2) == 0 {
		req.Query += " " + word()
	}
	req.Sort = []string{SortRelevance, SortTitle, SortPopularity}[rng.IntN(3)]
	for range rng.IntN(3) {
		e := es[rng.IntN(len(es))]
		switch rng.IntN(3) {
		case 0:
			req.Producers = append(req.Producers, e.Producer.Slug)
		case 1:
			if len(e.Themes) > 0 {
				req.Themes = append(req.Themes, e.Themes[0])
			}
		default:
			req.Accesses = append(req.Accesses, string(e.Access))
		}
	}
	return req
}

// bleveReference answers a request with bleve's collector, sort and facets: the filters join
// the query as filterQuery makes them, boosted by zero, so that they choose documents without
// changing a score.
func bleveReference(t *testing.T, ix *Index, req Request) *Result {
	t.Helper()
	req = ix.canonicalFilters(req)
	fields := []string{facetProducer, facetTheme, facetAccess}
	values := [][]string{req.Producers, req.Themes, req.Accesses}
	filters := make([]query.Query, len(fields))
	for i, f := range fields {
		filters[i] = filterQuery(f, values[i])
	}
	p := ix.parse(req.Query)
	text := ix.textQuery(p)
	r, counts := bleveSearch(t, text, filters, fields, req, ix)
	if ix.relaxes(p, int(r.Total), text.relaxable) {
		p.relaxed = true
		text = ix.textQuery(p)
		r, counts = bleveSearch(t, text, filters, fields, req, ix)
	}
	res := &Result{Total: int(r.Total)}
	for _, h := range r.Hits {
		res.Hits = append(res.Hits, Hit{Slug: h.ID, Score: h.Score})
	}
	toValues := func(m map[string]int) []FacetValue {
		var out []FacetValue
		for v, n := range m {
			out = append(out, FacetValue{Value: v, Count: n})
		}
		return out
	}
	res.Facets = Facets{Producer: toValues(counts[facetProducer]), Theme: toValues(counts[facetTheme]), Access: toValues(counts[facetAccess])}
	return res
}

// bleveSearch runs a text query with filters and facets as bleve alone does them.
func bleveSearch(t *testing.T, text textClauses, filters []query.Query, fields []string, req Request, ix *Index) (*bleve.SearchResult, map[string]map[string]int) {
	t.Helper()
	ctx := context.Background()
	sr := bleve.NewSearchRequestOptions(plain(text, filters, -1), req.PerPage, (req.Page-1)*req.PerPage, false)
	sr.SortBy(sortOrder(req.Sort))
	for i, f := range fields {
		if filters[i] == nil {
			sr.AddFacet(f, bleve.NewFacetRequest(f, maxFacetValues))
		}
	}
	r, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]map[string]int{}
	for name, fr := range r.Facets {
		counts[name] = termCounts(fr.Terms.Terms())
	}
	for i, f := range fields {
		if filters[i] == nil {
			continue
		}
		fr := bleve.NewSearchRequestOptions(plain(text, filters, i), 0, 0, false)
		fr.AddFacet(f, bleve.NewFacetRequest(f, maxFacetValues))
		r2, err := ix.bleve.SearchInContext(ctx, fr)
		if err != nil {
			t.Fatal(err)
		}
		counts[f] = termCounts(r2.Facets[f].Terms.Terms())
	}
	return r, counts
}

// plain is combine as bleve alone would run it: every clause as it is.
func plain(text textClauses, filters []query.Query, skip int) query.Query {
	if len(text.must) == 0 {
		return query.NewMatchNoneQuery()
	}
	must := slices.Clone(text.must)
	for i, f := range filters {
		if f != nil && i != skip {
			must = append(must, f)
		}
	}
	return query.NewBooleanQuery(must, text.should, text.mustNot)
}

// termCounts maps bleve's facet terms to their counts.
func termCounts(terms []*search.TermFacet) map[string]int {
	out := map[string]int{}
	for _, t := range terms {
		out[t.Term] = t.Count
	}
	return out
}

// facetCounts maps the values that a facet counts to their counts.
func facetCounts(values []FacetValue) map[string]int {
	out := map[string]int{}
	for _, v := range values {
		if v.Count > 0 {
			out[v.Value] = v.Count
		}
	}
	return out
}

// TestWithPrefixKeepsTheMostFrequent checks the prefix expansion's one-pass selection against
// a full sort by frequency (ties in term order), for every prefix of one to three letters of
// the default catalogue's terms and several limits.
func TestWithPrefixKeepsTheMostFrequent(t *testing.T) {
	tl := defaultIndex(t).terms
	prefixes := map[string]bool{"": true, "zzzz": true}
	for _, term := range tl.terms {
		for n := 1; n <= 3 && n <= len(term); n++ {
			prefixes[term[:n]] = true
		}
	}
	for prefix := range prefixes {
		var all []int
		for k, term := range tl.terms {
			if strings.HasPrefix(term, prefix) {
				all = append(all, k)
			}
		}
		slices.SortStableFunc(all, func(a, b int) int { return int(tl.df[b]) - int(tl.df[a]) })
		for _, limit := range []int{1, 3, prefixTerms} {
			want := []string{}
			for _, k := range all[:min(limit, len(all))] {
				want = append(want, tl.terms[k])
			}
			if got := tl.withPrefix(prefix, limit); !slices.Equal(got, want) {
				t.Fatalf("withPrefix(%q, %d) = %v, want %v", prefix, limit, got, want)
			}
		}
	}
}

// TestDocumentsMappedWhenBuilt checks that a new index maps bleve's documents to its entries
// when it is built, so that its first search does not, and that searches reuse that map.
func TestDocumentsMappedWhenBuilt(t *testing.T) {
	ix := defaultIndex(t)
	built := ix.docTable.Load()
	if built == nil {
		t.Fatal("no document map once built")
	}
	run(t, ix, Request{Query: "adresse"})
	if ix.docTable.Load() != built {
		t.Error("the first search mapped the documents again")
	}
	mapped := 0
	for _, e := range built.entry {
		if e >= 0 {
			mapped++
		}
	}
	if mapped != len(ix.catalog.Entries) {
		t.Errorf("%d documents mapped to entries, want %d", mapped, len(ix.catalog.Entries))
	}
}

// TestExplainedScoresAreTheResults checks that an explanation gives each hit the score the
// search gives it, with filters too: filters choose, they do not score.
func TestExplainedScoresAreTheResults(t *testing.T) {
	ix := defaultIndex(t)
	theme := ix.catalog.Entries[0].Themes[0]
	for _, req := range []Request{
		{Query: "adresse"},
		{Query: "données", Accesses: []string{"open", "account"}},
		{Query: "api", Themes: []string{theme}},
	} {
		res := run(t, ix, req)
		ex, err := ix.Explain(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Hits) == 0 {
			t.Fatalf("%+v: nothing explained", req)
		}
		for i, h := range ex.Hits {
			if i >= len(res.Hits) || res.Hits[i].Slug != h.Slug || res.Hits[i].Score != h.Score {
				t.Errorf("%+v: explained hit %d is %s scored %v; the search's is %+v", req, i, h.Slug, h.Score, res.Hits[min(i, len(res.Hits)-1)])
			}
		}
	}
}

// TestNearbyWordsRemembered checks the vocabulary's memory of typo lookups: a remembered
// lookup answers what a new one does, and no number of different words typed grows it past
// its bound.
func TestNearbyWordsRemembered(t *testing.T) {
	v := defaultIndex(t).vocab
	words := []string{"adrese", "entreprize", "geographie", "bibliotheque", "transprt", "sante"}
	for _, w := range words {
		for k := 1; k <= 2; k++ {
			first, again, fresh := v.near(w, k, fuzzyWords), v.near(w, k, fuzzyWords), v.lookUp(w, k, fuzzyWords)
			if !slices.Equal(first, fresh) || !slices.Equal(again, fresh) {
				t.Errorf("near(%q, %d): %v, then %v; a new lookup finds %v", w, k, first, again, fresh)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 3 * nearbyWords {
		b := make([]byte, 8)
		for i := range b {
			b[i] = 'a' + byte(rng.IntN(26))
		}
		v.near(string(b), 1, fuzzyWords)
	}
	if n := v.nearby.Len(); n > nearbyWords {
		t.Errorf("%d lookups remembered, bound %d", n, nearbyWords)
	}
}
