package loadtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"apisearch/catalog"
)

// TestCompare runs the side-by-side mode against a fake engine that answers a constant JSON:
// side A by GET with {q} in the URL, side B by POST with {q} in a JSON body and a header.
// Its figures are not checked: timings belong in load runs, not in tests.
func TestCompare(t *testing.T) {
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]map[string]int{"/a": {}, "/b": {}} // path → q → times
	badHeader := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if r.Method == http.MethodPost {
			var body struct{ Q string }
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			q = body.Q
		}
		mu.Lock()
		if r.URL.Path == "/b" && r.Header.Get("Authorization") != "Bearer key" {
			badHeader++
		}
		if m := seen[r.URL.Path]; m != nil {
			m[q]++
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"hits":[],"estimatedTotalHits":0}`))
	}))
	defer srv.Close()

	cfg := CompareConfig{
		A:        Endpoint{Name: "fake by GET", URL: srv.URL + "/a?q={q}&limit=20", PID: os.Getpid()},
		B:        Endpoint{Name: "fake by POST", URL: srv.URL + "/b", Body: `{"q":{q},"limit":20}`, Header: http.Header{"Authorization": {"Bearer key"}}},
		Duration: 200 * time.Millisecond, Connections: 4, Rounds: 2, Seed: 1,
	}
	rounds, err := Compare(context.Background(), cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(rounds) != cfg.Rounds {
		t.Fatalf("%d rounds, want %d", len(rounds), cfg.Rounds)
	}
	for i, round := range rounds {
		for _, r := range []Result{round.A, round.B} {
			if r.Requests == 0 || r.Errors != 0 {
				t.Errorf("round %d: %+v", i+1, r)
			}
		}
		if !round.A.CPUKnown || round.B.CPUKnown {
			t.Errorf("round %d: CPU measured for A %v, for B %v; want A only", i+1, round.A.CPUKnown, round.B.CPUKnown)
		}
	}

	mu.Lock()
	for path, qs := range seen {
		if len(qs) == 0 {
			t.Errorf("%s was sent no query", path)
		}
		for q, n := range qs {
			if n > 1 || strings.Contains(q, "{q}") || len(strings.Fields(q)) < 2 {
				t.Errorf("%s got q=%q %d times; want two words or more, once", path, q, n)
			}
		}
	}
	// Each round sends both sides the same sequence: the queries of the side that sent fewer
	// are the other's too, but for the few cut by the end of a phase on each connection.
	common, want := 0, 0
	for q := range seen["/a"] {
		if seen["/b"][q] > 0 {
			common++
		}
	}
	for _, round := range rounds {
		want += min(round.A.Requests, round.B.Requests) - 2*cfg.Connections
	}
	if common == 0 || common < want {
		t.Errorf("A and B were sent %d queries in common, want %d at least", common, max(1, want))
	}
	if badHeader > 0 {
		t.Errorf("%d requests to /b without the Authorization header", badHeader)
	}
	mu.Unlock()

	var out strings.Builder
	ReportCompare(&out, cfg, rounds)
	report := out.String()
	for _, want := range []string{"A: fake by GET\n", "B: fake by POST\n", "| 1 | A |", "| 1 | B |", "| 2 | A |", "| 2 | B |", "| median of 2 rounds | A | B | B/A |"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if !regexp.MustCompile(`\| req/s \| \d+ \| \d+ \| \d+\.\d\d \|`).MatchString(report) {
		t.Errorf("report lacks the medians of req/s and their ratio:\n%s", report)
	}
	if !regexp.MustCompile(`\| CPU ms/req \| \d+\.\d{3} \| – \| – \|`).MatchString(report) {
		t.Errorf("report lacks A's CPU per request, or gives B's that was not measured:\n%s", report)
	}
}

func TestEndpointCheck(t *testing.T) {
	tests := []struct {
		name string
		e    Endpoint
		ok   bool
	}{
		{"GET", Endpoint{URL: "http://127.0.0.1:7700/indexes/apis/search?q={q}"}, true},
		{"POST", Endpoint{URL: "http://127.0.0.1:7700/indexes/apis/search", Body: `{"q":{q},"limit":20}`}, true},
		{"no {q}", Endpoint{URL: "http://127.0.0.1:7700/search?q=x"}, false},
		{"no scheme", Endpoint{URL: "127.0.0.1:7700/search?q={q}"}, false},
		{"body not JSON", Endpoint{URL: "http://127.0.0.1:7700/search", Body: `{"q":"{q}"}`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.e.check(); (err == nil) != tt.ok {
				t.Errorf("check() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
