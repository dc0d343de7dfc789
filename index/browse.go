package index

import (
	"sort"
	"time"

	"apisearch/catalog"
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
	res := &Result{Query: req.Query, Page: req.Page, PerPage: req.PerPage, Hits: []Hit{}, UnknownWords: []string{}, Generation: ix.generation, Work: 1}
	fc := ix.facets.count(req)
	order := ix.order.byPopularity
	if req.Sort == SortTitle {
		order = ix.order.byTitle
	}
	from, to := (req.Page-1)*req.PerPage, req.Page*req.PerPage
	for _, i := range order {
		if !fc.add(i) {
			continue
		}
		if res.Total >= from && res.Total < to {
			e := ix.catalog.Entries[i]
			res.Hits = append(res.Hits, Hit{
				Slug: e.Slug, Title: e.Title, Tagline: e.Tagline,
				Producer: ProducerRef{Slug: e.Producer.Slug, Name: e.Producer.Name, Acronym: e.Producer.Acronym},
				Themes:   e.Themes, Access: e.Access, Score: 1,
				Highlights: Highlights{Title: highlight(e.Title, nil), Tagline: highlight(e.Tagline, nil), Body: snippet(e.Text, nil)},
			})
		}
		res.Total++
	}
	res.Facets = fc.facets(req, ix.producerName)
	res.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return res
}
