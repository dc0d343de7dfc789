// Package server answers the HTTP API of apisearch with gin.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"apisearch/index"
	"apisearch/internal/reindex"

	"github.com/gin-gonic/gin"
)

// Config holds what the server needs from its configuration.
type Config struct {
	// Logger receives internal errors. Defaults to slog.Default().
	Logger *slog.Logger
	// AdminToken enables the admin endpoints for requests that send it as a bearer token.
	// Empty: no admin endpoint.
	AdminToken string
	// Admin runs the admin endpoints' work; required when AdminToken is set.
	Admin Admin
}

// Source returns the index currently served and the function that releases it once the
// request is done with it; the index may change between two calls.
type Source func() (*index.Index, func())

// Admin is what ops can ask of the service.
type Admin interface {
	Reindex(ctx context.Context) (reindex.Result, error)
	Status() reindex.Status
}

// Server holds the handlers' dependencies.
type Server struct {
	log        *slog.Logger
	index      Source
	adminToken string
	admin      Admin
}

// New returns the HTTP handler of the service, serving what source returns.
func New(cfg Config, source Source) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{log: cfg.Logger, index: source, adminToken: cfg.AdminToken, admin: cfg.Admin}
	return s.routes()
}

// recovered answers a panic with the JSON error instead of dropping the connection.
func (s *Server) recovered(c *gin.Context, err any) {
	abort(c, s.log, fmt.Errorf("panic: %v", err))
}
