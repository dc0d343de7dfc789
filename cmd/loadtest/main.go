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
//
// Side by side, it runs the apisearch binary (built, or --binary) and sends distinct searches to
// it and to another search endpoint, or to a second apisearch binary, in interleaved rounds,
// and prints each side's medians, CPU time per request included, and their ratio:
//
//	go run ./cmd/loadtest --catalog ../shared/catalogs/apigouv --other-binary /tmp/apisearch-before/apisearch
//	go run ./cmd/loadtest --catalog ../shared/catalogs/apigouv --other-pid "$(pidof meilisearch)" \
//		--other-url http://127.0.0.1:7700/indexes/apis/search --other-header "Authorization: Bearer $KEY" \
//		--other-body '{"q":{q},"limit":20,"facets":["producer","themes","access"]}'
//
// --export-documents FILE writes the catalogue's entries as a JSON array of flat documents, for
// the other engine to index the same entries.
package main

import (
	"context"
	"encoding/json"
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
	binary := fl.String("binary", "", "with --hostile or side by side: the apisearch binary to run (default: built from this module)")
	rateLimit := fl.Float64("rate-limit", 20, "with --hostile: the service's --rate-limit, that each attacking address keeps to")
	attackers := fl.Int("attackers", 200, "with --hostile: the client addresses each attack comes from")
	otherURL := fl.String("other-url", "", "side by side with another search endpoint: its URL, {q} standing for the query URL-escaped")
	otherBody := fl.String("other-body", "", "with --other-url: POST this JSON, {q} standing for the query as a JSON string")
	otherHeader := http.Header{}
	fl.Func("other-header", "with --other-url: a header 'Name: value' sent with every request (repeatable)", func(s string) error {
		name, value, ok := strings.Cut(s, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("header %q: want Name: value", s)
		}
		otherHeader.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		return nil
	})
	otherPID := fl.Int("other-pid", 0, "with --other-url: the process serving it, whose CPU time is counted")
	otherBinary := fl.String("other-binary", "", "side by side with another apisearch binary (e.g. built from an older commit), run on the same catalogue")
	rounds := fl.Int("rounds", 3, "side by side: rounds of one phase per side (A, B, A, B…)")
	export := fl.String("export-documents", "", "write the catalogue's entries as a JSON array of flat documents to this file, and stop")
	if err := fl.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	sideBySide := *otherURL != "" || *otherBinary != ""
	for _, name := range []string{"other-body", "other-header", "other-pid"} {
		if given[name] && *otherURL == "" {
			return fmt.Errorf("--%s goes with --other-url", name)
		}
	}
	switch {
	case *otherURL != "" && *otherBinary != "":
		return errors.New("--other-url and --other-binary: one other side at a time")
	case sideBySide && *hostile:
		return errors.New("--hostile is not a side-by-side run: drop --other-url and --other-binary")
	case sideBySide && given["phases"]:
		return errors.New("a side-by-side run measures the search-distinct phase only: drop --phases")
	case (sideBySide || *hostile) && *noCache:
		return errors.New("--no-answer-cache is not a flag of the apisearch binary that --hostile and side-by-side runs start")
	case *rounds < 1:
		return fmt.Errorf("--rounds %d: want 1 or more", *rounds)
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

	if *export != "" {
		fsys, closeFn, err := open()
		if err != nil {
			return err
		}
		defer closeFn()
		return exportDocuments(stdout, fsys, *export)
	}

	if sideBySide {
		fsys, closeFn, err := open()
		if err != nil {
			return err
		}
		defer closeFn()
		other := loadtest.Endpoint{URL: *otherURL, Body: *otherBody, Header: otherHeader, PID: *otherPID}
		return runSideBySide(ctx, stdout, stderr, fsys, *binary, *otherBinary, other,
			loadtest.CompareConfig{Duration: *duration, Connections: *connections, Rounds: *rounds, Seed: 1})
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
	fmt.Fprintf(stdout, "%d entries indexed in %v (heap %d MB); %d cores; %d connections, %v per phase\n",
		len(c.Entries), built.Round(time.Millisecond), mem.HeapAlloc>>20, runtime.NumCPU(), *connections, *duration)
	fmt.Fprintf(stdout, "CPU ms/req: this process's, which runs both the service and the load tool (side by side, each service's own)\n\n")
	results, err := loadtest.Run(ctx, loadtest.Config{BaseURL: "http://" + ln.Addr().String(), Duration: *duration,
		Connections: *connections, Phases: strings.Split(*phases, ","), Seed: 1, PID: os.Getpid()}, c)
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

// runSideBySide starts the binary (side A) and, when otherBinary is given, that one (side B,
// else the other endpoint) on the catalogue, runs the rounds of distinct searches and prints
// their tables.
func runSideBySide(ctx context.Context, stdout, stderr io.Writer, fsys fs.FS, binary, otherBinary string, other loadtest.Endpoint, cfg loadtest.CompareConfig) error {
	c, err := catalog.Load(fsys)
	if err != nil {
		return err
	}
	// No rate limit: the load tool is one client sending as fast as it can.
	a, err := loadtest.StartService(ctx, loadtest.ServiceConfig{Binary: binary, Catalog: fsys, Stderr: stderr})
	if err != nil {
		return err
	}
	defer a.Close()
	cfg.A = apisearchEndpoint(a)
	cfg.B = other
	cfg.B.Name = fmt.Sprintf("GET %s", other.URL)
	if other.Body != "" {
		cfg.B.Name = fmt.Sprintf("POST %s %s", other.URL, other.Body)
	}
	if other.PID != 0 {
		cfg.B.Name += fmt.Sprintf(" (pid %d)", other.PID)
	}
	if otherBinary != "" {
		b, err := loadtest.StartService(ctx, loadtest.ServiceConfig{Binary: otherBinary, Catalog: fsys, Stderr: stderr})
		if err != nil {
			return err
		}
		defer b.Close()
		cfg.B = apisearchEndpoint(b)
	}
	fmt.Fprintf(stdout, "%d entries; %d cores; distinct searches over %d connections, %v per phase, %d rounds (A, B, A, B…)\n",
		len(c.Entries), runtime.NumCPU(), cfg.Connections, cfg.Duration, cfg.Rounds)
	rounds, err := loadtest.Compare(ctx, cfg, c)
	if len(rounds) > 0 {
		loadtest.ReportCompare(stdout, cfg, rounds)
	}
	return err
}

// apisearchEndpoint is the search-distinct request of a running apisearch.
func apisearchEndpoint(s *loadtest.Service) loadtest.Endpoint {
	return loadtest.Endpoint{URL: s.BaseURL + loadtest.DistinctSearch, PID: s.PID,
		Name: fmt.Sprintf("%s (pid %d), GET %s", s.Binary, s.PID, loadtest.DistinctSearch)}
}

// exportDocuments writes the catalogue's entries to path as a JSON array of flat documents.
func exportDocuments(stdout io.Writer, fsys fs.FS, path string) error {
	c, err := catalog.Load(fsys)
	if err != nil {
		return err
	}
	data, err := json.Marshal(loadtest.Documents(c))
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("export documents: %w", err)
	}
	fmt.Fprintf(stdout, "%d documents written to %s\n", len(c.Entries), path)
	return nil
}
