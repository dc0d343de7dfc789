package index

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"

	"apisearch/catalog"
)

const snapshotDir = "../../shared/catalogs/apigouv"

var (
	snapshotOnce sync.Once
	snapshotIx   *Index
	snapshotErr  error
)

// snapshot returns an index of the national catalogue's snapshot, built once for all tests, or
// skips the test when the snapshot is absent.
func snapshot(t testing.TB) *Index {
	t.Helper()
	if _, err := os.Stat(snapshotDir); err != nil {
		t.Skipf("snapshot of the national catalogue not found at %s: skipping", snapshotDir)
	}
	snapshotOnce.Do(func() {
		var c *catalog.Catalog
		if c, snapshotErr = loadDir(snapshotDir); snapshotErr == nil {
			snapshotIx, snapshotErr = Build(context.Background(), c, Config{})
		}
	})
	if snapshotErr != nil {
		t.Fatal(snapshotErr)
	}
	return snapshotIx
}

func loadDir(dir string) (*catalog.Catalog, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return catalog.Load(root.FS())
}

func defaultIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := buildDefault()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// buildDefault indexes the default catalogue.
func buildDefault() (*Index, error) {
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		return nil, err
	}
	return Build(context.Background(), c, Config{})
}

func run(t testing.TB, ix *Index, req Request) *Result {
	t.Helper()
	res, err := ix.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("Search(%+v): %v", req, err)
	}
	return res
}

func slugs(res *Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Slug
	}
	return out
}

// TestSearchSnapshot checks, for each way people type, that the API they want comes in the
// first results.
func TestSearchSnapshot(t *testing.T) {
	ix := snapshot(t)
	tests := []struct {
		kind, q string
		want    string // a slug expected in the first `within` hits
		within  int
	}{
		{"exact", "API Entreprise", "api-entreprise", 1},
		{"accents", "legifrance", "DILA_api_Legifrance", 1},
		{"accents", "geographie", "api-geo", 5},
		{"case", "LÉGIFRANCE", "DILA_api_Legifrance", 1},
		{"plural", "associations", "api_association", 3},
		{"elision", "l'annuaire de l'éducation", "api-annuaire-education", 1},
		{"elision", "d'identité", "franceconnect", 5},
		{"typo", "legifranse", "DILA_api_Legifrance", 1},
		{"typo", "entrprise", "api-entreprise", 3},
		{"prefix", "légif", "DILA_api_Legifrance", 1},
		{"prefix", "api entrep", "api-entreprise", 3},
		{"acronym", "SIREN", "sirene_v3", 3},
		{"phrase", `"base adresse nationale"`, "base-adresse-nationale", 1},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.q, func(t *testing.T) {
			got := slugs(run(t, ix, Request{Query: tt.q}))
			if i := slices.Index(got, tt.want); i < 0 || i >= tt.within {
				t.Errorf("%q: %s at rank %d, want within the first %d; got %v", tt.q, tt.want, i+1, tt.within, head(got, 8))
			}
		})
	}
}

func head(s []string, n int) []string { return s[:min(n, len(s))] }

// TestHostileQueries checks that bleve's query syntax and odd input are only text.
func TestHostileQueries(t *testing.T) {
	ix := snapshot(t)
	for _, q := range []string{"*", "/.*/", "a*", "title:*", "~", "entreprise~2", "+-&&||!(){}[]^\"~*?:\\/", "\x00", "<script>alert(1)</script>", strings.Repeat("entreprise ", 20), `"unclosed phrase`} {
		res := run(t, ix, Request{Query: q})
		// Syntax characters are separators: the query means the same as its words.
		plain := strings.Join(splitWords(q), " ")
		if last, _ := utf8.DecodeLastRuneInString(q); !unicode.IsLetter(last) && !unicode.IsDigit(last) {
			plain += " " // the last word is complete: no prefix matching
		}
		if want := run(t, ix, Request{Query: plain}); q != plain && strings.TrimSpace(plain) != "" && !slices.Equal(slugs(res), slugs(want)) {
			t.Errorf("%q found %v, want the same as %q: %v", q, head(slugs(res), 5), plain, head(slugs(want), 5))
		}
		if q == "*" || q == "/.*/" {
			if res.Total != 0 {
				t.Errorf("%q matched %d entries: a wildcard or regexp must not match everything", q, res.Total)
			}
		}
		for _, h := range res.Hits {
			checkHTML(t, h.Highlights.Title+h.Highlights.Tagline+h.Highlights.Body)
		}
	}
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// checkHTML fails when a highlight holds a tag other than <mark>.
func checkHTML(t *testing.T, s string) {
	t.Helper()
	for _, tag := range tagPattern.FindAllString(s, -1) {
		if tag != "<mark>" && tag != "</mark>" {
			t.Errorf("highlight contains the tag %s: %s", tag, s)
		}
	}
}

func TestHighlights(t *testing.T) {
	ix := snapshot(t)
	res := run(t, ix, Request{Query: "legifrance jurisprudence"})
	if len(res.Hits) == 0 {
		t.Fatal("no hit")
	}
	h := res.Hits[0]
	if !strings.Contains(h.Highlights.Title, "<mark>Légifrance</mark>") {
		t.Errorf("title highlight = %q, want <mark>Légifrance</mark>", h.Highlights.Title)
	}
	if !strings.Contains(h.Highlights.Body, "<mark>") || len(h.Highlights.Body) > snippetLength+100 {
		t.Errorf("body highlight is not a short snippet with a match: %q", h.Highlights.Body)
	}
	for _, h := range res.Hits {
		checkHTML(t, h.Highlights.Title+h.Highlights.Tagline+h.Highlights.Body)
	}
}

func TestDidYouMean(t *testing.T) {
	ix := snapshot(t)
	res := run(t, ix, Request{Query: "cnli"})
	if res.Total != 0 || res.DidYouMean == "" {
		t.Fatalf("total = %d, did_you_mean = %q; want no result and a suggestion", res.Total, res.DidYouMean)
	}
	if res.DidYouMean != "cnil" {
		t.Errorf("did_you_mean = %q, want %q", res.DidYouMean, "cnil")
	}
	if again := run(t, ix, Request{Query: res.DidYouMean}); again.Total == 0 {
		t.Errorf("the suggestion %q finds nothing", res.DidYouMean)
	}
	if res := run(t, ix, Request{Query: "zzzzqqqq"}); res.DidYouMean != "" {
		t.Errorf("nonsense got a suggestion: %q", res.DidYouMean)
	}
}

func TestSortAndPaging(t *testing.T) {
	ix := snapshot(t)
	all := run(t, ix, Request{PerPage: 100, Sort: SortTitle})
	if all.Total != 170 {
		t.Fatalf("browsing gives %d entries, want 170", all.Total)
	}
	for i := 1; i < len(all.Hits); i++ {
		if catalog.Fold(all.Hits[i-1].Title) > catalog.Fold(all.Hits[i].Title) {
			t.Errorf("sort=title: %q before %q", all.Hits[i-1].Title, all.Hits[i].Title)
		}
	}
	page2 := run(t, ix, Request{Page: 2, PerPage: 100, Sort: SortTitle})
	if len(page2.Hits) != 70 || page2.Hits[0].Slug == all.Hits[0].Slug {
		t.Errorf("page 2 has %d hits, want the 70 after the first 100", len(page2.Hits))
	}
	pop := run(t, ix, Request{PerPage: 10, Sort: SortPopularity})
	for i := 1; i < len(pop.Hits); i++ {
		a, b := ix.catalog.Entry(pop.Hits[i-1].Slug), ix.catalog.Entry(pop.Hits[i].Slug)
		if a.Visits < b.Visits {
			t.Errorf("sort=popularity: %s (%d visits) before %s (%d)", a.Slug, a.Visits, b.Slug, b.Visits)
		}
	}
}

// TestFacetCounts checks facet counts against counts made directly from the entries, for
// combinations of filters: the counts of a facet are those of the query with the other
// facets' filters only.
func TestFacetCounts(t *testing.T) {
	ix := snapshot(t)
	matching := func(q string) map[string]bool {
		m := make(map[string]bool)
		for p := 1; ; p++ {
			res := run(t, ix, Request{Query: q, PerPage: 100, Page: p})
			for _, h := range res.Hits {
				m[h.Slug] = true
			}
			if len(res.Hits) < 100 {
				return m
			}
		}
	}
	requests := []Request{
		{},
		{Accesses: []string{"open"}},
		{Accesses: []string{"open", "restricted"}, Themes: []string{"entreprise"}},
		{Query: "données", Producers: []string{"dinum", "insee"}},
		{Query: "emploi", Themes: []string{"Emploi", "Particulier"}, Accesses: []string{"restricted"}},
		{Query: "adresse", Producers: []string{"nobody"}},
		{Themes: []string{"ENVIRONNEMENT", "ecologie"}},
	}
	for _, req := range requests {
		t.Run(fmt.Sprintf("%+v", req), func(t *testing.T) {
			req.PerPage = 100
			res := run(t, ix, req)
			inQuery := matching(req.Query)
			themes := make([]string, len(req.Themes))
			for i, th := range req.Themes {
				themes[i] = ix.themes[catalog.ThemeKey(th)]
			}
			keep := func(e *catalog.Entry, skip string) bool {
				return inQuery[e.Slug] &&
					(skip == "producer" || len(req.Producers) == 0 || slices.Contains(req.Producers, e.Producer.Slug)) &&
					(skip == "theme" || len(themes) == 0 || slices.ContainsFunc(e.Themes, func(th string) bool { return slices.Contains(themes, th) })) &&
					(skip == "access" || len(req.Accesses) == 0 || slices.Contains(req.Accesses, string(e.Access)))
			}
			total := 0
			want := map[string]map[string]int{"producer": {}, "theme": {}, "access": {}}
			for _, e := range ix.catalog.Entries {
				if keep(e, "") {
					total++
				}
				if keep(e, "producer") {
					want["producer"][e.Producer.Slug]++
				}
				if keep(e, "theme") {
					for _, th := range e.Themes {
						want["theme"][th]++
					}
				}
				if keep(e, "access") {
					want["access"][string(e.Access)]++
				}
			}
			if res.Total != total {
				t.Errorf("total = %d, want %d", res.Total, total)
			}
			for name, values := range map[string][]FacetValue{"producer": res.Facets.Producer, "theme": res.Facets.Theme, "access": res.Facets.Access} {
				got := make(map[string]int)
				for _, v := range values {
					if v.Count > 0 {
						got[v.Value] = v.Count
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want[name]) {
					t.Errorf("facet %s = %v, want %v", name, got, want[name])
				}
			}
			for _, p := range req.Producers {
				if !slices.ContainsFunc(res.Facets.Producer, func(v FacetValue) bool { return v.Value == p && v.Selected }) {
					t.Errorf("selected producer %q is not listed as selected", p)
				}
			}
		})
	}
}

// buildFrom indexes a small catalogue of entries given as title → visits.
func buildFrom(t *testing.T, entries map[string]string) *Index {
	t.Helper()
	fsys := fstest.MapFS{"producers/p.yaml": {Data: []byte("name: Producteur\ntype: Ministère\n")}}
	for slug, body := range entries {
		fsys["apis/"+slug+".yaml"] = &fstest.MapFile{Data: []byte(body)}
	}
	c, err := catalog.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), c, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestExactAboveTypos(t *testing.T) {
	// The misspelt neighbour is far more popular and has the word in its title: the exact match
	// in the body still comes first.
	ix := buildFrom(t, map[string]string{
		"exact": "title: Plan des parcelles\naccess: open\nproducer: p\nvisits: 10\ndescription: Le cadastre de la commune.\n",
		"typo":  "title: API Cadostre\naccess: open\nproducer: p\nvisits: 100000\n",
	})
	got := slugs(run(t, ix, Request{Query: "cadastre "}))
	if !slices.Equal(got, []string{"exact", "typo"}) {
		t.Errorf("cadastre: got %v, want the exact match before the typo", got)
	}
}

func TestTiesByPopularityThenTitle(t *testing.T) {
	ix := buildFrom(t, map[string]string{
		"b": "title: Base B\naccess: open\nproducer: p\nvisits: 5\n",
		"a": "title: Base A\naccess: open\nproducer: p\nvisits: 5\n",
		"c": "title: Base C\naccess: open\nproducer: p\nvisits: 50\n",
	})
	got := slugs(run(t, ix, Request{Query: "base "}))
	if !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Errorf("equal scores: got %v, want by visits then title: [c a b]", got)
	}
}

func TestSynonymsBothWays(t *testing.T) {
	ix := buildFrom(t, map[string]string{
		"ft":  "title: Offres de France Travail\naccess: open\nproducer: p\n",
		"pe":  "title: Ancienne API Pôle emploi\naccess: open\nproducer: p\n",
		"cdg": "title: Carte grise\naccess: open\nproducer: p\n",
	})
	for q, want := range map[string][]string{
		"pole emploi ":                  {"ft", "pe"},
		"france travail ":               {"ft", "pe"},
		"certificat d'immatriculation ": {"cdg"},
		"carte grise ":                  {"cdg"},
	} {
		got := slugs(run(t, ix, Request{Query: q}))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", q, got, want)
		}
	}
}
