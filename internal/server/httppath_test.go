package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"apisearch/catalog"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// discardWriter is a ResponseWriter that keeps the status and drops the body, reused from one
// request to the next so that a benchmark measures the server, not the recorder.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

// BenchmarkHTTPPath measures what the service's middleware chain costs next to gin itself: a
// bare gin engine answering a constant JSON, then /healthz, a cached /search and a cached
// /autocomplete through the handler as production builds it (JSON access log at the default
// level, which writes a line for searches, not for probes; metrics, rate limit on, answer
// cache), on the default catalogue, one client asking for gzip. The searches are measured
// again with the access log off ("unlogged"), as the load tool runs the service.
func BenchmarkHTTPPath(b *testing.B) {
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		b.Fatal(err)
	}
	source := sourceOf(b, c)
	gin.SetMode(gin.ReleaseMode)
	bare := gin.New()
	bare.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	handler := func(level slog.Level) http.Handler {
		// A rate limit no benchmark reaches: each request still takes its token.
		h, err := New(Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level})), RateLimit: 1e9}, source)
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	full, unlogged := handler(slog.LevelInfo), handler(slog.LevelWarn)
	for _, bb := range []struct {
		name, target string
		h            http.Handler
	}{
		{"bare-gin", "/healthz", bare},
		{"healthz", "/healthz", full},
		{"search-cached", "/search?q=entreprise", full},
		{"autocomplete-cached", "/autocomplete?q=entr", full},
		{"search-cached-unlogged", "/search?q=entreprise", unlogged},
		{"autocomplete-cached-unlogged", "/autocomplete?q=entr", unlogged},
	} {
		b.Run(bb.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bb.target, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			w := &discardWriter{header: make(http.Header)}
			serve := func() {
				clear(w.header)
				w.status = 0
				req.Body = http.NoBody
				bb.h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("GET %s = %d, want 200", bb.target, w.status)
				}
			}
			serve() // fills the answer cache
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
}

// BenchmarkMiddleware measures each middleware that every request goes through, alone in front
// of /healthz's handler on a bare gin engine, against none: what each costs of the chain that
// BenchmarkHTTPPath measures whole.
func BenchmarkMiddleware(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{log: slog.New(slog.NewJSONHandler(io.Discard, nil)), fixed: newFixedHeaders(), started: time.Now()}
	var err error
	if s.metrics, err = newHTTPMetrics(prometheus.NewRegistry(), newAnswerCache(DefaultAnswerCacheBytes), nil); err != nil {
		b.Fatal(err)
	}
	for _, bb := range []struct {
		name       string
		middleware gin.HandlerFunc
	}{
		{"none", nil},
		{"security-headers", s.securityHeaders},
		{"request-id", s.requestID},
		{"observe", s.observe},
		{"recovery", gin.CustomRecoveryWithWriter(nil, s.recovered)},
		{"limit-request", s.limitRequest},
	} {
		e := gin.New()
		if bb.middleware != nil {
			e.Use(bb.middleware)
		}
		e.GET("/healthz", s.healthz)
		b.Run(bb.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			w := &discardWriter{header: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				req.Body = http.NoBody
				e.ServeHTTP(w, req)
			}
		})
	}
}
