package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

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

const requestIDKey = "request_id"

// contentSecurityPolicy is sent with every answer. The pages load their scripts and styles from
// the service's own files, never inline, so that an injected <script>, style or on… attribute
// never runs; no other site may frame them (clickjacking); forms post only to the service.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders sets the headers that keep browsers safe with every answer, HTML, JSON or
// error alike: the content security policy, no MIME sniffing, no full URL (the query) sent as
// Referer to other sites, and no framing for browsers that predate frame-ancestors.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// requestIDPattern is what an incoming X-Request-ID may look like to be kept.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID gives every request an ID, the caller's when it sent a sane one, returned in
// X-Request-ID and written on every log line about the request.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// observe writes one access-log line per request, without tokens, and the request metrics.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	took := time.Since(start)
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
	s.log.Log(c.Request.Context(), level, "request", "request_id", c.GetString(requestIDKey),
		"method", c.Request.Method, "path", c.Request.URL.Path, "query", redact(c.Request.URL.RawQuery),
		"route", route, "status", status, "bytes", c.Writer.Size(), "took_ms", float64(took.Microseconds())/1000,
		"client", c.ClientIP())
}

// secretNames are parts of parameter names whose values are secrets: a token, a key, a
// password… sent in the wrong place.
var secretNames = []string{"token", "key", "auth", "pass", "pwd", "secret", "session", "cookie", "sig", "credential", "jwt", "bearer"}

// redact blanks the value of every query parameter whose name mentions a secret, so that one
// sent in the wrong place never reaches the logs.
func redact(raw string) string {
	if raw == "" {
		return ""
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable)"
	}
	for name := range values {
		n := strings.ToLower(name)
		for _, secret := range secretNames {
			if strings.Contains(n, secret) {
				values[name] = []string{"REDACTED"}
				break
			}
		}
	}
	return values.Encode()
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
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBodySize)
	c.Next()
}

// rateLimit answers 429 with Retry-After to a client IP over its budget.
func (s *Server) rateLimit(c *gin.Context) {
	if s.limiter == nil || c.Request.Method == http.MethodOptions {
		c.Next()
		return
	}
	if wait := s.limiter.take(c.ClientIP(), 1, time.Now()); wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		abort(c, s.log, errorf(CodeRateLimited, "too many requests from this address; retry in %s", wait.Round(time.Millisecond)))
		return
	}
	c.Next()
}

// cache gives public answers an ETag made of the index generation and the request, and
// answers 304 when the client already has it.
func (s *Server) cache(c *gin.Context) {
	ix, release := s.index()
	if ix == nil {
		c.Next()
		return
	}
	generation := ix.Generation()
	release()
	h := fnv.New64a()
	h.Write([]byte(c.Request.URL.RequestURI()))
	etag := fmt.Sprintf(`W/"%d-%x"`, generation, h.Sum64())
	c.Header("ETag", etag)
	c.Header("Cache-Control", cacheControl)
	for _, candidate := range strings.Split(c.GetHeader("If-None-Match"), ",") {
		if t := strings.TrimSpace(candidate); t == etag || t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
			c.AbortWithStatus(http.StatusNotModified)
			return
		}
	}
	c.Next()
}

// noStore keeps admin answers out of every cache.
func (s *Server) noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
