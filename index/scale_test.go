package index

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"

	"apisearch/catalog"
	"apisearch/internal/catgen"
)

var (
	syntheticMu sync.Mutex
	synthetics  = map[int]*catalog.Catalog{}
)

// synthetic returns a generated catalogue of n entries, learnt from the snapshot when it is
// there, else from the default catalogue.
func synthetic(tb testing.TB, n int) *catalog.Catalog {
	tb.Helper()
	syntheticMu.Lock()
	defer syntheticMu.Unlock()
	if c := synthetics[n]; c != nil {
		return c
	}
	sample, err := catalog.Load(catalog.Default())
	if _, statErr := os.Stat(snapshotDir); statErr == nil {
		sample, err = loadDir(snapshotDir)
	}
	if err != nil {
		tb.Fatal(err)
	}
	c, err := catalog.Load(catgen.Generate(sample, n, 42))
	if err != nil {
		tb.Fatal(err)
	}
	synthetics[n] = c
	return c
}

var scales = []int{1_000, 10_000, 100_000}

// BenchmarkBuildScale indexes synthetic catalogues; heap-MB is the live heap once built.
func BenchmarkBuildScale(b *testing.B) {
	for _, n := range scales {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			c := synthetic(b, n)
			var ix *Index
			for b.Loop() {
				if ix != nil {
					ix.Close()
				}
				var err error
				if ix, err = Build(context.Background(), c, Config{}); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MB")
			ix.Close()
		})
	}
}

var (
	scaleIxMu sync.Mutex
	scaleIx   = map[int]*Index{}
)

func scaleIndex(b testing.TB, n int) *Index {
	scaleIxMu.Lock()
	defer scaleIxMu.Unlock()
	if ix := scaleIx[n]; ix != nil {
		return ix
	}
	ix, err := Build(context.Background(), synthetic(b, n), Config{})
	if err != nil {
		b.Fatal(err)
	}
	scaleIx[n] = ix
	return ix
}

// BenchmarkSearchScale runs each kind of a search box's requests (a prefix, two whole words, two
// words as the search page sends them, a filtered query, a typo, browsing) on synthetic catalogues, over 50 of their keywords.
func BenchmarkSearchScale(b *testing.B) {
	kinds := []struct {
		name string
		req  func(w, other string) Request
	}{
		{"prefix", func(w, _ string) Request { return Request{Query: w[:min(4, len(w))]} }},
		{"words", func(w, other string) Request { return Request{Query: w + " " + other + " "} }},
		// What the search page sends: the last word may still be being typed.
		{"page", func(w, other string) Request { return Request{Query: w + " " + other} }},
		{"filtered", func(w, _ string) Request { return Request{Query: w + " ", Accesses: []string{"open"}} }},
		{"typo", func(w, _ string) Request { return Request{Query: w + "x "} }},
		{"browse", func(_, _ string) Request { return Request{} }},
	}
	for _, n := range scales {
		for _, k := range kinds {
			b.Run(fmt.Sprintf("%dk/%s", n/1000, k.name), func(b *testing.B) {
				ix := scaleIndex(b, n)
				words := []string{}
				for _, e := range ix.catalog.Entries[:50] {
					words = append(words, e.Keywords[0])
				}
				i := 0
				for b.Loop() {
					req := k.req(words[i%len(words)], words[(i+7)%len(words)])
					if _, err := ix.Search(context.Background(), req); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkSuggestScale runs suggestion lookups on synthetic catalogues.
func BenchmarkSuggestScale(b *testing.B) {
	prefixes := []string{"a", "don", "entrep", "api ge", "servic", "reseau"}
	for _, n := range scales {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			ix := scaleIndex(b, n)
			i := 0
			for b.Loop() {
				ix.Suggest(prefixes[i%len(prefixes)], DefaultSuggestions)
				i++
			}
		})
	}
}
