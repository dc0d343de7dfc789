package server

import (
	"time"
	"unicode/utf8"

	"apisearch/index"

	"github.com/gin-gonic/gin"
)

// autocomplete answers GET /autocomplete: suggestions for what is typed in the search box.
func (s *Server) autocomplete(c *gin.Context, r publicRequest) {
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
	suggestions := r.ix.Suggest(q, limit)
	s.writeAnswer(c, r, gin.H{"query": q, "suggestions": suggestions}, func(_ *gin.Context, _ publicRequest, took time.Duration) { s.stats.Autocomplete(took) })
}
