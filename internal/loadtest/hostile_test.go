package loadtest

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"apisearch/catalog"
	"apisearch/internal/reindex"
	"apisearch/internal/server"
	"apisearch/internal/watch"

	"github.com/gin-gonic/gin"
)

// TestHostile runs every hostile phase, shortened, against the service in this process, set up
// as serve sets it up (rate limit, trusted proxy, watched catalogue folder), and checks what a
// user reads in the report: every phase sent requests and normal traffic got its answers.
// Latencies and memory are not checked: they belong in load runs, not in tests.
func TestHostile(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := filepath.Join(t.TempDir(), "catalog")
	if err := os.CopyFS(dir, catalog.Default()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	r, err := reindex.New(ctx, reindex.Config{Logger: log, Open: func() (fs.FS, func(), error) {
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, nil, err
		}
		return root.FS(), func() { root.Close() }, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := watch.New(watch.Config{Dir: dir, Debounce: 20 * time.Millisecond, Logger: log}, r.Apply)
	if err != nil {
		t.Fatal(err)
	}
	var watching sync.WaitGroup
	watching.Go(func() { _ = w.Run(ctx) })
	defer watching.Wait()
	defer cancel()
	gin.SetMode(gin.TestMode)
	h, err := server.New(server.Config{Logger: log, RateLimit: 20, TrustedProxies: []string{"127.0.0.1"}}, r.Live().Acquire)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ix, release := r.Live().Acquire()
	c := ix.Catalog()
	release()

	results, err := Hostile(ctx, HostileConfig{BaseURL: srv.URL, PID: os.Getpid(), CatalogDir: dir, Duration: 300 * time.Millisecond,
		Phases: HostilePhases, RateLimit: 20, Attackers: 20, AttackConnections: 4, IdleConns: 50, CatalogFiles: 3, Seed: 1}, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(HostilePhases) {
		t.Fatalf("%d results for %d phases", len(results), len(HostilePhases))
	}
	for _, res := range results {
		attacked := res.Phase != Baseline && res.Phase != HostileCatalog
		if res.Normal == 0 || res.NormalErrors != 0 || res.NormalP99 < res.NormalP50 || res.PeakRSS <= 0 ||
			attacked && (res.AttackSent == 0 || res.AttackAnswered+res.AttackRefused == 0) {
			t.Errorf("phase %s: %+v", res.Phase, res)
		}
	}
	if n := results[len(results)-1]; n.Phase != HostileCatalog || !strings.Contains(n.Note, " files of 5000 unknown keys (1.0 MB each)") {
		t.Errorf("hostile-catalog's note: %q", n.Note)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "apis", hostilePrefix+"*"))
	if len(left) > 0 {
		t.Errorf("hostile files left in the catalogue: %v", left)
	}

	var out strings.Builder
	ReportHostile(&out, results)
	for _, phase := range HostilePhases {
		if !strings.Contains(out.String(), "\n| "+phase+" | ") {
			t.Errorf("no row for %s in the report:\n%s", phase, out.String())
		}
	}
	if !strings.Contains(out.String(), "| phase | normal req |") || !strings.Contains(out.String(), "normal p99 < 50 ms") {
		t.Errorf("report:\n%s", out.String())
	}
}

// TestStartService builds the binary, runs it over a copy of the default catalogue through one
// short hostile phase, and checks that the memory measured is the child's and that Close stops
// it and removes its folder.
func TestStartService(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no build of the binary")
	}
	ctx := context.Background()
	svc, err := StartService(ctx, ServiceConfig{Catalog: catalog.Default(), RateLimit: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if svc.PID == os.Getpid() || !strings.HasPrefix(svc.BaseURL, "http://127.0.0.1:") {
		t.Fatalf("service %+v", svc)
	}
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	results, err := Hostile(ctx, HostileConfig{BaseURL: svc.BaseURL, PID: svc.PID, CatalogDir: svc.CatalogDir, Duration: 300 * time.Millisecond,
		Phases: []string{Words40}, RateLimit: 20, Attackers: 20, AttackConnections: 4, Seed: 1}, c)
	if err != nil {
		t.Fatal(err)
	}
	if r := results[0]; r.Normal == 0 || r.NormalErrors != 0 || r.AttackSent == 0 || r.PeakRSS <= 0 {
		t.Errorf("%+v", r)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(svc.CatalogDir); !os.IsNotExist(err) {
		t.Errorf("catalogue copy still there: %v", err)
	}
	if _, err := ProcessMemory(svc.PID, "VmRSS"); err == nil {
		t.Errorf("process %d still runs after Close", svc.PID)
	}
}
