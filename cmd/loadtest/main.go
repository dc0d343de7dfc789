// Command loadtest starts apisearch on loopback over a catalogue and drives it with a search
// box's traffic, phase by phase, then prints throughput and latency percentiles per phase
// against the service's own /healthz:
//
//	go run ./cmd/loadtest --catalog ../shared/catalogs/apigouv --duration 10s --connections 32
//	go run ./cmd/loadtest --synthetic 100000
//
// With --hostile it runs the apisearch binary (built, or --binary) as a child process over a
// copy of the catalogue, measures a search box's traffic alone, then while each attack runs at
// the most the rate limit lets many addresses send, and prints normal traffic's latency and
// the service's peak memory per attack:
//
//	go run ./cmd/loadtest --hostile --catalog ../shared/catalogs/apigouv --phase-duration 10s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"apisearch/catalog"
	"apisearch/internal/catgen"
	"apisearch/internal/loadtest"
	"apisearch/internal/reindex"
	"apisearch/internal/server"

	"github.com/gin-gonic/gin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("catalog", "", "catalogue folder (default: the embedded default catalogue)")
	synthetic := fl.Int("synthetic", 0, "generate a synthetic catalogue of this many entries, learnt from --catalog")
	duration := fl.Duration("duration", 5*time.Second, "how long each phase lasts")
	connections := fl.Int("connections", 32, "concurrent connections")
	phases := fl.String("phases", strings.Join(loadtest.Phases, ","), "phases to run, in order (with --hostile, default: "+strings.Join(loadtest.HostilePhases, ",")+")")
	noCache := fl.Bool("no-answer-cache", false, "turn the service's answer cache off, to measure what it brings")
	hostile := fl.Bool("hostile", false, "run the apisearch binary and measure normal traffic alone, then under each attack (--connections is then the attack's)")
	phaseDuration := fl.Duration("phase-duration", 10*time.Second, "with --hostile: how long each phase lasts")
	binary := fl.String("binary", "", "with --hostile: the apisearch binary to run (default: built from this module)")
	rateLimit := fl.Float64("rate-limit", 20, "with --hostile: the service's --rate-limit, that each attacking address keeps to")
	attackers := fl.Int("attackers", 200, "with --hostile: the client addresses each attack comes from")
	if err := fl.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *hostile && *noCache {
		return errors.New("--no-answer-cache is not a flag of the apisearch binary that --hostile runs")
	}
	if *hostile && !given["phases"] {
		*phases = strings.Join(loadtest.HostilePhases, ",")
	}

	open := func() (fs.FS, func(), error) { return catalog.Default(), func() {}, nil }
	if *dir != "" {
		open = func() (fs.FS, func(), error) {
			root, err := os.OpenRoot(*dir)
			if err != nil {
				return nil, nil, err
			}
			return root.FS(), func() { root.Close() }, nil
		}
	}
	if *synthetic > 0 {
		fsys, closeFn, err := open()
		if err != nil {
			return err
		}
		sample, err := catalog.Load(fsys)
		closeFn()
		if err != nil {
			return err
		}
		generated := catgen.Generate(sample, *synthetic, 42)
		open = func() (fs.FS, func(), error) { return generated, func() {}, nil }
	}

	if *hostile {
		fsys, closeFn, err := open()
		if err != nil {
			return err
		}
		defer closeFn()
		return runHostile(ctx, stdout, stderr, fsys, *binary, loadtest.HostileConfig{Duration: *phaseDuration,
			Phases: strings.Split(*phases, ","), RateLimit: *rateLimit, Attackers: *attackers, AttackConnections: *connections, Seed: 1})
	}

	// No access log: the run measures the service, not the formatting of its log lines.
	log := slog.New(slog.DiscardHandler)
	start := time.Now()
	r, err := reindex.New(ctx, reindex.Config{Open: open, Logger: log})
	if err != nil {
		return err
	}
	defer r.Close()
	built := time.Since(start)
	gin.SetMode(gin.ReleaseMode)
	handler, err := server.New(server.Config{Logger: log, NoAnswerCache: *noCache}, r.Live().Acquire)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	defer srv.Close()

	ix, release := r.Live().Acquire()
	c := ix.Catalog()
	release()
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)
	fmt.Fprintf(stdout, "%d entries indexed in %v (heap %d MB); %d cores; %d connections, %v per phase\n\n",
		len(c.Entries), built.Round(time.Millisecond), mem.HeapAlloc>>20, runtime.NumCPU(), *connections, *duration)
	results, err := loadtest.Run(ctx, loadtest.Config{BaseURL: "http://" + ln.Addr().String(), Duration: *duration,
		Connections: *connections, Phases: strings.Split(*phases, ","), Seed: 1}, c)
	if err != nil {
		return err
	}
	loadtest.Report(stdout, results)
	return nil
}

// runHostile starts the binary over a copy of the catalogue, runs the hostile phases against
// it, prints their table and the service's peak memory over the run, and stops it.
func runHostile(ctx context.Context, stdout, stderr io.Writer, fsys fs.FS, binary string, cfg loadtest.HostileConfig) error {
	c, err := catalog.Load(fsys)
	if err != nil {
		return err
	}
	svc, err := loadtest.StartService(ctx, loadtest.ServiceConfig{Binary: binary, Catalog: fsys, RateLimit: cfg.RateLimit, Stderr: stderr})
	if err != nil {
		return err
	}
	defer svc.Close()
	cfg.BaseURL, cfg.PID, cfg.CatalogDir = svc.BaseURL, svc.PID, svc.CatalogDir
	fmt.Fprintf(stdout, "%s (pid %d) serving %d entries on %s; %d cores; rate limit %g/s per address; attacks from %d addresses over %d connections; %v per phase\n\n",
		svc.Binary, svc.PID, len(c.Entries), svc.BaseURL, runtime.NumCPU(), cfg.RateLimit, cfg.Attackers, cfg.AttackConnections, cfg.Duration)
	results, err := loadtest.Hostile(ctx, cfg, c)
	if len(results) > 0 {
		loadtest.ReportHostile(stdout, results)
		if hwm, err := loadtest.ProcessMemory(svc.PID, "VmHWM"); err == nil {
			fmt.Fprintf(stdout, "Peak resident memory of the service over the whole run (VmHWM): %d MB.\n", hwm>>20)
		}
	}
	return err
}
