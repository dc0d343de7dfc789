package server

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/klauspost/compress/gzip"
)

// DefaultAnswerCacheBytes bounds the answer cache by default: a search box's queries repeat,
// and an answer is a few kilobytes.
const DefaultAnswerCacheBytes = 32 << 20

// answerOverhead is the memory of a cached answer beside its key and bodies: the answer, the
// LRU's entry and map slot.
const answerOverhead = 256

// minGzip is the size below which an answer is sent as it is: gzip saves little on it and its
// compressor costs more than the answer.
const minGzip = 1024

// gzipWriters keeps compressors for reuse: each holds some hundreds of kilobytes of state. The
// fastest level: on distinct searches it serves 20 % more requests than the default level.
// klauspost/compress's gzip packs a search's answer in about half the time the standard
// library's takes, a little smaller (go test ./internal/server -run '^$' -bench Gzip).
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// answer is a public endpoint's answer, JSON or an HTML page, as sent and gzipped once, with
// what the statistics count each time it is sent, to the request it is sent to.
type answer struct {
	body, gz    []byte   // gz is nil for a small answer
	contentType []string // the Content-Type header's value; nil for JSON
	count       counter  // nil when the statistics do not count it
}

// counter counts an answer in the statistics each time it is sent, to the request it is sent
// to; took is what the answer took this time: its computing when fresh, the request's time in
// the chain when from the cache.
type counter func(c *gin.Context, r publicRequest, took time.Duration)

// newAnswer makes an answer of a body, gzipped once when it is large enough to gain from it;
// contentType is "" for JSON.
func newAnswer(body []byte, contentType string) *answer {
	a := &answer{body: body}
	if contentType != "" {
		a.contentType = []string{contentType}
	}
	if len(body) >= minGzip {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		gzipWriters.Put(zw)
		a.gz = buf.Bytes()
	}
	return a
}

// answerKey names an answer: the index generation, so that a change to the catalogue can
// never serve a stale answer, then the path and the query string as sent, without a typing
// parameter of /search (typing=0 or typing=1), which changes what the statistics count, not
// the answer; typing says whether it was typing=1. Parameters are neither decoded nor sorted:
// two spellings of one request are kept apart, which costs memory, never a wrong answer. A
// query string with an encoded parameter name or a second typing parameter has no key, so
// that a key never hides a typing parameter spelled otherwise, nor one that the handler refuses.
func answerKey(c *gin.Context, generation uint64) (key string, typing, ok bool) {
	raw := c.Request.URL.RawQuery
	dropTyping := c.FullPath() == "/search" // the other endpoints refuse typing
	b := make([]byte, 0, 256)
	b = strconv.AppendUint(b, generation, 10)
	b = append(b, c.Request.URL.EscapedPath()...) // escaped, it holds no '?'
	b = append(b, '?')
	seen := false
	for rest := raw; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		name, value, _ := strings.Cut(param, "=")
		if strings.ContainsAny(name, "%+") {
			return "", false, false
		}
		if dropTyping && name == "typing" {
			if seen || (value != "0" && value != "1") {
				return "", false, false
			}
			seen, typing = true, value == "1"
			continue
		}
		b = append(b, param...)
		b = append(b, '&')
	}
	return string(b), typing, true
}

// answerCache keeps the answers most recently used, within a bound in bytes: the bytes of
// their keys and bodies and a fixed overhead each. An answer larger than a sixteenth of the
// bound is not kept, so that a few large answers cannot evict every other.
type answerCache struct {
	mu    sync.Mutex
	lru   *simplelru.LRU[string, *answer]
	bytes int64
	max   int64
}

func newAnswerCache(maxBytes int64) *answerCache {
	c := &answerCache{max: maxBytes}
	// Bounded by bytes, not by count: the count bound is never reached.
	c.lru, _ = simplelru.NewLRU(math.MaxInt32, func(key string, a *answer) { c.bytes -= a.size(key) })
	return c
}

// size is what an answer costs the cache.
func (a *answer) size(key string) int64 {
	return int64(len(key) + len(a.body) + len(a.gz) + answerOverhead)
}

func (c *answerCache) get(key string) (*answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Get(key)
}

func (c *answerCache) add(key string, a *answer) {
	size := a.size(key)
	if size > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.lru.Peek(key); ok {
		c.bytes -= old.size(key)
	}
	c.lru.Add(key, a)
	c.bytes += size
	for c.bytes > c.max {
		c.lru.RemoveOldest()
	}
}

// usage returns the bytes and the number of answers kept.
func (c *answerCache) usage() (int64, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, c.lru.Len()
}

// cached answers from the answer cache of the request's generation when it holds the
// request's answer, else lets h compute it (and writeAnswer keep it).
func (s *Server) cached(h publicHandler) publicHandler {
	return func(c *gin.Context, r publicRequest) {
		if s.cfg.NoAnswerCache {
			h(c, r)
			return
		}
		var ok bool
		if r.key, r.typing, ok = answerKey(c, r.ix.Generation()); !ok {
			h(c, r)
			return
		}
		if a, ok := s.answers.get(r.key); ok {
			s.deliver(c, r, a)
			return
		}
		h(c, r)
	}
}

// writeAnswer sends v as JSON, gzipped when the client accepts it, and keeps it under the
// request's key for the next identical request of the same generation; count, when not nil,
// is called for each request it is delivered to, this one first (see deliver).
func (s *Server) writeAnswer(c *gin.Context, r publicRequest, v any, count counter) {
	body, err := json.Marshal(v)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	a := newAnswer(body, "")
	a.count = count
	if r.key != "" {
		s.answers.add(r.key, a)
	}
	s.deliver(c, r, a)
}

// deliver sends an answer to a request and counts it, unless the client already had it (a
// 304) or is a monitor's probe (HEAD): neither searched.
func (s *Server) deliver(c *gin.Context, r publicRequest, a *answer) {
	// Timed before the answer is written: a slow client is not a slow search.
	took := time.Since(r.start)
	if s.send(c, a) && a.count != nil && c.Request.Method != http.MethodHead {
		a.count(c, r, took)
	}
}

// send writes an answer, gzipped when the client accepts it, and reports whether it did: a
// client whose If-None-Match names the answer's ETag gets a 304 without a body instead. Only
// an answer is ever a 304: a request that fails validation or names nothing gets its error.
func (s *Server) send(c *gin.Context, a *answer) bool {
	h := c.Writer.Header()
	if vary := h["Vary"]; len(vary) > 0 {
		h["Vary"] = append(vary, "Accept-Encoding")
	} else {
		h["Vary"] = s.fixed.vary
	}
	if etag := h["Etag"]; len(etag) == 1 {
		if inm := c.Request.Header.Get("If-None-Match"); inm != "" && matches(inm, etag[0]) {
			c.Status(http.StatusNotModified)
			c.Writer.WriteHeaderNow()
			return false
		}
	}
	typ := a.contentType
	if typ == nil {
		typ = s.fixed.json
	}
	h["Content-Type"] = typ
	body := a.body
	if a.gz != nil && acceptsGzip(c.Request.Header.Get("Accept-Encoding")) {
		h["Content-Encoding"] = s.fixed.gzip
		body = a.gz
	}
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(body)
	return true
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip: named (as gzip or
// x-gzip, in any case) with a weight above zero, or covered by "*" when it is not named.
// "gzip;q=0" refuses it.
func acceptsGzip(header string) bool {
	star := false
	for coding := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(coding, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		accepted := weight(params) > 0
		switch name {
		case "gzip", "x-gzip":
			return accepted
		case "*":
			star = accepted
		}
	}
	return star
}

// weight reads the q parameter of an Accept-Encoding item's parameters: 1 when there is none,
// 0 when it is not a number from 0 to 1.
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}
