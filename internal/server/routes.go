package server

import (
	"net/http"
	"strings"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of the service, with the middleware each group gets.
func (s *Server) routes() (http.Handler, error) {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// gin trusts every proxy by default, which would let any client choose its IP through
	// X-Forwarded-For and escape the rate limit.
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return nil, err
	}
	r.Use(s.requestID, s.observe, gin.CustomRecoveryWithWriter(nil, s.recovered), s.limitRequest)
	if len(s.cfg.CORSOrigins) > 0 {
		r.Use(s.cors())
	}

	// Probes and metrics: for ops and orchestrators.
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})))

	// The search page, documentation and public statistics.
	r.GET("/", s.page)
	r.GET("/static/:file", s.static)
	r.GET("/openapi.json", s.openapiJSON)
	r.GET("/openapi.yaml", s.openapiYAML)
	r.GET("/docs", s.docs)
	r.GET("/stats", s.statsPage)
	r.GET("/stats.json", s.statsJSON)

	// The public API: rate-limited, revalidated by ETag, answered from the cache of the
	// current generation when the same request was answered before, gzipped.
	public := r.Group("", s.rateLimit, s.cache, s.cached)
	public.GET("/search", s.search)
	public.GET("/autocomplete", s.autocomplete)
	public.GET("/apis", s.listAPIs)
	public.GET("/apis/:slug", s.getAPI)

	// Admin endpoints exist only when a token is configured; never CORS, never cached.
	if s.cfg.AdminToken != "" {
		admin := r.Group("/admin", s.noStore, s.requireAdmin)
		admin.POST("/reindex", s.reindex)
		admin.GET("/status", s.status)
	}

	r.NoRoute(func(c *gin.Context) {
		abort(c, s.log, errorf(CodeNotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		abort(c, s.log, errorf(CodeMethodNotAllowed, "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
	return r, nil
}

// cors answers the public site's cross-origin requests and preflights; admin paths never get
// CORS headers, so a browser on another origin can never call them.
func (s *Server) cors() gin.HandlerFunc {
	cfg := cors.Config{
		AllowMethods:  []string{"GET", "OPTIONS"},
		AllowHeaders:  []string{"Origin", "Accept", "If-None-Match", "X-Request-ID"},
		ExposeHeaders: []string{"ETag", "X-Request-ID", "Retry-After"},
		MaxAge:        3600 * 1e9,
	}
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" {
			cfg.AllowAllOrigins = true
		}
	}
	if !cfg.AllowAllOrigins {
		cfg.AllowOrigins = s.cfg.CORSOrigins
	}
	handler := cors.New(cfg)
	return func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/admin") {
			c.Next()
			return
		}
		handler(c)
	}
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 503 until the first index is built, and again once the process is stopping.
func (s *Server) readyz(c *gin.Context) {
	if s.cfg.Draining() {
		abort(c, s.log, errorf(CodeDraining, "the service is stopping"))
		return
	}
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	c.JSON(http.StatusOK, gin.H{"status": "ready", "generation": ix.Generation()})
}
