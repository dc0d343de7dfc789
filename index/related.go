package index

import (
	"context"
	"fmt"
	"strings"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxRelatedTerms bounds the words of an entry that Related looks for: a title and a dozen
// keywords hold fewer.
const maxRelatedTerms = 32

// Related returns at most n entries of other producers that the search engine finds closest to
// the entry with that slug: those whose texts hold the words of its title and keywords, scored
// as a search scores them (a word in a title counts most; a word most entries hold, such as
// "api", not at all), ties broken by popularity then title. The entry's own producer's APIs are
// left out: its page lists them apart. Nil for an unknown slug.
func (ix *Index) Related(ctx context.Context, slug string, n int) ([]*catalog.Entry, error) {
	e := ix.catalog.Entry(slug)
	if e == nil {
		return nil, nil
	}
	seen := make(map[string]bool)
	var should []query.Query
	for _, t := range ix.analyze(e.Title + " ; " + strings.Join(e.Keywords, " ; ")) {
		if seen[t] || ix.terms.common[t] || len(seen) == maxRelatedTerms {
			continue
		}
		seen[t] = true
		for _, f := range textFields {
			tq := query.NewTermQuery(t)
			tq.SetField(f.name)
			tq.SetBoost(f.boost)
			should = append(should, tq)
		}
	}
	related := []*catalog.Entry{}
	if len(should) == 0 || n <= 0 {
		return related, nil
	}
	q := query.NewBooleanQuery(nil, should, []query.Query{
		query.NewDocIDQuery([]string{slug}),
		filterQuery(facetProducer, []string{e.Producer.Slug}),
	})
	sr := bleve.NewSearchRequestOptions(q, n, 0, false)
	sr.SortBy(sortOrder(SortRelevance))
	r, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("entries related to %s: %w", slug, err)
	}
	for _, h := range r.Hits {
		if other := ix.catalog.Entry(h.ID); other != nil {
			related = append(related, other)
		}
	}
	return related, nil
}
