package index

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sort"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// A search reads each match once, in one pass of our own beside bleve's matching: bleve's
// collector would read five doc values of every match (three facets, two sort keys), which
// cost more than the matching itself. Here a match costs a lookup of its entry, a few
// increments for the facets, and a comparison with the worst hit of the page.

// rankTable orders the entries for each sort, precomputed: ordinals compare as the sort keys
// of the document would (see sortKeys), ties sharing an ordinal.
type rankTable struct {
	rank    []int32 // visits, then folded title, then slug: unique
	title   []int32 // folded title
	popular []int32 // visits
}

func newRankTable(c *catalog.Catalog) rankTable {
	n := len(c.Entries)
	rank, title, popular := make([]string, n), make([]string, n), make([]string, n)
	for i, e := range c.Entries {
		title[i], popular[i], rank[i] = sortKeys(e)
	}
	return rankTable{rank: ordinals(rank), title: ordinals(title), popular: ordinals(popular)}
}

// ordinals numbers keys in their byte order, equal keys alike.
func ordinals(keys []string) []int32 {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })
	out := make([]int32, len(keys))
	var o int32
	for i, e := range order {
		if i > 0 && keys[e] != keys[order[i-1]] {
			o++
		}
		out[e] = o
	}
	return out
}

// docTable maps bleve's internal document numbers of one index reader to entries. It is built
// once per reader: in memory the reader of a generation never changes; on disk, bleve's merges
// renumber documents now and then.
type docTable struct {
	reader index.IndexReader
	entry  []int32 // internal number → entry, -1 for none
}

// docs returns the table of reader, building it when reader is new.
func (ix *Index) docs(reader index.IndexReader) (*docTable, error) {
	if t := ix.docTable.Load(); t != nil && t.reader == reader {
		return t, nil
	}
	t := &docTable{reader: reader}
	ids, err := reader.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer ids.Close()
	for {
		id, err := ids.Next()
		if err != nil {
			return nil, err
		}
		if id == nil {
			break
		}
		slug, err := reader.ExternalID(id)
		if err != nil {
			return nil, err
		}
		n := id.Value()
		if n >= uint64(len(t.entry)) {
			grown := make([]int32, max(2*len(t.entry), int(n)+1, 64))
			copy(grown, t.entry)
			for i := len(t.entry); i < len(grown); i++ {
				grown[i] = -1
			}
			t.entry = grown
		}
		t.entry[n] = int32(ix.entryIndex(slug))
	}
	ix.docTable.Store(t)
	return t, nil
}

// mapDocuments builds the table of the index's current reader.
func (ix *Index) mapDocuments() error {
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return fmt.Errorf("map documents: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("map documents: %w", err)
	}
	defer r.Close()
	if _, err := ix.docs(r); err != nil {
		return fmt.Errorf("map documents: %w", err)
	}
	return nil
}

// entryIndex is the position of an entry in the catalogue, -1 when it is not there.
func (ix *Index) entryIndex(slug string) int {
	es := ix.catalog.Entries
	i := sort.Search(len(es), func(i int) bool { return es[i].Slug >= slug })
	if i < len(es) && es[i].Slug == slug {
		return i
	}
	return -1
}

// pageHit is a match kept for the page.
type pageHit struct {
	entry int32
	score float64
	dm    *search.DocumentMatch // with its term locations, for highlights
}

// topHits keeps the best k matches of a sort, the worst on top.
type topHits struct {
	k     int
	less  func(a, b pageHit) bool // a ranks before b
	items []pageHit
}

func (h *topHits) Len() int           { return len(h.items) }
func (h *topHits) Less(i, j int) bool { return h.less(h.items[j], h.items[i]) }
func (h *topHits) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *topHits) Push(x any)         { h.items = append(h.items, x.(pageHit)) }
func (h *topHits) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}

// offer keeps m if it ranks among the best k and returns the match that no longer does (m
// itself, or the one it pushed out), nil when none.
func (h *topHits) offer(m pageHit) *search.DocumentMatch {
	if len(h.items) < h.k {
		heap.Push(h, m)
		return nil
	}
	if !h.less(m, h.items[0]) {
		return m.dm
	}
	out := h.items[0].dm
	h.items[0] = m
	heap.Fix(h, 0)
	return out
}

// sorted returns the kept matches, best first.
func (h *topHits) sorted() []pageHit {
	out := slices.Clone(h.items)
	slices.SortFunc(out, func(a, b pageHit) int {
		if h.less(a, b) {
			return -1
		}
		return 1
	})
	return out
}

// ranking returns how a sort orders two matches: relevance by score, then visits, title and
// slug; title and popularity by their key, then as relevance.
func (r *rankTable) ranking(sortBy string) func(a, b pageHit) bool {
	byRelevance := func(a, b pageHit) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return r.rank[a.entry] < r.rank[b.entry]
	}
	var key []int32
	switch sortBy {
	case SortTitle:
		key = r.title
	case SortPopularity:
		key = r.popular
	default:
		return byRelevance
	}
	return func(a, b pageHit) bool {
		if c := cmp.Compare(key[a.entry], key[b.entry]); c != 0 {
			return c < 0
		}
		return byRelevance(a, b)
	}
}

// collected is what one pass over a text query's matches found.
type collected struct {
	total int       // matches that pass the filters
	hits  []pageHit // the page, best first
}

// collect runs a text query and reads its matches once: the facets of req counted in fc, and
// the hits of req's page, with their term locations.
func (ix *Index) collect(ctx context.Context, q query.Query, req Request, fc *facetCount) (*collected, error) {
	from := (req.Page - 1) * req.PerPage
	top := &topHits{k: from + req.PerPage, less: ix.ranks.ranking(req.Sort)}
	total := 0
	err := ix.eachMatch(ctx, q, top.k, func(pool *search.DocumentMatchPool, entry int32, dm *search.DocumentMatch) {
		if !fc.add(int(entry)) {
			pool.Put(dm)
			return
		}
		total++
		pool.Put(top.offer(pageHit{entry: entry, score: dm.Score, dm: dm}))
	})
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", req.Query, err)
	}
	hits := top.sorted()
	if from < len(hits) {
		hits = hits[from:]
	} else {
		hits = nil
	}
	return &collected{total: total, hits: hits}, nil
}

// eachMatch runs q through bleve and gives each match, with its term locations and the entry
// it is, to use, which owns it from then on (it may put it back in the pool); k is how many it
// keeps at most.
func (ix *Index) eachMatch(ctx context.Context, q query.Query, k int, use func(*search.DocumentMatchPool, int32, *search.DocumentMatch)) error {
	makeHandler := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		docs, err := ix.docs(sctx.IndexReader)
		if err != nil {
			return nil, false, err
		}
		return func(dm *search.DocumentMatch) error {
			if dm == nil {
				return nil // the end of the matches
			}
			if n := dm.IndexInternalID.Value(); n < uint64(len(docs.entry)) && docs.entry[n] >= 0 {
				use(sctx.DocumentMatchPool, docs.entry[n], dm)
			} else {
				sctx.DocumentMatchPool.Put(dm)
			}
			return nil
		}, false, nil
	}
	sr := bleve.NewSearchRequestOptions(q, k, 0, false)
	sr.IncludeLocations = true // for highlights
	ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(makeHandler))
	_, err := ix.bleve.SearchInContext(ctx, sr)
	return err
}
