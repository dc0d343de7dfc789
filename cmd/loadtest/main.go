// Command loadtest starts apisearch on loopback over a catalogue and drives it with a search
// box's traffic, phase by phase, then prints throughput and latency percentiles per phase
// against the service's own /healthz:
//
//	go run ./cmd/loadtest --catalog ../shared/catalogs/apigouv --duration 10s --connections 32
//	go run ./cmd/loadtest --synthetic 100000
package main

import (
	"context"
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
	phases := fl.String("phases", strings.Join(loadtest.Phases, ","), "phases to run, in order")
	noCache := fl.Bool("no-answer-cache", false, "turn the service's answer cache off, to measure what it brings")
	if err := fl.Parse(args); err != nil {
		return err
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
