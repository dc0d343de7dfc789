package server

import (
	"fmt"
	"net/http"
	"net/url"
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
	r.Use(s.securityHeaders, s.requestID, s.observe, gin.CustomRecoveryWithWriter(nil, s.recovered), s.limitRequest)
	if len(s.cfg.CORSOrigins) > 0 {
		handler, err := s.cors()
		if err != nil {
			return nil, err
		}
		r.Use(handler)
	}

	// Every GET route answers HEAD too (monitors use it): the same handler, without the body.
	get := func(g gin.IRoutes, path string, handlers ...gin.HandlerFunc) {
		g.GET(path, handlers...)
		g.HEAD(path, handlers...)
	}

	// Probes and metrics: for ops and orchestrators.
	get(r, "/healthz", s.healthz)
	get(r, "/readyz", s.readyz)
	get(r, "/metrics", gin.WrapH(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})))

	// The search page, documentation and public statistics.
	get(r, "/", s.page)
	get(r, "/static/:file", s.static)
	get(r, "/openapi.json", s.openapiJSON)
	get(r, "/openapi.yaml", s.openapiYAML)
	get(r, "/docs", s.docs)
	// The statistics are computed for each request (a few milliseconds): rate-limited.
	get(r, "/stats", s.rateLimit, s.statsPage)
	get(r, "/stats.json", s.rateLimit, s.statsJSON)

	// The public API: rate-limited, answered from one generation of the index taken for the
	// request, revalidated by ETag, answered from the cache of that generation when the same
	// request was answered before, gzipped.
	get(r, "/search", s.public(s.cached(s.search)))
	get(r, "/autocomplete", s.public(s.cached(s.autocomplete)))
	get(r, "/apis", s.public(s.cached(s.listAPIs)))
	get(r, "/apis/:slug", s.public(s.cached(s.getAPI)))
	// An API's page, for people and search engines: rate-limited, revalidated by ETag, kept
	// in the answer cache by its handler (under the address it is reached at), gzipped.
	get(r, "/les-api", s.redirectToSearch)
	get(r, "/les-api/:slug", s.public(s.apiPage))
	// The search page's beacon when a result is opened: rate-limited, never cached.
	r.POST("/stats/click", s.rateLimit, s.noStore, s.click)

	// Admin endpoints exist only when a token is configured; never CORS, never cached.
	if s.cfg.AdminToken != "" {
		admin := r.Group("/admin", s.noStore, s.requireAdmin)
		admin.POST("/reindex", s.reindex)
		get(admin, "/status", s.status)
		get(admin, "/explain", s.explain)
		get(admin, "/stats", s.adminStats)
	}

	r.NoRoute(func(c *gin.Context) {
		abort(c, s.log, errorf(CodeNotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		abort(c, s.log, errorf(CodeMethodNotAllowed, "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
	return r, nil
}

// cors answers the public site's cross-origin requests and preflights; a browser on an origin
// not allowed gets a JSON 403. Admin paths never get CORS headers, so a browser on another
// origin can never call them.
func (s *Server) cors() (gin.HandlerFunc, error) {
	cfg := cors.Config{
		AllowMethods:  []string{"GET", "HEAD", "OPTIONS"},
		AllowHeaders:  []string{"Origin", "Accept", "If-None-Match", "X-Request-ID"},
		ExposeHeaders: []string{"ETag", "X-Request-ID", "Retry-After"},
		MaxAge:        3600 * 1e9,
	}
	allowed := make(map[string]bool)
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" {
			cfg.AllowAllOrigins = true
			continue
		}
		if err := CheckOrigin(o); err != nil {
			return nil, err
		}
		allowed[o] = true
	}
	if !cfg.AllowAllOrigins {
		cfg.AllowOrigins = s.cfg.CORSOrigins
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("CORS origins: %w", err)
	}
	handler := cors.New(cfg)
	return func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/admin") {
			c.Next()
			return
		}
		origin := c.GetHeader("Origin")
		sameHost := origin == "http://"+c.Request.Host || origin == "https://"+c.Request.Host
		if origin != "" && !sameHost && !cfg.AllowAllOrigins && !allowed[origin] {
			abort(c, s.log, errorf(CodeOriginNotAllowed, "origin %q is not allowed to call this API from a browser", truncate(origin)))
			return
		}
		// A shared cache may give this answer to a page of an allowed origin: it must say so
		// itself, or say that it varies with the Origin. The CORS handler answers the
		// cross-origin requests.
		switch {
		case (origin == "" || sameHost) && cfg.AllowAllOrigins:
			c.Header("Access-Control-Allow-Origin", "*")
		case origin == "" || sameHost:
			c.Header("Vary", "Origin")
		}
		handler(c)
	}, nil
}

// CheckOrigin returns an error unless o is an origin as browsers send it: http or https, a
// host, maybe a port, and nothing after.
func CheckOrigin(o string) error {
	u, err := url.Parse(o)
	switch {
	case err != nil:
		return fmt.Errorf("origin %q: %w", o, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("origin %q: want http:// or https:// and a host, such as https://api.gouv.fr", o)
	case u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#"):
		return fmt.Errorf("origin %q: want only a scheme, a host and maybe a port, such as https://api.gouv.fr (no path, no trailing slash)", o)
	}
	return nil
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 503 until the first index is built, and again once the process is stopping;
// 200 with the generation and the catalogue version served otherwise.
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
	c.JSON(http.StatusOK, readiness(ix))
}
