package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Error codes a client can see, in the "code" field of an error response.
const (
	CodeInvalidParameter = "invalid_parameter"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeInternal         = "internal"
	CodeUnauthorized     = "unauthorized"
	CodeReindexFailed    = "reindex_failed"
	CodeNotReady         = "not_ready"
	CodeDraining         = "draining"
	CodeHeld             = "change_held"
	CodeOriginNotAllowed = "origin_not_allowed"
	CodeClientClosed     = "client_closed_request"
	CodeRateLimited      = "rate_limited"
	CodeURITooLong       = "uri_too_long"
	CodeBodyTooLarge     = "body_too_large"
	CodeOverloaded       = "overloaded"
)

// statusOf maps every error code to its HTTP status: the one place where they meet.
var statusOf = map[string]int{
	CodeInvalidParameter: http.StatusBadRequest,
	CodeNotFound:         http.StatusNotFound,
	CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	CodeInternal:         http.StatusInternalServerError,
	CodeUnauthorized:     http.StatusUnauthorized,
	CodeReindexFailed:    http.StatusServiceUnavailable,
	CodeNotReady:         http.StatusServiceUnavailable,
	CodeDraining:         http.StatusServiceUnavailable,
	CodeHeld:             http.StatusConflict,
	CodeOriginNotAllowed: http.StatusForbidden,
	CodeClientClosed:     499, // nginx's convention: the client closed the connection first
	CodeRateLimited:      http.StatusTooManyRequests,
	CodeURITooLong:       http.StatusRequestURITooLong,
	CodeBodyTooLarge:     http.StatusRequestEntityTooLarge,
	CodeOverloaded:       http.StatusServiceUnavailable,
}

// Error is an error a handler returns to the client, with a code and a message for people.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// abort writes err as the JSON error response, never cached. An error that is not an *Error
// is internal: it is logged with the request's ID, and the client gets a generic message.
func abort(c *gin.Context, log *slog.Logger, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away: nothing is wrong with the service.
		log.DebugContext(c.Request.Context(), "client closed the request", "request_id", requestIDOf(c),
			"method", c.Request.Method, "path", c.Request.URL.Path)
		e = errorf(CodeClientClosed, "the client closed the request")
	default:
		log.ErrorContext(c.Request.Context(), "internal error", "request_id", requestIDOf(c),
			"method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		e = errorf(CodeInternal, "internal error")
	}
	h := c.Writer.Header()
	h.Del("ETag")
	h.Set("Cache-Control", "no-store")
	c.AbortWithStatusJSON(statusOf[e.Code], gin.H{"error": e})
}
