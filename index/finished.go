package index

import (
	"context"
	"encoding/json"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// finishedQuery is a clause whose searcher, once it has said it has no more matches, says so
// again at once. bleve's disjunctions do not remember that a clause is finished: they advance
// it again to every later candidate, and a finished conjunction (a title that holds every
// word, say) then advances its own clauses, whose term readers, already past the candidate,
// start over from the first document each time. On a catalogue of 30 000 entries this cost
// three searches' worth per search. A clause may be wrapped only where its parent never moves
// it backwards: the should clauses of a boolean query, which follow the must clauses forward.
type finishedQuery struct {
	query.Query
}

// Searcher wraps the clause's searcher.
func (q finishedQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := q.Query.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return &finishedSearcher{Searcher: s}, nil
}

// MarshalJSON dumps the clause as it is: the wrapper changes no match and no score.
func (q finishedQuery) MarshalJSON() ([]byte, error) { return json.Marshal(q.Query) }

// finishedSearcher remembers that its searcher has no more matches.
type finishedSearcher struct {
	search.Searcher
	finished bool
}

func (s *finishedSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.finished {
		return nil, nil
	}
	dm, err := s.Searcher.Next(ctx)
	s.finished = dm == nil && err == nil
	return dm, err
}

func (s *finishedSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.finished {
		return nil, nil
	}
	dm, err := s.Searcher.Advance(ctx, id)
	s.finished = dm == nil && err == nil
	return dm, err
}
