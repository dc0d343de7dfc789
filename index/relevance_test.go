package index

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2"
	"gopkg.in/yaml.v3"
)

// Floors of the relevance suite, set a little under what the index reaches, so that a change
// that makes search worse fails.
const (
	floorNDCG = 0.92
	floorMRR  = 0.94
)

// judgment is one query of the relevance suite, with the grade of each expected slug.
type judgment struct {
	Q      string         `yaml:"q"`
	Kind   string         `yaml:"kind"`
	Expect map[string]int `yaml:"expect"`
}

func loadJudgments(t *testing.T) []judgment {
	t.Helper()
	data, err := os.ReadFile("testdata/relevance.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Queries []judgment `yaml:"queries"`
	}
	if err := yaml.Unmarshal(data, &suite); err != nil {
		t.Fatalf("testdata/relevance.yaml: %v", err)
	}
	return suite.Queries
}

// ndcg is the normalised discounted cumulative gain of the first k results.
func ndcg(got []string, grades map[string]int, k int) float64 {
	dcg := 0.0
	for i, s := range got[:min(k, len(got))] {
		dcg += (math.Pow(2, float64(grades[s])) - 1) / math.Log2(float64(i+2))
	}
	var ideal []int
	for _, g := range grades {
		ideal = append(ideal, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ideal)))
	idcg := 0.0
	for i, g := range ideal[:min(k, len(ideal))] {
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// reciprocalRank is 1 over the rank of the first expected result, 0 when none is in the first k.
func reciprocalRank(got []string, grades map[string]int, k int) float64 {
	for i, s := range got[:min(k, len(got))] {
		if grades[s] > 0 {
			return 1 / float64(i+1)
		}
	}
	return 0
}

type scores struct{ ndcg, mrr, n float64 }

func (s *scores) add(n, m float64) { s.ndcg += n; s.mrr += m; s.n++ }
func (s scores) String() string    { return fmt.Sprintf("%.3f / %.3f", s.ndcg/s.n, s.mrr/s.n) }

// evaluate runs every judged query through search and returns the scores per kind and overall
// (key "all").
func evaluate(judgments []judgment, search func(q string) []string) map[string]*scores {
	out := map[string]*scores{"all": {}}
	for _, j := range judgments {
		got := search(j.Q)
		n, m := ndcg(got, j.Expect, 10), reciprocalRank(got, j.Expect, 10)
		if out[j.Kind] == nil {
			out[j.Kind] = &scores{}
		}
		out[j.Kind].add(n, m)
		out["all"].add(n, m)
	}
	return out
}

// TestRelevance measures nDCG@10 and MRR over the judged queries, for this index, for the
// index with each part of its French chain turned off, and for bleve's default settings.
func TestRelevance(t *testing.T) {
	ix := snapshot(t)
	judgments := loadJudgments(t)
	for _, j := range judgments {
		for slug := range j.Expect {
			if ix.catalog.Entry(slug) == nil {
				t.Errorf("relevance.yaml: query %q expects %q, which is not in the snapshot", j.Q, slug)
			}
		}
	}
	ours := func(ix *Index) func(string) []string {
		return func(q string) []string {
			res, err := ix.Search(context.Background(), Request{Query: q, PerPage: 10})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			return slugs(res)
		}
	}
	variants := []struct {
		name string
		cfg  Config
	}{
		{"no synonyms", Config{NoSynonyms: true}},
		{"no typo tolerance", Config{NoFuzzy: true}},
		{"no prefix", Config{NoPrefix: true}},
		{"no stemming", Config{Analysis: Analysis{NoStemming: true}}},
		{"no accent folding", Config{Analysis: Analysis{NoFolding: true}}},
		{"no elision", Config{Analysis: Analysis{NoElision: true}}},
		{"no stop words", Config{Analysis: Analysis{NoStopWords: true}}},
	}
	type row struct {
		name   string
		scores map[string]*scores
	}
	rows := []row{{"apisearch", evaluate(judgments, ours(ix))}}
	for _, v := range variants {
		vix, err := Build(context.Background(), ix.catalog, v.cfg)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row{v.name, evaluate(judgments, ours(vix))})
		vix.Close()
	}
	rows = append(rows, row{"bleve defaults", evaluate(judgments, bleveDefaults(t, ix.catalog))})

	var kinds []string
	for k := range rows[0].scores {
		if k != "all" {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	kinds = append(kinds, "all")
	var b strings.Builder
	fmt.Fprintf(&b, "nDCG@10 / MRR over %d queries\n| %-18s |", len(judgments), "index")
	for _, k := range kinds {
		fmt.Fprintf(&b, " %-13s |", fmt.Sprintf("%s (%d)", k, int(rows[0].scores[k].n)))
	}
	b.WriteString("\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %-18s |", r.name)
		for _, k := range kinds {
			fmt.Fprintf(&b, " %-13s |", r.scores[k])
		}
		b.WriteString("\n")
	}
	t.Log("\n" + b.String())

	all := rows[0].scores["all"]
	if n, m := all.ndcg/all.n, all.mrr/all.n; n < floorNDCG || m < floorMRR {
		t.Errorf("relevance fell: nDCG@10 %.3f (floor %.3f), MRR %.3f (floor %.3f)", n, floorNDCG, m, floorMRR)
	}
	base := rows[len(rows)-1].scores["all"]
	if all.ndcg <= base.ndcg {
		t.Errorf("apisearch (nDCG %.3f) does no better than bleve's defaults (%.3f)", all.ndcg/all.n, base.ndcg/base.n)
	}
	if testing.Verbose() {
		for _, j := range judgments {
			got := ours(ix)(j.Q)
			if n := ndcg(got, j.Expect, 10); n < 0.5 {
				t.Logf("weak: %-40q nDCG %.2f got %v want %v", j.Q, n, head(got, 5), j.Expect)
			}
		}
	}
}

// bleveDefaults indexes the catalogue with bleve's default mapping and searches it with a
// match query: the baseline that the French chain is measured against.
func bleveDefaults(t *testing.T, c *catalog.Catalog) func(string) []string {
	idx, err := bleve.NewMemOnly(bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	b := idx.NewBatch()
	for _, e := range c.Entries {
		doc := map[string]any{"title": e.Title, "tagline": e.Tagline, "keywords": strings.Join(e.Keywords, " "),
			"producer": e.Producer.Name + " " + e.Producer.Acronym, "themes": strings.Join(e.Themes, " "), "body": e.Text}
		if err := b.Index(e.Slug, doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	return func(q string) []string {
		res, err := idx.Search(bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q), 10, 0, false))
		if err != nil {
			t.Fatalf("bleve defaults, %q: %v", q, err)
		}
		out := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			out[i] = h.ID
		}
		return out
	}
}
