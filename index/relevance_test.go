package index

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"gopkg.in/yaml.v3"
)

// update rewrites the relevance tables of docs/search.md and the golden file of the tuning
// half from this run: go test ./index -run TestRelevance -update.
var update = flag.Bool("update", false, "rewrite docs/search.md's relevance tables and testdata/relevance.golden")

// Floors of the relevance suite, set a little under what the index reaches, so that a change
// that makes search worse fails. The held-back half has its own, looser floors: it is run only
// to report.
// The zero field is a ceiling: the largest share of queries without results.
var floors = map[string]scores{
	"existing/tune": {ndcg: 0.92, mrr: 0.95, zero: 0.01},
	"existing/held": {ndcg: 0.91, mrr: 0.93, zero: 0.01},
	"new/tune":      {ndcg: 0.79, mrr: 0.82, zero: 0.03},
	"new/held":      {ndcg: 0.80, mrr: 0.85, zero: 0.05},
}

// Files of judged queries: relevance.yaml holds the kinds the engine was first built for,
// relevance_new.yaml those of what people type in a public search box.
var judgmentFiles = map[string]string{"testdata/relevance.yaml": "existing", "testdata/relevance_new.yaml": "new"}

// judgment is one query of the relevance suite, with the grade of each expected slug and the
// slugs that must not be in the first page (for exclusions).
type judgment struct {
	Q      string         `yaml:"q"`
	Kind   string         `yaml:"kind"`
	Half   string         `yaml:"half"` // tune: looked at while tuning; held: run only to report
	Expect map[string]int `yaml:"expect"`
	Forbid []string       `yaml:"forbid"`
	group  string         // existing or new
}

func loadJudgments(t *testing.T) []judgment {
	t.Helper()
	var all []judgment
	for _, file := range slices.Sorted(maps.Keys(judgmentFiles)) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var suite struct {
			Queries []judgment `yaml:"queries"`
		}
		if err := yaml.Unmarshal(data, &suite); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i, j := range suite.Queries {
			if j.Half != "tune" && j.Half != "held" {
				t.Fatalf("%s: query %q has half %q, want tune or held", file, j.Q, j.Half)
			}
			suite.Queries[i].group = judgmentFiles[file]
		}
		all = append(all, suite.Queries...)
	}
	return all
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

// answer is what a search gave for a judged query: the first page's slugs and the total.
type answer struct {
	slugs []string
	total int
}

// judge scores one answer: nDCG@10 and MRR, both 0 when an excluded entry is on the first page;
// a query with nothing expected (an exclusion alone) scores 1 when it finds something and shows
// nothing excluded.
func judge(j judgment, a answer) (n, m float64) {
	for _, s := range a.slugs[:min(10, len(a.slugs))] {
		if slices.Contains(j.Forbid, s) {
			return 0, 0
		}
	}
	if len(j.Expect) == 0 {
		if a.total > 0 {
			return 1, 1
		}
		return 0, 0
	}
	return ndcg(a.slugs, j.Expect, 10), reciprocalRank(a.slugs, j.Expect, 10)
}

type scores struct{ ndcg, mrr, zero, n float64 }

func (s *scores) add(n, m float64, zero bool) {
	s.ndcg += n
	s.mrr += m
	if zero {
		s.zero++
	}
	s.n++
}
func (s scores) String() string {
	return fmt.Sprintf("%.3f / %.3f / %.0f %%", s.ndcg/s.n, s.mrr/s.n, 100*s.zero/s.n)
}

// evaluate runs every judged query through search and returns the scores keyed by
// "kind/half", "group/half" and "all/half".
func evaluate(judgments []judgment, search func(q string) answer) map[string]*scores {
	out := map[string]*scores{}
	for _, j := range judgments {
		a := search(j.Q)
		n, m := judge(j, a)
		for _, key := range []string{j.Kind + "/" + j.Half, j.group + "/" + j.Half, "all/" + j.Half} {
			if out[key] == nil {
				out[key] = &scores{}
			}
			out[key].add(n, m, a.total == 0)
		}
	}
	return out
}

// TestRelevance measures nDCG@10, MRR and the share of queries without results over the judged
// queries, per kind and per half, for this index, for the index with each part of its chain
// turned off, and for bleve's default settings.
func TestRelevance(t *testing.T) {
	ix := snapshot(t)
	judgments := loadJudgments(t)
	for _, j := range judgments {
		for slug := range j.Expect {
			if ix.catalog.Entry(slug) == nil {
				t.Errorf("query %q expects %q, which is not in the snapshot", j.Q, slug)
			}
		}
	}
	ours := func(ix *Index) func(string) answer {
		return func(q string) answer {
			res, err := ix.Search(context.Background(), Request{Query: q, PerPage: 10})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			return answer{slugs(res), res.Total}
		}
	}
	variants := []struct {
		name string
		cfg  Config
	}{
		{"no synonyms", Config{NoSynonyms: true}},
		{"no thesaurus", Config{NoThesaurus: true}},
		{"no derivation", Config{NoDerivation: true}},
		{"no typo tolerance", Config{NoFuzzy: true}},
		{"no prefix", Config{NoPrefix: true}},
		{"no stemming", Config{Analysis: Analysis{NoStemming: true}}},
		{"Snowball stemmer", Config{Analysis: Analysis{Stemmer: fr.SnowballStemmerName}}},
		{"minimal stemmer", Config{Analysis: Analysis{Stemmer: fr.MinimalStemmerName}}},
		{"no accent folding", Config{Analysis: Analysis{NoFolding: true}}},
		{"no elision", Config{Analysis: Analysis{NoElision: true}}},
		{"no stop words", Config{Analysis: Analysis{NoStopWords: true}}},
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
	defaults := row{"bleve defaults", evaluate(judgments, bleveDefaults(t, ix.catalog))}
	rows = append(rows, defaults)

	tables := kindTable(judgments, rows[0].scores, defaults.scores) + "\n" + ablationTable(rows)
	t.Log("\nnDCG@10 / MRR / zero results\n" + tables)
	for key, floor := range floors {
		s := rows[0].scores[key]
		if n, m, z := s.ndcg/s.n, s.mrr/s.n, s.zero/s.n; n < floor.ndcg || m < floor.mrr || z > floor.zero {
			t.Errorf("relevance fell on %s: nDCG@10 %.3f (floor %.3f), MRR %.3f (floor %.3f), zero results %.3f (ceiling %.3f)",
				key, n, floor.ndcg, m, floor.mrr, z, floor.zero)
		}
	}
	for _, half := range []string{"tune", "held"} {
		if ours, base := rows[0].scores["all/"+half], defaults.scores["all/"+half]; ours.ndcg <= base.ndcg {
			t.Errorf("apisearch (nDCG %.3f) does no better than bleve's defaults (%.3f) on the %s half", ours.ndcg/ours.n, base.ndcg/base.n, half)
		}
	}
	golden := goldenTune(judgments, ix)
	if *update {
		writeDocTables(t, tables)
		if err := os.WriteFile("testdata/relevance.golden", []byte(golden), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile("testdata/relevance.golden"); err != nil || string(want) != golden {
		t.Errorf("the tuning half's first results differ from testdata/relevance.golden: rerun with -update and read the diff\n%s", firstDiff(string(want), golden))
	}
	if testing.Verbose() {
		for _, j := range judgments {
			if j.Half != "tune" {
				continue
			}
			a := ours(ix)(j.Q)
			if n, _ := judge(j, a); n < 0.5 {
				t.Logf("weak: %-40q nDCG %.2f got %v want %v forbid %v", j.Q, n, head(a.slugs, 5), j.Expect, j.Forbid)
			}
		}
	}
}

// kindTable prints, per kind, this index's scores on each half beside bleve's defaults'.
func kindTable(judgments []judgment, ours, base map[string]*scores) string {
	var b strings.Builder
	b.WriteString("| kind | queries | tune: nDCG / MRR / zero | held: nDCG / MRR / zero | bleve defaults, held |\n|---|---|---|---|---|\n")
	var kinds []string
	count := map[string]int{}
	for _, j := range judgments {
		if count[j.Kind] == 0 {
			kinds = append(kinds, j.Kind)
		}
		count[j.Kind]++
	}
	line := func(name, key string, n int) {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", name, n, ours[key+"/tune"], ours[key+"/held"], base[key+"/held"])
	}
	for _, k := range kinds {
		line(k, k, count[k])
	}
	groups := map[string]int{}
	for _, j := range judgments {
		groups[j.group]++
	}
	line("**existing kinds**", "existing", groups["existing"])
	line("**new kinds**", "new", groups["new"])
	line("**all**", "all", len(judgments))
	return b.String()
}

// row is one index's scores.
type row struct {
	name   string
	scores map[string]*scores
}

// ablationTable prints each variant's scores per group and half.
func ablationTable(rows []row) string {
	keys := []string{"existing/tune", "existing/held", "new/tune", "new/held"}
	var b strings.Builder
	b.WriteString("| index | existing, tune | existing, held | new, tune | new, held |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s |", r.name)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s |", r.scores[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// goldenTune prints, for every query of the tuning half, what it became and its first five
// results: a change that reshuffles one query shows in the diff even when averages hold.
func goldenTune(judgments []judgment, ix *Index) string {
	var b strings.Builder
	for _, j := range judgments {
		if j.Half != "tune" {
			continue
		}
		res, err := ix.Search(context.Background(), Request{Query: j.Q, PerPage: 5})
		if err != nil {
			fmt.Fprintf(&b, "%s\n  error: %v\n", j.Q, err)
			continue
		}
		fmt.Fprintf(&b, "%q (%s)\n  query: %s\n  total: %d\n", j.Q, j.Kind, ix.parse(j.Q), res.Total)
		for i, s := range slugs(res) {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
		}
	}
	return b.String()
}

// firstDiff shows the first line where two texts differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: golden %q, now %q", i+1, x, y)
		}
	}
	return ""
}

var docTables = regexp.MustCompile(`(?s)<!-- relevance tables: .*? -->\n.*?<!-- end of relevance tables -->`)

// writeDocTables replaces the relevance tables of docs/search.md.
func writeDocTables(t *testing.T, tables string) {
	t.Helper()
	const path = "../docs/search.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block := "<!-- relevance tables: written by go test ./index -run TestRelevance -update -->\n" + tables + "<!-- end of relevance tables -->"
	if !docTables.Match(doc) {
		t.Fatalf("%s has no relevance tables block to rewrite", path)
	}
	if err := os.WriteFile(path, docTables.ReplaceAll(doc, []byte(block)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// bleveDefaults indexes the catalogue with bleve's default mapping and searches it with a
// match query: the baseline that the French chain is measured against.
func bleveDefaults(t *testing.T, c *catalog.Catalog) func(string) answer {
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
	return func(q string) answer {
		res, err := idx.Search(bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q), 10, 0, false))
		if err != nil {
			t.Fatalf("bleve defaults, %q: %v", q, err)
		}
		out := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			out[i] = h.ID
		}
		return answer{out, int(res.Total)}
	}
}
