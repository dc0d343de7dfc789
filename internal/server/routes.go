package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes lists every route of the service.
func (s *Server) routes() http.Handler {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(gin.CustomRecoveryWithWriter(nil, s.recovered))

	r.GET("/healthz", s.healthz)
	r.GET("/apis", s.listAPIs)
	r.GET("/apis/:slug", s.getAPI)
	r.GET("/search", s.search)
	r.GET("/autocomplete", s.autocomplete)

	// Admin endpoints exist only when a token is configured.
	if s.adminToken != "" {
		admin := r.Group("/admin", s.requireAdmin)
		admin.POST("/reindex", s.reindex)
		admin.GET("/status", s.status)
	}

	r.NoRoute(func(c *gin.Context) {
		abort(c, s.log, errorf(CodeNotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		abort(c, s.log, errorf(CodeMethodNotAllowed, "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
	return r
}
