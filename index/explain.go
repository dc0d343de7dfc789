package index

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Explanation shows what a search did with a query: the parser's tree, each word as analysed
// and expanded, the bleve query, and for each hit of the first page its score's derivation.
type Explanation struct {
	Tree    string          `json:"tree"`
	Words   string          `json:"words"`
	Relaxed bool            `json:"relaxed"` // searched again with one word enough
	Query   json.RawMessage `json:"query"`
	Hits    []ExplainedHit  `json:"hits"`
}

// ExplainedHit is one hit with bleve's account of its score.
type ExplainedHit struct {
	Slug  string          `json:"slug"`
	Score float64         `json:"score"`
	Why   json.RawMessage `json:"why"`
}

// maxExplainedHits bounds the hits an explanation details: each account is large.
const maxExplainedHits = 10

// Explain searches as Search does and says why: for ops and for tuning, not for the public
// (an explanation costs several searches and weighs tens of kilobytes).
func (ix *Index) Explain(ctx context.Context, req Request) (*Explanation, error) {
	req = ix.canonicalFilters(req)
	p := ix.parse(req.Query)
	text := ix.textQuery(p)
	q := combine(text, ix.filters(req))
	sr := bleve.NewSearchRequestOptions(q, maxExplainedHits, 0, true)
	sr.SortBy(sortOrder(req.Sort))
	r, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("explain %q: %w", req.Query, err)
	}
	if ix.relaxes(p, int(r.Total), text.relaxable) {
		p.relaxed = true
		q = combine(ix.textQuery(p), ix.filters(req))
		sr.Query = q
		if r, err = ix.bleve.SearchInContext(ctx, sr); err != nil {
			return nil, fmt.Errorf("explain %q: %w", req.Query, err)
		}
	}
	dump, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("explain %q: %w", req.Query, err)
	}
	ex := &Explanation{Tree: p.tree.String(), Words: p.String(), Relaxed: p.relaxed, Query: dump, Hits: []ExplainedHit{}}
	for _, h := range r.Hits {
		why, err := json.Marshal(h.Expl)
		if err != nil {
			return nil, fmt.Errorf("explain %q: %w", req.Query, err)
		}
		ex.Hits = append(ex.Hits, ExplainedHit{Slug: h.ID, Score: h.Score, Why: why})
	}
	return ex, nil
}

// filters returns the request's filter queries, nil for a filter not set.
func (ix *Index) filters(req Request) []query.Query {
	return []query.Query{
		filterQuery(facetProducer, req.Producers), filterQuery(facetTheme, req.Themes), filterQuery(facetAccess, req.Accesses),
	}
}
