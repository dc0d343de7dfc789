package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/server"

	"github.com/gin-gonic/gin"
)

// serveConfig is the configuration of the serve command.
type serveConfig struct {
	Addr    string
	Catalog string
}

// serve loads the catalogue and answers HTTP until ctx is done.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var cfg serveConfig
	fl.StringVar(&cfg.Addr, "addr", ":8080", "address to listen on")
	fl.StringVar(&cfg.Catalog, "catalog", "", "catalogue folder (default: ./catalog when run from the repository, else the embedded catalogue)")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitError(2)
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "apisearch serve: unexpected argument %q\n", fl.Arg(0))
		return exitError(2)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	c, name, err := loadCatalog(cfg.Catalog)
	if err != nil {
		return err
	}
	log.Info("catalogue loaded", "folder", name, "layout", c.Layout, "entries", len(c.Entries),
		"errors", c.Count(catalog.SeverityError), "warnings", c.Count(catalog.SeverityWarning))
	for _, p := range c.Problems {
		if p.Severity == catalog.SeverityError {
			log.Warn("catalogue entry skipped", "problem", p.String())
		}
	}

	start := time.Now()
	ix, err := index.Build(ctx, c, index.Config{})
	if err != nil {
		return err
	}
	defer ix.Close()
	log.Info("index built", "entries", len(c.Entries), "took", time.Since(start).Round(time.Millisecond))

	gin.SetMode(gin.ReleaseMode)
	handler := server.New(server.Config{Logger: log}, func() *index.Index { return ix })
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	log.Info("listening", "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "apisearch serving %d APIs on http://%s\n", len(c.Entries), ln.Addr())

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("shutting down")
	return srv.Shutdown(shutdownCtx)
}
