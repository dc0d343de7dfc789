// Package server answers the HTTP API of apisearch with gin.
package server

import (
	"fmt"
	"log/slog"
	"net/http"

	"apisearch/index"

	"github.com/gin-gonic/gin"
)

// Config holds what the server needs from its configuration.
type Config struct {
	// Logger receives internal errors. Defaults to slog.Default().
	Logger *slog.Logger
}

// Source returns the index currently served; it may change between two calls.
type Source func() *index.Index

// Server holds the handlers' dependencies.
type Server struct {
	log   *slog.Logger
	index Source
}

// New returns the HTTP handler of the service, serving what source returns.
func New(cfg Config, source Source) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{log: cfg.Logger, index: source}
	return s.routes()
}

// recovered answers a panic with the JSON error instead of dropping the connection.
func (s *Server) recovered(c *gin.Context, err any) {
	abort(c, s.log, fmt.Errorf("panic: %v", err))
}
