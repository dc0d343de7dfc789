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
	"os"
	"strings"
	"sync"
	"time"

	"apisearch/catalog"
	"apisearch/internal/reindex"
	"apisearch/internal/server"
	"apisearch/internal/watch"

	"github.com/gin-gonic/gin"
)

// serveConfig is the configuration of the serve command.
type serveConfig struct {
	Addr           string
	Catalog        string
	Watch          bool
	Debounce       time.Duration
	AdminTokenFile string
}

// serve loads the catalogue and answers HTTP until ctx is done.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var cfg serveConfig
	fl.StringVar(&cfg.Addr, "addr", ":8080", "address to listen on")
	fl.StringVar(&cfg.Catalog, "catalog", "", "catalogue folder (default: ./catalog when run from the repository, else the embedded catalogue)")
	fl.BoolVar(&cfg.Watch, "watch", true, "follow changes to the catalogue folder; false serves a frozen catalogue")
	fl.DurationVar(&cfg.Debounce, "debounce", 200*time.Millisecond, "quiet time that closes a batch of file changes")
	fl.StringVar(&cfg.AdminTokenFile, "admin-token-file", "", "file holding the admin token (else APISEARCH_ADMIN_TOKEN); no token, no admin endpoints")
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
	token, err := adminToken(cfg.AdminTokenFile, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "apisearch serve:", err)
		return exitError(2)
	}

	dir := catalogDir(cfg.Catalog)
	start := time.Now()
	r, err := reindex.New(ctx, reindex.Config{Open: opener(dir), Logger: log})
	if err != nil {
		return err
	}
	defer r.Close()
	st := r.Status()
	log.Info("catalogue indexed", "folder", catalogName(dir), "entries", st.Entries, "errors", st.Errors,
		"warnings", st.Warnings, "took", time.Since(start).Round(time.Millisecond))
	for _, p := range st.Problems {
		if p.Severity == catalog.SeverityError {
			log.Warn("catalogue entry skipped", "problem", p.String())
		}
	}

	var background sync.WaitGroup
	defer background.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Watch && dir != "" {
		w, err := watch.New(watch.Config{Dir: dir, Debounce: cfg.Debounce, Logger: log}, r.Apply)
		if err != nil {
			return err
		}
		r.SetWatcher(w.State)
		background.Go(func() {
			if err := w.Run(ctx); err != nil {
				log.Error("catalogue watcher stopped: changes are no longer followed", "err", err)
			}
		})
	}
	if token == "" {
		log.Info("admin endpoints disabled: no admin token configured")
	}

	gin.SetMode(gin.ReleaseMode)
	handler := server.New(server.Config{Logger: log, AdminToken: token, Admin: r}, r.Live().Acquire)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	log.Info("listening", "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "apisearch serving %d APIs on http://%s\n", st.Entries, ln.Addr())

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelShutdown()
	log.Info("shutting down")
	return srv.Shutdown(shutdownCtx)
}

// adminToken reads the admin token from file, else from APISEARCH_ADMIN_TOKEN; "" disables
// admin. A file that cannot be read, or holds an empty token, is a configuration error.
func adminToken(file string, getenv func(string) string) (string, error) {
	if file == "" {
		return strings.TrimSpace(getenv("APISEARCH_ADMIN_TOKEN")), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("admin token file: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("admin token file %s is empty", file)
	}
	return token, nil
}
