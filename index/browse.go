package index

import (
	"sort"
	"time"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2/search"
)

// browseOrder is the order of the catalogue when nothing is typed, precomputed per generation:
// every entry scores the same, so relevance is popularity, then title.
type browseOrder struct {
	byPopularity []int // entry indices: most visited first, then by title
	byTitle      []int
}

func newBrowseOrder(c *catalog.Catalog) browseOrder {
	keys := make([]string, len(c.Entries))
	for i, e := range c.Entries {
		keys[i] = catalog.Fold(e.Title)
	}
	var o browseOrder
	o.byPopularity = make([]int, len(c.Entries))
	o.byTitle = make([]int, len(c.Entries))
	for i := range c.Entries {
		o.byPopularity[i], o.byTitle[i] = i, i
	}
	sort.SliceStable(o.byPopularity, func(a, b int) bool {
		x, y := c.Entries[o.byPopularity[a]], c.Entries[o.byPopularity[b]]
		if x.Visits != y.Visits {
			return x.Visits > y.Visits
		}
		return keys[o.byPopularity[a]] < keys[o.byPopularity[b]]
	})
	sort.SliceStable(o.byTitle, func(a, b int) bool { return keys[o.byTitle[a]] < keys[o.byTitle[b]] })
	return o
}

// browse answers a request with no text from the catalogue alone, without bleve: filters,
// disjunctive facet counts and the page come from one pass over the entries in their
// precomputed order.
func (ix *Index) browse(req Request, start time.Time) *Result {
	themes := req.Themes
	res := &Result{Query: req.Query, Page: req.Page, PerPage: req.PerPage, Hits: []Hit{}, UnknownWords: []string{}, Generation: ix.generation, Work: 1}
	producers, themeSet, accesses := set(req.Producers), set(themes), set(req.Accesses)
	counts := [3]map[string]int{{}, {}, {}} // producer, theme, access
	order := ix.order.byPopularity
	if req.Sort == SortTitle {
		order = ix.order.byTitle
	}
	from, to := (req.Page-1)*req.PerPage, req.Page*req.PerPage
	for _, i := range order {
		e := ix.catalog.Entries[i]
		okProducer := len(producers) == 0 || producers[e.Producer.Slug]
		okTheme := len(themeSet) == 0
		for _, t := range e.Themes {
			okTheme = okTheme || themeSet[t]
		}
		okAccess := len(accesses) == 0 || accesses[string(e.Access)]
		if okTheme && okAccess {
			counts[0][e.Producer.Slug]++
		}
		if okProducer && okAccess {
			for _, t := range e.Themes {
				counts[1][t]++
			}
		}
		if okProducer && okTheme {
			counts[2][string(e.Access)]++
		}
		if okProducer && okTheme && okAccess {
			if res.Total >= from && res.Total < to {
				res.Hits = append(res.Hits, Hit{
					Slug: e.Slug, Title: e.Title, Tagline: e.Tagline,
					Producer: ProducerRef{Slug: e.Producer.Slug, Name: e.Producer.Name, Acronym: e.Producer.Acronym},
					Themes:   e.Themes, Access: e.Access, Score: 1,
					Highlights: Highlights{Title: highlight(e.Title, nil), Tagline: highlight(e.Tagline, nil), Body: snippet(e.Text, nil)},
				})
			}
			res.Total++
		}
	}
	res.Facets.Producer = facetValues(termFacets(counts[0]), req.Producers, ix.producerName)
	res.Facets.Theme = facetValues(termFacets(counts[1]), themes, func(v string) string { return v })
	res.Facets.Access = facetValues(termFacets(counts[2]), req.Accesses, func(v string) string { return catalog.Access(v).Label() })
	res.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return res
}

func set(values []string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// termFacets keeps the maxFacetValues most frequent values, as bleve's facets do.
func termFacets(counts map[string]int) *search.TermFacets {
	tf := &search.TermFacets{}
	for v, n := range counts {
		tf.Add(&search.TermFacet{Term: v, Count: n})
	}
	sort.Sort(tf)
	if tf.Len() > maxFacetValues {
		tf.TrimToTopN(maxFacetValues)
	}
	return tf
}
