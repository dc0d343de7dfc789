package index

import (
	"context"
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
		if _, err := ix.Search(context.Background(), req); err != nil {
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
