package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// hostileKinds are the most expensive requests a client can construct, by kind: each generates
// requests from a random source, within the limits the server enforces (200 characters of q,
// 50 values per filter, pages up to 1000, 100 per page).
var hostileKinds = []struct {
	name string
	gen  func(r *rand.Rand, ix *Index) Request
}{
	{"forty-short-words", func(r *rand.Rand, _ *Index) Request {
		words := make([]string, 40)
		for i := range words {
			words[i] = letters(r, 3+r.IntN(2))
		}
		return Request{Query: clip(strings.Join(words, " "))}
	}},
	{"long-random-words", func(r *rand.Rand, _ *Index) Request {
		words := make([]string, 6)
		for i := range words {
			words[i] = letters(r, 25+r.IntN(8))
		}
		return Request{Query: clip(strings.Join(words, " "))}
	}},
	{"zero-result-words", func(r *rand.Rand, _ *Index) Request {
		words := make([]string, 1+r.IntN(3))
		for i := range words {
			words[i] = letters(r, 6+r.IntN(6))
		}
		return Request{Query: strings.Join(words, " ")}
	}},
	{"near-miss-words", func(r *rand.Rand, ix *Index) Request {
		// Catalogue words with two letters changed: every word has typo candidates.
		var words []string
		for len(words) < 20 {
			e := ix.catalog.Entries[r.IntN(len(ix.catalog.Entries))]
			for _, w := range splitWords(e.Text) {
				if len(w) >= 8 && len(words) < 20 && r.IntN(8) == 0 {
					b := []byte(w)
					b[1+r.IntN(len(b)-1)] = 'x'
					words = append(words, string(b))
				}
			}
		}
		return Request{Query: clip(strings.Join(words, " "))}
	}},
	{"prefixes", func(r *rand.Rand, _ *Index) Request {
		words := make([]string, 60)
		for i := range words {
			words[i] = letters(r, 1+r.IntN(2))
		}
		return Request{Query: clip(strings.Join(words, " "))}
	}},
	{"phrases", func(r *rand.Rand, ix *Index) Request {
		var b strings.Builder
		for b.Len() < 190 {
			e := ix.catalog.Entries[r.IntN(len(ix.catalog.Entries))]
			ws := splitWords(e.Title)
			fmt.Fprintf(&b, "%q ", strings.Join(ws[:min(len(ws), 3)], " "))
		}
		return Request{Query: clip(b.String())}
	}},
	{"exclusions", func(r *rand.Rand, ix *Index) Request {
		// Catalogue words excluded, the commonest among them: each excludes many entries.
		var b strings.Builder
		for b.Len() < 190 {
			e := ix.catalog.Entries[r.IntN(len(ix.catalog.Entries))]
			ws := splitWords(e.Title)
			fmt.Fprintf(&b, "-%s ", ws[r.IntN(len(ws))])
		}
		return Request{Query: clip(b.String())}
	}},
	{"one-exclusion-repeated", func(r *rand.Rand, _ *Index) Request {
		return Request{Query: clip(strings.Repeat([]string{"-api ", "-\"api\" ", "\"api\" "}[r.IntN(3)], 40))}
	}},
	{"every-filter-repeated", func(r *rand.Rand, ix *Index) Request {
		req := Request{Query: letters(r, 2), Page: 1 + r.IntN(1000), PerPage: 100, Sort: SortPopularity}
		for i := range 50 {
			req.Producers = append(req.Producers, ix.catalog.Entries[(i*7)%len(ix.catalog.Entries)].Producer.Slug, letters(r, 10))
			req.Themes = append(req.Themes, letters(r, 8))
			req.Accesses = append(req.Accesses, []string{"open", "account", "restricted"}[i%3])
		}
		req.Producers, req.Themes = req.Producers[:50], req.Themes[:50]
		return req
	}},
	{"common-words-all-pages", func(r *rand.Rand, _ *Index) Request {
		return Request{Query: "api donnees service public " + letters(r, 1), PerPage: 100, Page: 1 + r.IntN(2)}
	}},
	{"unicode-noise", func(r *rand.Rand, _ *Index) Request {
		runes := []rune("éèàçœæÆŒ’'ﬁ\u0301\u200b日本語🙂ǅΣσς-_/\\\"")
		var b []rune
		for len(b) < 200 {
			b = append(b, runes[r.IntN(len(runes))])
			if r.IntN(5) == 0 {
				b = append(b, ' ')
			}
		}
		return Request{Query: string(b[:200])}
	}},
}

func letters(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

// clip keeps at most MaxQueryLength characters, as the server does.
func clip(q string) string {
	if r := []rune(q); len(r) > MaxQueryLength {
		return string(r[:MaxQueryLength])
	}
	return q
}

// hostileRequests returns n requests of a kind, the same for every run.
func hostileRequests(ix *Index, gen func(*rand.Rand, *Index) Request, n int) []Request {
	r := rand.New(rand.NewPCG(42, 1))
	out := make([]Request, n)
	for i := range out {
		out[i] = gen(r, ix)
	}
	return out
}

// BenchmarkHostile runs each kind of hostile request on the snapshot:
//
//	go test ./index -run '^$' -bench Hostile -count 5
func BenchmarkHostile(b *testing.B) {
	ix := snapshot(b)
	for _, k := range hostileKinds {
		b.Run(k.name, func(b *testing.B) {
			reqs := hostileRequests(ix, k.gen, 50)
			i := 0
			for b.Loop() {
				if _, err := ix.Search(context.Background(), reqs[i%len(reqs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// TestHostileRequestsAreBounded runs every hostile request once and reports the slowest of each
// kind (timings are for reading, not for passing); it fails only on an error, so that the
// corpus stays valid as the engine changes.
func TestHostileRequestsAreBounded(t *testing.T) {
	ix := snapshot(t)
	for _, k := range hostileKinds {
		var took []time.Duration
		work := 0
		for _, req := range hostileRequests(ix, k.gen, 20) {
			start := time.Now()
			res, err := ix.Search(context.Background(), req)
			if err != nil {
				t.Fatalf("%s: %q: %v", k.name, req.Query, err)
			}
			took = append(took, time.Since(start))
			work = max(work, res.Work)
		}
		slices.Sort(took)
		t.Logf("%-24s median %v, slowest %v, work up to %d", k.name, took[len(took)/2], took[len(took)-1], work)
	}
}

// TestWorkOfASearch checks what the rate limit charges: an ordinary search costs one, and a
// search that looks words up in the vocabulary or builds many clauses costs more.
func TestWorkOfASearch(t *testing.T) {
	ix := snapshot(t)
	for _, tt := range []struct {
		q        string
		min, max int
	}{
		{"", 1, 1},
		{"adresse", 1, 1},
		{"entreprise ", 1, 1},
		{"annuaire éducation nationale", 1, 2},
		{"legifranse", 2, 3},
		{"entreprisx etablisement associaton legifranse", 5, 12},
		{"qsdfghjklm azertyuiop wxcvbnqsdf poiuytreza mlkjhgfdsq", 5, 12},
		{strings.Repeat("-api ", 40), 1, 2},
		{`adresse "base adresse" "code postal" -cadastre -ign`, 3, 4},
	} {
		res, err := ix.Search(context.Background(), Request{Query: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Work < tt.min || res.Work > tt.max {
			t.Errorf("%q costs %d, want between %d and %d", tt.q, res.Work, tt.min, tt.max)
		}
	}
}

// TestRepeatedAndExcessPhrasesAndExclusions checks that a phrase or an exclusion said again
// is searched once, and that past maxPhrases and maxExclusions the others are left out.
func TestRepeatedAndExcessPhrasesAndExclusions(t *testing.T) {
	ix := snapshot(t)
	search := func(q string) *Result {
		t.Helper()
		res, err := ix.Search(context.Background(), Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, tt := range []struct{ repeated, once string }{
		{strings.Repeat("-api ", 40), "-api"},
		{strings.Repeat(`"base adresse" `, 30), `"base adresse"`},
		{`entreprise -Légifrance -legifrance -LEGIFRANCE -"  légifrance "`, "entreprise -legifrance"},
	} {
		got, want := search(tt.repeated), search(tt.once)
		if got.Total != want.Total || got.Work != want.Work {
			t.Errorf("%.40q: %d results for %d work, want %d for %d as %q", tt.repeated, got.Total, got.Work, want.Total, want.Work, tt.once)
		}
	}
	p := ix.parse(`"a b" "c d" "e f" "g h" "i j" -k -l -m -n -o -p`)
	if len(p.phrases) != maxPhrases || len(p.tree.Excluded) != maxExclusions || p.tree.Excluded[0] != "k" {
		t.Errorf("kept phrases %q and exclusions %q, want the first %d and %d", p.phrases, p.tree.Excluded, maxPhrases, maxExclusions)
	}
}

// TestEstimate checks the guess made before a search: the search box's short queries are
// estimated at two searches at most, what costs several is seen as costly before it runs.
func TestEstimate(t *testing.T) {
	ix := snapshot(t)
	ordinary := []Request{
		{Query: "adresse"}, {Query: "entrep"}, {Query: "annuaire éducation nationale"},
		{Query: "api entreprise", Accesses: []string{"open"}}, {Query: "carte grise ", Themes: []string{"Transport"}},
		{Query: "legifranse"}, {Query: "défibrillateur"}, {Query: "aserirnbgj"},
	}
	for _, req := range ordinary {
		if n := ix.Estimate(req); n > 2 {
			t.Errorf("%q is estimated at %d searches, want 2 at most", req.Query, n)
		}
	}
	costly := []Request{
		{Query: "legifranse entreprisx"}, {Query: "adresse", PerPage: 100}, {Query: "adresse", PerPage: 60, Themes: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}},
		{Query: "a b c d e f g h i j k l m n o p q r s t u v w x y z"},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, kind := range hostileKinds {
		switch kind.name {
		case "forty-short-words", "near-miss-words", "every-filter-repeated", "common-words-all-pages":
			costly = append(costly, kind.gen(r, ix))
		}
	}
	for _, req := range costly {
		if n := ix.Estimate(req); n < 3 {
			t.Errorf("%.60q (per page %d, %d filters) is estimated at %d searches, want 3 or more", req.Query, req.PerPage,
				len(req.Producers)+len(req.Themes)+len(req.Accesses), n)
		}
	}
}
