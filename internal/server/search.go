package server

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/stats"

	"github.com/gin-gonic/gin"
)

// Limits on search parameters, beyond those of the index.
const (
	maxPage        = 1000 // deeper pages cost more than anyone reads
	maxFilterValue = 50   // values of one filter parameter
)

// params parses the query string strictly: a parameter not in allowed, invalid
// percent-encoding or UTF-8 is an error, and so is a repeated single-valued parameter, whose
// meaning would be a guess. (Unknown parameters are refused rather than ignored: a typo in a
// parameter's name would otherwise be silently lost, and varying ones would defeat the answer
// cache.)
func params(c *gin.Context, allowed []string, single ...string) (url.Values, error) {
	v, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, errorf(CodeInvalidParameter, "the query string is not valid: %v", err)
	}
	var unknown []string
	for name := range v {
		if !slices.Contains(allowed, name) {
			unknown = append(unknown, strconv.Quote(truncate(strings.ToValidUTF8(name, "\ufffd"))))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		more := ""
		if len(unknown) > maxNamedParameters {
			more = fmt.Sprintf(" and %d more", len(unknown)-maxNamedParameters)
			unknown = unknown[:maxNamedParameters]
		}
		known := "no parameter"
		if len(allowed) > 0 {
			known = strings.Join(allowed, ", ")
		}
		return nil, errorf(CodeInvalidParameter, "unknown parameter %s%s: %s takes %s", strings.Join(unknown, ", "), more, c.Request.URL.Path, known)
	}
	for _, name := range single {
		if n := len(v[name]); n > 1 {
			return nil, errorf(CodeInvalidParameter, "parameter %s is given %d times, it takes one value", name, n)
		}
	}
	for name, values := range v {
		for _, s := range values {
			if !utf8.ValidString(s) {
				return nil, errorf(CodeInvalidParameter, "parameter %s is not valid UTF-8", name)
			}
		}
	}
	return v, nil
}

// maxNamedParameters bounds the unknown parameters an error message names.
const maxNamedParameters = 5

// positive parses an optional positive integer parameter, at most max.
func positive(v url.Values, name string, def, max int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errorf(CodeInvalidParameter, "parameter %s must be a positive integer, got %q", name, truncate(s))
	}
	if n > max {
		return 0, errorf(CodeInvalidParameter, "parameter %s must be at most %d, got %d", name, max, n)
	}
	return n, nil
}

// truncate shortens a client's value for an error message.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// searchRequest validates the parameters of GET /search.
func searchRequest(c *gin.Context) (index.Request, error) {
	var req index.Request
	v, err := params(c, []string{"q", "producer", "theme", "access", "page", "per_page", "sort", "typing"}, "q", "page", "per_page", "sort", "typing")
	if err != nil {
		return req, err
	}
	if t := v.Get("typing"); t != "" && t != "0" && t != "1" {
		return req, errorf(CodeInvalidParameter, "parameter typing must be 1 (sent as the person types) or 0, got %q", truncate(t))
	}
	req.Query = v.Get("q")
	if n := utf8.RuneCountInString(req.Query); n > index.MaxQueryLength {
		return req, errorf(CodeInvalidParameter, "parameter q is %d characters long, the maximum is %d", n, index.MaxQueryLength)
	}
	if req.Page, err = positive(v, "page", 1, maxPage); err != nil {
		return req, err
	}
	if req.PerPage, err = positive(v, "per_page", index.DefaultPerPage, index.MaxPerPage); err != nil {
		return req, err
	}
	switch req.Sort = v.Get("sort"); req.Sort {
	case "":
		req.Sort = index.SortRelevance
	case index.SortRelevance, index.SortTitle, index.SortPopularity:
	default:
		return req, errorf(CodeInvalidParameter, "parameter sort must be relevance, title or popularity, got %q", truncate(req.Sort))
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"producer", &req.Producers}, {"theme", &req.Themes}, {"access", &req.Accesses}} {
		values := v[f.name]
		if len(values) > maxFilterValue {
			return req, errorf(CodeInvalidParameter, "parameter %s is repeated %d times, the maximum is %d", f.name, len(values), maxFilterValue)
		}
		// An empty value is no filter, as an empty page or sort is the default: what a form's
		// "any" option sends.
		*f.dst = slices.DeleteFunc(slices.Clone(values), func(s string) bool { return strings.TrimSpace(s) == "" })
	}
	for _, a := range req.Accesses {
		if !catalog.Access(a).Valid() {
			return req, errorf(CodeInvalidParameter, "parameter access must be open, account or restricted, got %q", truncate(a))
		}
	}
	return req, nil
}

// search answers GET /search.
func (s *Server) search(c *gin.Context, r publicRequest) {
	req, err := searchRequest(c)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	if r.ix.Estimate(req) >= costlyWork {
		leave, err := s.costly.enter(c.Request.Context())
		if err != nil {
			c.Header("Retry-After", "1")
			abort(c, s.log, err)
			return
		}
		defer leave()
	}
	res, err := r.ix.Search(c.Request.Context(), req)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	if s.limiter != nil {
		// An expensive search is charged its work: a client sending costly queries gets
		// fewer of them through.
		s.limiter.charge(r.client, res.Work-1, time.Now())
	}
	// Counted for each request the answer is sent to, from the cache too: typing=1 and the
	// client are the request's. The cache keeps this function with the answer's bytes, so it
	// holds only what it counts, not the result with its hits, which the cache does not weigh.
	query, firstPage, total, unknown := req.Query, req.Page == 1, res.Total, res.UnknownWords
	count := func(c *gin.Context, r publicRequest, took time.Duration) {
		s.stats.Search(stats.Search{Query: query, FirstPage: firstPage, Typing: r.typing,
			Total: total, Took: took, UnknownWords: unknown, Client: r.client.String()})
	}
	// The chain knows typing only for a request it has a key for.
	r.typing = c.Query("typing") == "1"
	s.writeAnswer(c, r, res, count)
}
