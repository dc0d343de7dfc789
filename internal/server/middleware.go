package server

import (
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"apisearch/index"

	"github.com/gin-gonic/gin"
)

// Limits on requests, checked before any handler.
const (
	maxURILength = 8 << 10 // bytes of path and query
	maxBodySize  = 1 << 20 // bytes of a request body
)

// cacheControl is what public answers say to browsers and shared caches: they may keep an
// answer 10 seconds, then revalidate it with its ETag, which changes with the index generation.
const cacheControl = "public, max-age=10"

// contentSecurityPolicy is sent with every answer. The pages load their scripts and styles from
// the service's own files, never inline, so that an injected <script>, style or on… attribute
// never runs; no other site may frame them (clickjacking); forms post only to the service.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// fixedHeaders are the header values that every answer of a kind carries, made once so that
// setting one is a map assignment rather than a new slice. Answers share them: never modified.
type fixedHeaders struct {
	csp, nosniff, referrer, deny []string // the security headers
	cacheControl, vary, gzip     []string // those of public answers
	json                         []string // the Content-Type of JSON answers
}

func newFixedHeaders() fixedHeaders {
	return fixedHeaders{
		csp: []string{contentSecurityPolicy}, nosniff: []string{"nosniff"},
		referrer: []string{"strict-origin-when-cross-origin"}, deny: []string{"DENY"},
		cacheControl: []string{cacheControl}, vary: []string{"Accept-Encoding"}, gzip: []string{"gzip"},
		json: []string{"application/json; charset=utf-8"},
	}
}

// securityHeaders sets the headers that keep browsers safe with every answer, HTML, JSON or
// error alike: the content security policy, no MIME sniffing, no full URL (the query) sent as
// Referer to other sites, and no framing for browsers that predate frame-ancestors.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h["Content-Security-Policy"] = s.fixed.csp
	h["X-Content-Type-Options"] = s.fixed.nosniff
	h["Referrer-Policy"] = s.fixed.referrer
	h["X-Frame-Options"] = s.fixed.deny
	c.Next()
}

// requestIDHeader is X-Request-ID as Go spells header names, so that it is read and written
// without being respelled.
const requestIDHeader = "X-Request-Id"

// requestID gives every request an ID, the caller's when it sent a sane one, returned in
// X-Request-ID and written on every log line about the request.
func (s *Server) requestID(c *gin.Context) {
	v := c.Request.Header[requestIDHeader]
	if len(v) == 0 || !saneRequestID(v[0]) {
		v = s.ids.next()
	}
	// A slice of one, so that adding a value to the answer's header copies it.
	c.Writer.Header()[requestIDHeader] = v[:1:1]
	c.Next()
}

// requestIDs makes request IDs by batches, each ID an X-Request-ID header value: two
// allocations for a batch, where each ID would cost two. An ID names a request in the logs and
// guards nothing: the runtime's fast random generator is enough, 64 bits of it make collisions
// negligible.
type requestIDs struct {
	mu     sync.Mutex
	unused []string
}

// idBatch is how many request IDs are made at once: 4 KiB of text.
const idBatch = 256

// next returns a new request ID as a header value: a slice of one.
func (ids *requestIDs) next() []string {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if len(ids.unused) == 0 {
		text := make([]byte, 0, idBatch*16)
		for range idBatch {
			text = binary.BigEndian.AppendUint64(text, rand.Uint64())
		}
		hexa := hex.EncodeToString(text)
		ids.unused = make([]string, idBatch)
		for i := range ids.unused {
			ids.unused[i] = hexa[i*16 : (i+1)*16]
		}
	}
	v := ids.unused[:1:1]
	ids.unused = ids.unused[1:]
	return v
}

// saneRequestID reports whether an incoming X-Request-ID may be kept: 1 to 64 letters, digits,
// dots, underscores or dashes.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '.', b == '_', b == '-':
		default:
			return false
		}
	}
	return true
}

// requestIDOf returns the ID of a request, as its answer carries it.
func requestIDOf(c *gin.Context) string {
	if v := c.Writer.Header()[requestIDHeader]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// observe writes one access-log line per request, without tokens, and the request metrics.
func (s *Server) observe(c *gin.Context) {
	// Times since the server started read the monotonic clock alone, where time.Now reads
	// the wall clock too: two clock readings a request instead of three.
	start := time.Since(s.started)
	c.Next()
	took := time.Since(s.started) - start
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.observe(route, c.Request.Method, status, took)
	level := slog.LevelInfo
	switch route {
	case "/healthz", "/readyz", "/metrics":
		level = slog.LevelDebug // probes and scrapes would drown the log
	}
	ctx := c.Request.Context()
	if !s.log.Enabled(ctx, level) {
		return // nothing is formatted for a line that is not written
	}
	s.log.LogAttrs(ctx, level, "request", slog.String("request_id", requestIDOf(c)),
		slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path), slog.String("query", redact(c.Request.URL.RawQuery)),
		slog.String("route", route), slog.Int("status", status), slog.Int("bytes", c.Writer.Size()),
		slog.Float64("took_ms", float64(took.Microseconds())/1000), slog.String("client", c.ClientIP()))
}

// secretNames are parts of parameter names whose values are secrets: a token, a key, a
// password… sent in the wrong place.
var secretNames = []string{"token", "key", "auth", "pass", "pwd", "secret", "session", "cookie", "sig", "credential", "jwt", "bearer"}

// redact blanks the value of every query parameter whose name mentions a secret, so that one
// sent in the wrong place never reaches the logs. A query string that names none is logged as
// it was sent.
func redact(raw string) string {
	if !namesSecret(raw) {
		return raw
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable)"
	}
	for name := range values {
		if isSecret(name) {
			values[name] = []string{"REDACTED"}
		}
	}
	return values.Encode()
}

// namesSecret reports whether a parameter of a query string may hold a secret: its name, decoded,
// mentions one, or does not decode. Both & and ; separate parameters, as some servers read them.
func namesSecret(raw string) bool {
	for rest := raw; rest != ""; {
		param := rest
		if i := strings.IndexAny(rest, "&;"); i >= 0 {
			param, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		name, _, _ := strings.Cut(param, "=")
		if strings.ContainsAny(name, "%+") {
			var err error
			if name, err = url.QueryUnescape(name); err != nil {
				return true
			}
		}
		if isSecret(name) {
			return true
		}
	}
	return false
}

// isSecret reports whether a parameter's name mentions a secret.
func isSecret(name string) bool {
	name = strings.ToLower(name)
	for _, secret := range secretNames {
		if strings.Contains(name, secret) {
			return true
		}
	}
	return false
}

// limitRequest refuses over-long URIs and oversized bodies before any work.
func (s *Server) limitRequest(c *gin.Context) {
	if n := len(c.Request.RequestURI); n > maxURILength {
		abort(c, s.log, errorf(CodeURITooLong, "the request URI is %d bytes, the maximum is %d", n, maxURILength))
		return
	}
	if c.Request.ContentLength > maxBodySize {
		abort(c, s.log, errorf(CodeBodyTooLarge, "the request body is %d bytes, the maximum is %d", c.Request.ContentLength, maxBodySize))
		return
	}
	// A request without a body (most: GETs) has nothing to bound.
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBodySize)
	}
	c.Next()
}

// rateLimit answers 429 with Retry-After to a client over its budget.
func (s *Server) rateLimit(c *gin.Context) {
	if s.limited(c, s.client(c), time.Now()) {
		return
	}
	c.Next()
}

// limited takes a request's token from its client's budget at now, or answers 429 with
// Retry-After and returns true when the client is over it.
func (s *Server) limited(c *gin.Context, client netip.Prefix, now time.Time) bool {
	if s.limiter == nil {
		return false
	}
	wait := s.limiter.take(client, 1, now)
	if wait == 0 {
		return false
	}
	c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	abort(c, s.log, errorf(CodeRateLimited, "too many requests from this address; retry in %s", wait.Round(time.Millisecond)))
	return true
}

// publicRequest is what the chain of a public endpoint learns once about a request and hands
// on: the generation of the index that answers it, taken once, so that its ETag, its cached
// answer and a fresh answer all come from that one; its client; when the chain took it; and
// the key of its answer in the answer cache.
type publicRequest struct {
	ix     *index.Index
	client netip.Prefix
	start  time.Time
	key    string // "" when the answer is not kept
	typing bool   // sent as the person types (typing=1); known when key is not ""
}

// publicHandler answers a request of a public endpoint from the generation its chain took.
type publicHandler func(c *gin.Context, r publicRequest)

// public is the chain of the public endpoints around h: the client's rate limit, then the
// index generation that answers the request, which makes the answer's ETag with the request
// (send answers a 304 when the client already has it).
func (s *Server) public(h publicHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := publicRequest{client: s.client(c), start: time.Now()}
		if s.limited(c, r.client, r.start) {
			return
		}
		ix, release, ok := s.acquire(c)
		if !ok {
			return
		}
		defer release()
		r.ix = ix
		header := c.Writer.Header()
		header["Etag"] = []string{etagOf(ix.Generation(), s.cfg.Build, ix.Catalog().Version, c.Request.URL)}
		header["Cache-Control"] = s.fixed.cacheControl
		h(c, r)
	}
}

// etagOf is the ETag of a public answer: the index generation, and an FNV-1a hash of what
// else the answer depends on: the build that answers, the catalogue's version and the
// request's path and query string. Generations start again at 1 in every process: the build
// and the version keep a client's ETag from matching after a deploy or a restart on another
// catalogue.
func etagOf(generation uint64, build, version string, u *url.URL) string {
	const prime = 1099511628211
	hash := uint64(14695981039346656037)
	for _, part := range [...]string{build, "\x00", version, "\x00", u.Path, "?", u.RawQuery} {
		for i := 0; i < len(part); i++ {
			hash = (hash ^ uint64(part[i])) * prime
		}
	}
	b := make([]byte, 0, 48)
	b = append(b, `W/"`...)
	b = strconv.AppendUint(b, generation, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, hash, 16)
	b = append(b, '"')
	return string(b)
}

// matches reports whether an If-None-Match header names etag, by weak comparison, or is "*".
func matches(ifNoneMatch, etag string) bool {
	opaque := strings.TrimPrefix(etag, "W/")
	for rest := ifNoneMatch; rest != ""; {
		var candidate string
		candidate, rest, _ = strings.Cut(rest, ",")
		if t := strings.TrimSpace(candidate); t == "*" || strings.TrimPrefix(t, "W/") == opaque {
			return true
		}
	}
	return false
}

// noStore keeps admin answers out of every cache.
func (s *Server) noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
