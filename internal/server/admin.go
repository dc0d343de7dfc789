package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"apisearch/internal/reindex"

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
		s.log.Warn("admin request refused", "request_id", requestIDOf(c), "method", c.Request.Method, "path", c.Request.URL.Path, "client", c.ClientIP(), "reason", reason)
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

// reindex answers POST /admin/reindex: a full rebuild, swapped in without downtime. It waits
// for the rebuild at most ReindexWait, below the server's write timeout; a longer rebuild goes
// on and the answer is 202 with the generation it will replace, to watch in /admin/status.
// force=true applies a rebuild that would remove most entries.
func (s *Server) reindex(c *gin.Context) {
	v, err := params(c, []string{"force"}, "force")
	if err != nil {
		abort(c, s.log, err)
		return
	}
	force := false
	switch v.Get("force") {
	case "", "false":
	case "true":
		force = true
	default:
		abort(c, s.log, errorf(CodeInvalidParameter, "parameter force must be true or false, got %q", truncate(v.Get("force"))))
		return
	}
	admin := s.cfg.Admin()
	if admin == nil {
		abort(c, s.log, errorf(CodeNotReady, "the index is being built; try again in a moment"))
		return
	}
	from := admin.Status().Generation
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.ReindexWait)
	defer cancel()
	res, err := admin.Reindex(ctx, force)
	var held *reindex.HeldError
	switch {
	case err == nil:
		c.JSON(http.StatusOK, res)
	case errors.Is(err, context.DeadlineExceeded) && c.Request.Context().Err() == nil:
		c.JSON(http.StatusAccepted, gin.H{"status": "running", "generation": from,
			"message": fmt.Sprintf("the reindex goes on; /admin/status shows a generation above %d once it is done", from)})
	case errors.As(err, &held):
		abort(c, s.log, errorf(CodeHeld, "%v", err))
	default:
		s.log.Error("reindex failed", "request_id", requestIDOf(c), "err", err)
		abort(c, s.log, errorf(CodeReindexFailed, "reindex failed, the previous index keeps serving: %v", err))
	}
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

// explain answers GET /admin/explain: for a search's parameters, what the query became and why
// each hit of the first page scored as it did. Behind the admin token: an explanation costs
// several searches and shows the engine's workings.
func (s *Server) explain(c *gin.Context) {
	req, err := searchRequest(c)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	ix, release, ok := s.acquire(c)
	if !ok {
		return
	}
	defer release()
	ex, err := ix.Explain(c.Request.Context(), req)
	if err != nil {
		abort(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, ex)
}
