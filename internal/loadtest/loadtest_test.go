package loadtest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/server"

	"github.com/gin-gonic/gin"
)

// TestShortRun checks that the load tool works: every phase sends requests and gets answers.
// Its figures are not checked: timings belong in load runs, not in tests.
func TestShortRun(t *testing.T) {
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), c, index.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	gin.SetMode(gin.TestMode)
	h, err := server.New(server.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, func() (*index.Index, func()) { return ix, func() {} })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	results, err := Run(context.Background(), Config{BaseURL: srv.URL, Duration: 300 * time.Millisecond, Connections: 4, Phases: Phases, Seed: 1, PID: os.Getpid()}, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(Phases) {
		t.Fatalf("%d results for %d phases", len(results), len(Phases))
	}
	for _, r := range results {
		if r.Requests == 0 || r.Errors != 0 || r.P99 < r.P50 || r.Ratio <= 0 || !r.CPUKnown {
			t.Errorf("phase %s: %+v", r.Phase, r)
		}
	}
	var out strings.Builder
	Report(&out, results)
	if strings.Count(out.String(), "\n") != len(Phases)+2 || !strings.Contains(out.String(), "| search-distinct |") ||
		!strings.Contains(out.String(), "| CPU ms/req |") {
		t.Errorf("report:\n%s", out.String())
	}
}
