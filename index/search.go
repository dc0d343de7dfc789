package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Sort orders of search results.
const (
	SortRelevance  = "relevance"
	SortTitle      = "title"
	SortPopularity = "popularity"
)

// hitsPerWork is how many highlighted hits cost as much as an ordinary search.
const hitsPerWork = 50

// Limits of a search request.
const (
	MaxQueryLength = 200 // characters of q
	MaxPerPage     = 100
	DefaultPerPage = 20
	maxFacetValues = 100
)

// Request is a search: a text, filters and a page. Values of one filter are OR-ed, filters are
// AND-ed.
type Request struct {
	Query     string
	Producers []string // producer slugs
	Themes    []string // themes, in any case and with or without accents
	Accesses  []string // open, account, restricted
	Page      int      // from 1
	PerPage   int
	Sort      string
}

// Result is the answer to a search.
type Result struct {
	Query      string  `json:"query"`
	Total      int     `json:"total"`
	Page       int     `json:"page"`
	PerPage    int     `json:"per_page"`
	TookMS     float64 `json:"took_ms"`
	Hits       []Hit   `json:"hits"`
	Facets     Facets  `json:"facets"`
	DidYouMean string  `json:"did_you_mean,omitempty"`
	// Partial is true when the results do not hold every word of the query: no entry holds
	// enough of them, or some match nothing in the catalogue.
	Partial bool `json:"partial"`
	// UnknownWords are the query's words that nothing in the catalogue holds, nor any of
	// their synonyms, related words or spellings a typo away.
	UnknownWords []string `json:"unknown_words"`
	// Generation is the index generation that answered: it grows with every change.
	Generation uint64 `json:"generation"`
	// Work is what the search cost, in ordinary searches (at least one): the rate limit
	// charges it.
	Work int `json:"-"`
	// relaxable says that the query required more than one word: fewer may find something.
	relaxable bool
}

// Hit is one entry found, with its matched words highlighted.
type Hit struct {
	Slug       string         `json:"slug"`
	Title      string         `json:"title"`
	Tagline    string         `json:"tagline"`
	Producer   ProducerRef    `json:"producer"`
	Themes     []string       `json:"themes"`
	Access     catalog.Access `json:"access"`
	Score      float64        `json:"score"`
	Highlights Highlights     `json:"highlights"`
}

// ProducerRef is the producer of a hit.
type ProducerRef struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Acronym string `json:"acronym"`
}

// Highlights are HTML: matched words in <mark>, everything else escaped.
type Highlights struct {
	Title   string `json:"title"`
	Tagline string `json:"tagline"`
	Body    string `json:"body"` // a short snippet around the best match
}

// Facets count the results by producer, theme and access type.
type Facets struct {
	Producer []FacetValue `json:"producer"`
	Theme    []FacetValue `json:"theme"`
	Access   []FacetValue `json:"access"`
}

// FacetValue is one value of a facet: Value is what its filter parameter takes.
type FacetValue struct {
	Value    string `json:"value"`
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected"`
}

// Search runs a search. Its request must be valid (see the server's validation); an invalid
// sort falls back to relevance.
func (ix *Index) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if req.PerPage <= 0 {
		req.PerPage = DefaultPerPage
	}
	if req.Page <= 0 {
		req.Page = 1
	}
	req = ix.canonicalFilters(req)
	if strings.TrimSpace(req.Query) == "" {
		return ix.browse(req, start), nil
	}
	p := ix.parse(req.Query)
	res, err := ix.search(ctx, req, p)
	if err != nil {
		return nil, err
	}
	if ix.relaxes(p, res.Total, res.relaxable) {
		// Never nothing when some words match: search again with any one of them enough
		// (not when none matches anything: it would find nothing again).
		p.relaxed = true
		work := res.Work
		if res, err = ix.search(ctx, req, p); err != nil {
			return nil, err
		}
		res.Work += work
		res.Partial = res.Total > 0
	}
	// Without results, every word is unknown, unless a phrase or a filter is what failed.
	filtered := len(req.Producers)+len(req.Themes)+len(req.Accesses) > 0
	unknown := ix.unknownWords(p, res.Total > 0 || len(p.phrases) > 0 || filtered)
	res.UnknownWords = distinct(unknown, len(unknown)) // each named once, as typed twice or not
	if res.Total > 0 && len(res.UnknownWords) > 0 {
		res.Partial = true // the results cannot hold the words nothing matches
	}
	if res.Total == 0 {
		// A correction is proposed only when it finds something; checking costs one count,
		// without typos, facets or highlights.
		if alt := ix.correct(p); alt != "" {
			n, work, err := ix.count(ctx, req, ix.parseWith(alt, false))
			if err == nil && n > 0 {
				res.DidYouMean = alt
			}
			res.Work += work
		}
	}
	res.TookMS = float64(time.Since(start).Microseconds()) / 1000
	res.Generation = ix.generation
	return res, nil
}

// canonicalFilters maps the request's filters to the index's spelling: a theme by its key, a
// producer by its slug or acronym in any case; a value given twice counts once.
func (ix *Index) canonicalFilters(req Request) Request {
	req.Themes = canonical(req.Themes, func(t string) (string, bool) {
		label, ok := ix.themes[catalog.ThemeKey(t)]
		return label, ok
	})
	req.Producers = canonical(req.Producers, func(p string) (string, bool) {
		slug, ok := ix.producers[catalog.Fold(p)]
		return slug, ok
	})
	req.Accesses = canonical(req.Accesses, func(a string) (string, bool) { return a, true })
	return req
}

// count returns how many entries a parsed query finds with the request's filters, and the
// work it took.
func (ix *Index) count(ctx context.Context, req Request, p parsed) (int, int, error) {
	q := combine(ix.textQuery(p), ix.filters(req))
	sr := bleve.NewSearchRequestOptions(q, 0, 0, false)
	sr.Score = "none"
	r, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return 0, 0, fmt.Errorf("count %q: %w", req.Query, err)
	}
	return int(r.Total), work(p, q), nil
}

// search runs a text query with its facets and highlights. The filters are not part of the
// bleve query: the facets count the matches of the text alone, each without its own filter,
// and the filters choose the results among them, all in one pass.
func (ix *Index) search(ctx context.Context, req Request, p parsed) (*Result, error) {
	res := &Result{Query: req.Query, Page: req.Page, PerPage: req.PerPage, Hits: []Hit{}}
	text := ix.textQuery(p)
	q := combine(text, nil)
	res.Work = work(p, q)
	res.relaxable = text.relaxable
	fc := ix.facets.count(req)
	found, err := ix.collect(ctx, q, req, fc)
	if err != nil {
		return nil, err
	}
	res.Total = found.total
	res.Facets = fc.facets(req, ix.producerName)

	// Highlighting a page of hits is work too: a full page of a hundred costs two searches.
	res.Work += len(found.hits) / hitsPerWork
	for _, m := range found.hits {
		e := ix.catalog.Entries[m.entry]
		loc := m.dm.FieldTermLocations
		res.Hits = append(res.Hits, Hit{
			Slug:     e.Slug,
			Title:    e.Title,
			Tagline:  e.Tagline,
			Producer: ProducerRef{Slug: e.Producer.Slug, Name: e.Producer.Name, Acronym: e.Producer.Acronym},
			Themes:   e.Themes,
			Access:   e.Access,
			Score:    m.score,
			Highlights: Highlights{
				Title:   highlight(e.Title, spans(loc, fieldTitle, e.Title)),
				Tagline: highlight(e.Tagline, spans(loc, fieldTagline, e.Tagline)),
				Body:    snippet(e.Text, spans(loc, fieldBody, e.Text)),
			},
		})
	}
	return res, nil
}

// canonical maps filter values to the index's spelling (values it does not know stay as given,
// and match nothing), dropping repeats.
func canonical(values []string, lookup func(string) (string, bool)) []string {
	if len(values) == 0 {
		return nil
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		if c, ok := lookup(v); ok {
			v = c
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// combine ANDs the text query with the filters (nil ones left out). The filters join
// the text's must clauses in one boolean query, which bleve only ever moves forward with Next:
// advanced inside a conjunction, bleve's boolean searcher can skip a should clause's match,
// so that a hit's score would depend on the order of documents in the index.
func combine(text textClauses, filters []query.Query) query.Query {
	if len(text.must) == 0 {
		return query.NewMatchNoneQuery()
	}
	must := slices.Clone(text.must)
	for _, f := range filters {
		if f != nil {
			must = append(must, f)
		}
	}
	should := make([]query.Query, len(text.should))
	for i, q := range text.should {
		should[i] = finishedQuery{q}
	}
	return query.NewBooleanQuery(must, should, text.mustNot)
}

// filterQuery matches any of the values of a keyword field; nil when there is none.
func filterQuery(field string, values []string) query.Query {
	if len(values) == 0 {
		return nil
	}
	qs := make([]query.Query, len(values))
	for i, v := range values {
		t := query.NewTermQuery(v)
		t.SetField(field)
		// A filter chooses documents and adds nothing to a score (nor to the query's
		// normalisation), as Search's one pass applies filters: explained scores are the
		// scores of the results.
		t.SetBoost(0)
		qs[i] = t
	}
	return query.NewDisjunctionQuery(qs)
}

// sortOrder is bleve's sort for a request's sort: relevance breaks ties by visits then title
// through one short key (see document).
func sortOrder(s string) []string {
	switch s {
	case SortTitle:
		return []string{fieldTitleSort, "-_score", sortRank}
	case SortPopularity:
		return []string{sortPopular, "-_score", sortRank}
	}
	return []string{"-_score", sortRank}
}

func (ix *Index) producerName(slug string) string {
	if p := ix.catalog.Producers[slug]; p != nil {
		return p.Name
	}
	return slug
}
