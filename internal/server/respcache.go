package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hashicorp/golang-lru/v2/simplelru"
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
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// answer is a public endpoint's answer, JSON or an HTML page, as sent and gzipped once, with
// what the statistics count each time it is sent, to the request it is sent to.
type answer struct {
	body, gz    []byte                                   // gz is nil for a small answer
	contentType string                                   // "" for JSON
	count       func(c *gin.Context, took time.Duration) // nil when the statistics do not count it
}

// newAnswer makes an answer of a body, gzipped once when it is large enough to gain from it.
func newAnswer(body []byte, contentType string) *answer {
	a := &answer{body: body, contentType: contentType}
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
// never serve a stale answer, then the path and the query string with its parameters sorted,
// without a valid typing parameter, which changes what the statistics count, not the answer.
// A query string that does not parse has no key: the handler refuses it.
func answerKey(c *gin.Context, generation uint64) (string, bool) {
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return "", false
	}
	if t := q["typing"]; len(t) == 1 && (t[0] == "0" || t[0] == "1") {
		q.Del("typing")
	}
	return strconv.FormatUint(generation, 10) + c.Request.URL.Path + "?" + q.Encode(), true
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

// cached answers from the cache when it holds the request's answer, else lets the handler
// compute it (and writeAnswer store it).
func (s *Server) cached(c *gin.Context) {
	ix, release := s.index()
	if ix == nil || s.cfg.NoAnswerCache {
		if ix != nil {
			release()
		}
		c.Next()
		return
	}
	key, ok := answerKey(c, ix.Generation())
	release()
	if !ok {
		c.Next()
		return
	}
	c.Set(answerKeyName, key)
	if a, ok := s.answers.get(key); ok {
		start := time.Now()
		s.send(c, a)
		if a.count != nil {
			a.count(c, time.Since(start))
		}
		c.Abort()
		return
	}
	c.Next()
}

const answerKeyName = "answer_key"

// writeAnswer sends v as JSON, gzipped when the client accepts it, and keeps it for the next
// identical request of the same generation; count, when not nil, is called for each one.
func (s *Server) writeAnswer(c *gin.Context, v any, count func(c *gin.Context, took time.Duration)) {
	body, err := json.Marshal(v)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	a := newAnswer(body, "")
	a.count = count
	if key := c.GetString(answerKeyName); key != "" {
		s.answers.add(key, a)
	}
	s.send(c, a)
}

// send writes an answer, gzipped when the client accepts it.
func (s *Server) send(c *gin.Context, a *answer) {
	h := c.Writer.Header()
	h.Add("Vary", "Accept-Encoding")
	typ := a.contentType
	if typ == "" {
		typ = "application/json; charset=utf-8"
	}
	if a.gz != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		c.Data(http.StatusOK, typ, a.gz)
		return
	}
	c.Data(http.StatusOK, typ, a.body)
}
