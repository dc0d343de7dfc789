package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// maxTokenLength bounds the bearer token read from a request.
const maxTokenLength = 512

// requireAdmin lets through requests that carry the admin token in an Authorization: Bearer
// header, compared in constant time; others get a 401, logged without the token.
func (s *Server) requireAdmin(c *gin.Context) {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	reason := ""
	switch {
	case !ok:
		reason = "no bearer token"
	case len(token) > maxTokenLength:
		reason = "token too long"
	case !tokenMatches(token, s.cfg.AdminToken):
		reason = "wrong token"
	}
	if reason != "" {
		s.log.Warn("admin request refused", "request_id", c.GetString(requestIDKey), "method", c.Request.Method, "path", c.Request.URL.Path, "client", c.ClientIP(), "reason", reason)
		c.Header("WWW-Authenticate", `Bearer realm="apisearch admin"`)
		abort(c, s.log, errorf(CodeUnauthorized, "a valid admin token is required in the Authorization: Bearer header"))
		return
	}
	c.Next()
}

// tokenMatches compares digests, so that neither the token's content nor its length leaks
// through timing; an empty configured token never matches.
func tokenMatches(token, configured string) bool {
	if configured == "" || token == "" {
		return false
	}
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(configured))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// reindex answers POST /admin/reindex: a full rebuild, swapped in without downtime.
func (s *Server) reindex(c *gin.Context) {
	admin := s.cfg.Admin()
	if admin == nil {
		abort(c, s.log, errorf(CodeNotReady, "the index is being built; try again in a moment"))
		return
	}
	res, err := admin.Reindex(c.Request.Context())
	if err != nil {
		s.log.Error("reindex failed", "request_id", c.GetString(requestIDKey), "err", err)
		abort(c, s.log, errorf(CodeReindexFailed, "reindex failed, the previous index keeps serving: %v", err))
		return
	}
	c.JSON(http.StatusOK, res)
}

// status answers GET /admin/status.
func (s *Server) status(c *gin.Context) {
	admin := s.cfg.Admin()
	if admin == nil {
		abort(c, s.log, errorf(CodeNotReady, "the index is being built; try again in a moment"))
		return
	}
	c.JSON(http.StatusOK, admin.Status())
}
