package server

import (
	"time"
	"unicode/utf8"

	"apisearch/index"

	"github.com/gin-gonic/gin"
)

// autocomplete answers GET /autocomplete: suggestions for what is typed in the search box.
func (s *Server) autocomplete(c *gin.Context) {
	v, err := params(c, []string{"q", "limit"}, "q", "limit")
	if err != nil {
		abort(c, s.log, err)
		return
	}
	q := v.Get("q")
	if n := utf8.RuneCountInString(q); n > index.MaxSuggestQueryLength {
		abort(c, s.log, errorf(CodeInvalidParameter, "parameter q is %d characters long, the maximum is %d", n, index.MaxSuggestQueryLength))
		return
	}
	limit, err := positive(v, "limit", index.DefaultSuggestions, index.MaxSuggestions)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	start := time.Now()
	suggestions := ix.Suggest(q, limit)
	s.stats.Autocomplete(time.Since(start))
	s.writeAnswer(c, gin.H{"query": q, "suggestions": suggestions}, func(_ *gin.Context, took time.Duration) { s.stats.Autocomplete(took) })
}
