package index

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
)

// BenchmarkBuild indexes the whole snapshot.
func BenchmarkBuild(b *testing.B) {
	c := snapshot(b).catalog
	for b.Loop() {
		ix, err := Build(context.Background(), c, Config{})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func benchmarkSearch(b *testing.B, req Request) {
	ix := snapshot(b)
	for b.Loop() {
		// A repeated query would find its typo lookups remembered: each search here looks its
		// words up afresh, as a new query does.
		ix.vocab.nearby.Purge()
		if _, err := ix.Search(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchTypoAgain repeats a misspelt query, its typo lookups remembered: what the
// search box sends while a person goes on typing after a misspelt word.
func BenchmarkSearchTypoAgain(b *testing.B) {
	ix := snapshot(b)
	for b.Loop() {
		if _, err := ix.Search(context.Background(), Request{Query: "legifranse"}); err != nil {
			b.Fatal(err)
		}
	}
}

// The search box's queries, with facets and highlights, over the snapshot.
func BenchmarkSearchOneWord(b *testing.B) { benchmarkSearch(b, Request{Query: "entreprise"}) }
func BenchmarkSearchThreeWords(b *testing.B) {
	benchmarkSearch(b, Request{Query: "annuaire éducation nationale"})
}
func BenchmarkSearchTypo(b *testing.B) { benchmarkSearch(b, Request{Query: "legifranse"}) }

// A question as typed in a public search box: twelve words, filler, a verb where the catalogue
// has a noun, a word it does not hold.
func BenchmarkSearchQuestion(b *testing.B) {
	benchmarkSearch(b, Request{Query: "comment puis-je localiser le défibrillateur le plus proche de mon quartier aujourd'hui"})
}

// A query that finds nothing with both its words and is searched again with one enough.
func BenchmarkSearchPartial(b *testing.B) { benchmarkSearch(b, Request{Query: "valeurs foncières "}) }

// An exclusion.
func BenchmarkSearchExclusion(b *testing.B) { benchmarkSearch(b, Request{Query: "legifrance -dila"}) }
func BenchmarkSearchFiltered(b *testing.B) {
	benchmarkSearch(b, Request{Query: "données", Themes: []string{"Entreprise"}, Accesses: []string{"open", "account"}})
}
func BenchmarkSearchBrowse(b *testing.B) { benchmarkSearch(b, Request{}) }

func benchmarkSuggest(b *testing.B, q string) {
	ix := snapshot(b)
	for b.Loop() {
		ix.Suggest(q, DefaultSuggestions)
	}
}

// Suggestions for what the search box sends while typing, over the snapshot.
func BenchmarkSuggestShort(b *testing.B)     { benchmarkSuggest(b, "bibli") }
func BenchmarkSuggestTwoWords(b *testing.B)  { benchmarkSuggest(b, "conventions co") }
func BenchmarkSuggestTypo(b *testing.B)      { benchmarkSuggest(b, "entrpr") }
func BenchmarkSuggestOneLetter(b *testing.B) { benchmarkSuggest(b, "a") }

// BenchmarkSearchDistinct runs searches that are all different, as the load tool's
// search-distinct phase sends them: two words of the catalogue's keywords and titles, the
// last one still being typed (a prefix), with facets, highlights and a page of 20. Words come
// back, as they do in a search box: their typo lookups may be remembered.
func BenchmarkSearchDistinct(b *testing.B) {
	ix := snapshot(b)
	var words []string
	for _, e := range ix.catalog.Entries {
		words = append(words, e.Keywords...)
		words = append(words, strings.Fields(strings.TrimPrefix(e.Title, "API "))...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		q := words[rng.IntN(len(words))] + " " + words[rng.IntN(len(words))]
		if _, err := ix.Search(context.Background(), Request{Query: q, PerPage: 20}); err != nil {
			b.Fatal(err)
		}
	}
}
