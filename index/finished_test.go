package index

import (
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// countingSearcher has one match, then none, and counts how often it is asked.
type countingSearcher struct {
	search.Searcher
	calls int
	given bool
}

func (s *countingSearcher) next() *search.DocumentMatch {
	s.calls++
	if s.given {
		return nil
	}
	s.given = true
	return &search.DocumentMatch{}
}

func (s *countingSearcher) Next(*search.SearchContext) (*search.DocumentMatch, error) {
	return s.next(), nil
}

func (s *countingSearcher) Advance(*search.SearchContext, index.IndexInternalID) (*search.DocumentMatch, error) {
	return s.next(), nil
}

// TestFinishedSearcherIsNotAskedAgain checks that a clause that said it has no more matches is
// not asked again, however often its parent advances it: that is what spared bleve's term
// readers from starting over.
func TestFinishedSearcherIsNotAskedAgain(t *testing.T) {
	inner := &countingSearcher{}
	s := &finishedSearcher{Searcher: inner}
	if dm, _ := s.Next(nil); dm == nil {
		t.Fatal("the first match was lost")
	}
	for range 10 {
		if dm, _ := s.Advance(nil, nil); dm != nil {
			t.Fatal("a match after the end")
		}
		if dm, _ := s.Next(nil); dm != nil {
			t.Fatal("a match after the end")
		}
	}
	if inner.calls != 2 {
		t.Errorf("the clause was asked %d times, want 2 (its match, then its end)", inner.calls)
	}
}
