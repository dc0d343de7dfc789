// Package server answers the HTTP API of apisearch with gin.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"apisearch/index"
	"apisearch/internal/reindex"
	"apisearch/internal/stats"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// Config holds what the server needs from its configuration.
type Config struct {
	// Logger receives access logs and internal errors. Defaults to slog.Default().
	Logger *slog.Logger
	// AdminToken enables the admin endpoints for requests that send it as a bearer token.
	// Empty: no admin endpoint.
	AdminToken string
	// Admin returns what runs the admin endpoints' work; nil until the service is ready.
	Admin func() Admin
	// CORSOrigins are the origins allowed to call the public endpoints from a browser;
	// "*" allows any. Empty: no CORS.
	CORSOrigins []string
	// PublicURL is the URL clients reach the service at (a scheme, a host, maybe a path
	// prefix, no trailing slash), which the OpenAPI document gives as its server. Empty: the
	// scheme and Host of each request.
	PublicURL string
	// Build names the code that answers (its version and commit): part of every ETag, so
	// that what clients cached is not taken as current after a deploy.
	Build string
	// RateLimit is the requests per second allowed to one client (an IPv4 address, an IPv6
	// /64) on the public endpoints, with bursts of twice as many; 0 turns it off. A search
	// that costs more than an ordinary one is charged its work.
	RateLimit float64
	// RateLimitClients bounds the clients the rate limit tracks (about 300 bytes each).
	// Default DefaultRateLimitClients.
	RateLimitClients int
	// AnswerCacheBytes bounds the memory of the answer cache. Default DefaultAnswerCacheBytes.
	AnswerCacheBytes int64
	// TrustedProxies are the addresses or CIDRs whose X-Forwarded-For is believed. Empty: the
	// client IP is the connection's.
	TrustedProxies []string
	// Registry receives the HTTP metrics and serves /metrics. Nil: a new registry.
	Registry *prometheus.Registry
	// Stats counts searches and suggestions for /stats. Nil: a new recorder.
	Stats *stats.Recorder
	// NoAnswerCache turns the answer cache off, to measure what it brings.
	NoAnswerCache bool
	// ReindexWait bounds how long POST /admin/reindex waits for the rebuild before answering
	// 202; it must stay below the HTTP server's write timeout. Default 20s.
	ReindexWait time.Duration
	// CostlySearches is how many searches estimated costlier than an ordinary one run at once;
	// more wait, a second at most, in a queue of CostlyQueue. Default: half the cores, at
	// least one; a queue of 64.
	CostlySearches, CostlyQueue int
	// Draining reports that the process is stopping: /readyz then answers 503, so that load
	// balancers stop sending requests before the listener closes. Nil: never.
	Draining func() bool
}

// Source returns the index currently served and the function that releases it once the
// request is done with it, or nil before the first index is built.
type Source func() (*index.Index, func())

// Admin is what ops can ask of the service.
type Admin interface {
	Reindex(ctx context.Context, force bool) (reindex.Result, error)
	Status() reindex.Status
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg     Config
	log     *slog.Logger
	index   Source
	limiter *limiter
	metrics *httpMetrics
	stats   *stats.Recorder
	doc     *apiDoc
	answers *answerCache
	costly  *lane
	fixed   fixedHeaders
	ids     requestIDs
	started time.Time // when New made the server; request times are measured from it
}

// New returns the HTTP handler of the service, serving what source returns.
func New(cfg Config, source Source) (http.Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Admin == nil {
		cfg.Admin = func() Admin { return nil }
	}
	if cfg.Stats == nil {
		cfg.Stats = stats.New(nil)
	}
	if cfg.RateLimitClients <= 0 {
		cfg.RateLimitClients = DefaultRateLimitClients
	}
	if cfg.AnswerCacheBytes <= 0 {
		cfg.AnswerCacheBytes = DefaultAnswerCacheBytes
	}
	if cfg.ReindexWait <= 0 {
		cfg.ReindexWait = 20 * time.Second
	}
	if cfg.CostlySearches <= 0 {
		cfg.CostlySearches = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if cfg.CostlyQueue <= 0 {
		cfg.CostlyQueue = defaultLaneQueue
	}
	if cfg.Draining == nil {
		cfg.Draining = func() bool { return false }
	}
	s := &Server{cfg: cfg, log: cfg.Logger, index: source, stats: cfg.Stats, answers: newAnswerCache(cfg.AnswerCacheBytes),
		costly: newLane(cfg.CostlySearches, cfg.CostlyQueue, defaultLaneWait), fixed: newFixedHeaders(), started: time.Now()}
	if cfg.RateLimit > 0 {
		s.limiter = newLimiter(cfg.RateLimit, cfg.RateLimitClients)
	}
	var err error
	if s.metrics, err = newHTTPMetrics(cfg.Registry, s.answers, s.limiter); err != nil {
		return nil, err
	}
	if cfg.PublicURL != "" {
		if err := CheckPublicURL(cfg.PublicURL); err != nil {
			return nil, err
		}
	}
	if s.doc, err = loadAPIDoc(); err != nil {
		return nil, err
	}
	return s.routes()
}

// acquire returns the served index, or answers 503 when there is none yet.
func (s *Server) acquire(c *gin.Context) (*index.Index, func(), bool) {
	ix, release := s.index()
	if ix == nil {
		abort(c, s.log, errorf(CodeNotReady, "the index is being built; try again in a moment"))
		return nil, nil, false
	}
	return ix, release, true
}

// recovered answers a panic with the JSON error instead of dropping the connection.
func (s *Server) recovered(c *gin.Context, err any) {
	abort(c, s.log, fmt.Errorf("panic: %v", err))
}
