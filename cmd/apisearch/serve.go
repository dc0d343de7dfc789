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
	"sync"
	"sync/atomic"
	"time"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/reindex"
	"apisearch/internal/server"
	"apisearch/internal/watch"

	"github.com/gin-gonic/gin"
	"golang.org/x/net/netutil"
)

// HTTP server limits: slow or huge requests are cut before they cost anything.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 32 << 10
	shutdownTimeout   = 10 * time.Second
)

// serve answers HTTP until ctx is done: it listens at once (ready after the first index is
// built, /readyz and the log's "serving" line say when), follows the catalogue folder, and
// stops gracefully. It writes only its log, on stderr.
func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseServeConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		fmt.Fprintln(stderr, "apisearch serve: invalid configuration:", err)
		return exitError(2)
	}
	log := newLogger(cfg, stderr)
	dir := catalogDir(cfg.Catalog)

	var ready atomic.Pointer[reindex.Reindexer]
	source := func() (*index.Index, func()) {
		if r := ready.Load(); r != nil {
			return r.Live().Acquire()
		}
		return nil, nil
	}
	admin := func() server.Admin {
		if r := ready.Load(); r != nil {
			return r
		}
		return nil
	}
	build := readBuildInfo()
	registry := newRegistry(func() (reindex.Status, bool) {
		if r := ready.Load(); r != nil {
			return r.Status(), true
		}
		return reindex.Status{}, false
	}, build)
	rec, stopStats, err := openStats(cfg.DataDir, log)
	if err != nil {
		return err
	}
	// Deferred first, so run last: the statistics are saved once no request is served.
	defer stopStats()
	var draining atomic.Bool
	gin.SetMode(gin.ReleaseMode)
	handler, err := server.New(server.Config{
		Logger: log, AdminToken: cfg.AdminToken, Admin: admin, CORSOrigins: cfg.CORSOrigins, PublicURL: cfg.PublicURL,
		Build:     build.Version + " " + build.Commit,
		RateLimit: cfg.RateLimit, RateLimitClients: cfg.RateLimitClients, TrustedProxies: cfg.TrustedProxies,
		Registry: registry, AnswerCacheBytes: cfg.AnswerCacheBytes, ReindexWait: cfg.ReindexWait,
		Draining: draining.Load, Stats: rec,
	}, source)
	if err != nil {
		fmt.Fprintln(stderr, "apisearch serve: invalid configuration:", err)
		return exitError(2)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler: handler, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
	}
	ln = limitConnections(ln, srv, cfg.MaxConnections)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if cfg.AddrFile != "" {
		if err := writeAddrFile(cfg.AddrFile, ln.Addr().String()); err != nil {
			// Serving matters more than the file: healthcheck falls back to --addr.
			log.Warn("healthcheck cannot learn the address from a file: it uses --addr and APISEARCH_ADDR", "err", err)
		} else {
			defer os.Remove(cfg.AddrFile)
		}
	}
	log.Info("listening", "addr", ln.Addr().String(), "catalog", catalogName(dir), "admin", cfg.AdminToken != "",
		"cors_origins", cfg.CORSOrigins, "rate_limit", cfg.RateLimit, "watch", cfg.Watch && dir != "")
	if cfg.AdminToken == "" {
		log.Info("admin endpoints disabled: no admin token configured")
	}

	var indexCfg index.Config
	if cfg.IndexDir != "" {
		// Fails at once when another process holds the folder, rather than hanging on it.
		disk, err := index.OpenDisk(cfg.IndexDir)
		if err != nil {
			shutdown(srv, log)
			return err
		}
		defer disk.Close()
		indexCfg.Disk = disk
	}
	var background sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		background.Wait()
		if r := ready.Load(); r != nil {
			r.Close()
		}
	}()

	start := time.Now()
	r, err := reindex.New(ctx, reindex.Config{Open: opener(dir), Index: indexCfg, Logger: log})
	if err != nil {
		shutdown(srv, log)
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	ready.Store(r)
	st := r.Status()
	for _, p := range st.Problems {
		if p.Severity == catalog.SeverityError {
			log.Warn("catalogue entry skipped", "problem", p.String())
		}
	}
	log.Info("serving", "addr", ln.Addr().String(), "apis", st.Entries, "errors", st.Errors, "warnings", st.Warnings,
		"took_ms", time.Since(start).Milliseconds())

	if cfg.Watch && dir != "" {
		w, err := watch.New(watch.Config{Dir: dir, Debounce: cfg.Debounce, Logger: log}, r.Apply)
		if err != nil {
			shutdown(srv, log)
			return err
		}
		r.SetWatcher(w.State)
		background.Go(func() {
			if err := w.Run(ctx); err != nil {
				log.Error("catalogue watcher stopped: changes are no longer followed", "err", err)
			}
		})
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Readiness goes first, so that load balancers stop sending before the listener closes
	// and no connection waiting in its backlog is reset.
	draining.Store(true)
	if cfg.ShutdownDelay > 0 {
		log.Info("draining: /readyz answers 503", "delay", cfg.ShutdownDelay.String())
		time.Sleep(cfg.ShutdownDelay)
	}
	return shutdown(srv, log)
}

// limitConnections caps the open connections at max: past it, new ones wait in the
// listener's backlog. Idle keep-alive connections would otherwise hold the slots, so past
// three quarters of max they are closed and keep-alives stay off until half is free again.
func limitConnections(ln net.Listener, srv *http.Server, max int) net.Listener {
	var open atomic.Int64
	srv.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			if open.Add(1) >= int64(max*3/4) {
				srv.SetKeepAlivesEnabled(false)
			}
		case http.StateClosed, http.StateHijacked:
			if open.Add(-1) == int64(max/2) {
				srv.SetKeepAlivesEnabled(true)
			}
		}
	}
	return netutil.LimitListener(ln, max)
}

// shutdown stops accepting connections and waits, within a bound, for requests in flight.
func shutdown(srv *http.Server, log *slog.Logger) error {
	log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return srv.Shutdown(ctx)
}
