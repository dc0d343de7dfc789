package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"apisearch/catalog"
)

// Endpoint is a search service that a side-by-side run sends distinct queries to.
type Endpoint struct {
	Name string // how the report names it
	// URL is the request's address, where {q} stands for the query, URL-escaped.
	URL string
	// Body, when not empty, makes the request a POST of this JSON, where {q} stands for the
	// query as a JSON string.
	Body   string
	Header http.Header // added to every request
	PID    int         // the process whose CPU time is counted; 0: none
}

// fill returns the template with {q} replaced by the query, URL-escaped.
func fill(template, q string) string { return strings.ReplaceAll(template, "{q}", url.QueryEscape(q)) }

// fillJSON returns the template with {q} replaced by the query as a JSON string.
func fillJSON(template, q string) string {
	// A string always marshals.
	s, _ := json.Marshal(q)
	return strings.ReplaceAll(template, "{q}", string(s))
}

// check says whether the endpoint can be sent queries.
func (e Endpoint) check() error {
	if !strings.Contains(e.URL, "{q}") && !strings.Contains(e.Body, "{q}") {
		return fmt.Errorf("endpoint %s: neither its URL %q nor its body holds {q}", e.Name, e.URL)
	}
	u, err := url.Parse(fill(e.URL, "q"))
	if err != nil {
		return fmt.Errorf("endpoint %s: URL %q: %w", e.Name, e.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("endpoint %s: URL %q: want http:// or https:// and a host", e.Name, e.URL)
	}
	if e.Body != "" && !json.Valid([]byte(fillJSON(e.Body, "q"))) {
		return fmt.Errorf("endpoint %s: body %q is not JSON once {q} is replaced by a JSON string", e.Name, e.Body)
	}
	return nil
}

// request makes the endpoint's request for query q.
func (e Endpoint) request(ctx context.Context, q string) (*http.Request, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if e.Body != "" {
		method, body = http.MethodPost, strings.NewReader(fillJSON(e.Body, q))
	}
	req, err := http.NewRequestWithContext(ctx, method, fill(e.URL, q), body)
	if err != nil {
		return nil, err
	}
	for name, values := range e.Header {
		req.Header[name] = values
	}
	if e.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// CompareConfig tunes a side-by-side run.
type CompareConfig struct {
	A, B        Endpoint
	Duration    time.Duration // per phase
	Connections int
	Rounds      int
	Seed        uint64
}

// Round is one round of a side-by-side run: side A's phase, then side B's.
type Round struct{ A, B Result }

// Compare runs rounds of distinct searches, side A's phase then side B's, each of the
// configured duration: both sides are sent the same queries in the same order (two catalogue
// words each), and no query is sent twice to a side.
func Compare(ctx context.Context, cfg CompareConfig, c *catalog.Catalog) ([]Round, error) {
	for _, e := range []Endpoint{cfg.A, cfg.B} {
		if err := e.check(); err != nil {
			return nil, err
		}
	}
	if cfg.Rounds < 1 || cfg.Connections < 1 || cfg.Duration <= 0 {
		return nil, fmt.Errorf("rounds %d, connections %d, duration %v: want each above 0", cfg.Rounds, cfg.Connections, cfg.Duration)
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Connections, MaxConnsPerHost: cfg.Connections},
	}
	defer client.CloseIdleConnections()
	w := newWorkload(c, cfg.Seed)
	if len(w.words) == 0 {
		return nil, errors.New("the catalogue has no words to search for")
	}
	var queries []string
	start := 0 // the first query of the round: after every one sent in earlier rounds
	var rounds []Round
	for range cfg.Rounds {
		var round Round
		end := start
		for _, side := range []struct {
			e   Endpoint
			dst *Result
		}{{cfg.A, &round.A}, {cfg.B, &round.B}} {
			if ctx.Err() != nil {
				return rounds, ctx.Err()
			}
			i := start
			r, err := drive(ctx, client, Config{Duration: cfg.Duration, Connections: cfg.Connections, PID: side.e.PID}, SearchDistinct,
				func(ctx context.Context) (*http.Request, error) {
					for len(queries) <= i {
						queries = append(queries, w.distinctQuery())
					}
					i++
					return side.e.request(ctx, queries[i-1])
				})
			if err != nil {
				return rounds, err
			}
			*side.dst = r
			end = max(end, i)
		}
		start = end
		rounds = append(rounds, round)
	}
	return rounds, ctx.Err()
}

// ReportCompare writes each round's figures, then each side's medians over the rounds and
// their ratio B/A, as Markdown tables.
func ReportCompare(out io.Writer, cfg CompareConfig, rounds []Round) {
	fmt.Fprintf(out, "A: %s\nB: %s\n\n", cfg.A.Name, cfg.B.Name)
	fmt.Fprintln(out, "| round | side | requests | errors | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for i, round := range rounds {
		for _, side := range []struct {
			name string
			r    Result
		}{{"A", round.A}, {"B", round.B}} {
			r := side.r
			fmt.Fprintf(out, "| %d | %s | %d | %d | %.0f | %s | %s | %s | %s |\n", i+1, side.name, r.Requests, r.Errors,
				r.Throughput, ms(r.P50), ms(r.P95), ms(r.P99), cpuCell(r))
		}
	}
	fmt.Fprintf(out, "\n| median of %d rounds | A | B | B/A |\n", len(rounds))
	fmt.Fprintln(out, "|---|---|---|---|")
	figures := []struct {
		name   string
		format string
		value  func(Result) (float64, bool)
	}{
		{"req/s", "%.0f", func(r Result) (float64, bool) { return r.Throughput, true }},
		{"p50 ms", "%.2f", func(r Result) (float64, bool) { return milliseconds(r.P50), true }},
		{"p95 ms", "%.2f", func(r Result) (float64, bool) { return milliseconds(r.P95), true }},
		{"p99 ms", "%.2f", func(r Result) (float64, bool) { return milliseconds(r.P99), true }},
		{"CPU ms/req", "%.3f", Result.CPUPerRequest},
	}
	for _, f := range figures {
		var a, b []float64
		for _, round := range rounds {
			if v, ok := f.value(round.A); ok {
				a = append(a, v)
			}
			if v, ok := f.value(round.B); ok {
				b = append(b, v)
			}
		}
		cells := []string{"–", "–", "–"}
		if len(a) > 0 {
			cells[0] = fmt.Sprintf(f.format, median(a))
		}
		if len(b) > 0 {
			cells[1] = fmt.Sprintf(f.format, median(b))
		}
		if len(a) > 0 && len(b) > 0 && median(a) > 0 {
			cells[2] = fmt.Sprintf("%.2f", median(b)/median(a))
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s |\n", f.name, cells[0], cells[1], cells[2])
	}
	errs := [2]int{}
	for _, round := range rounds {
		errs[0] += round.A.Errors
		errs[1] += round.B.Errors
	}
	fmt.Fprintf(out, "| errors, all rounds | %d | %d | – |\n", errs[0], errs[1])
}

// milliseconds returns d in milliseconds to the microsecond, as ms prints it: a median of three
// rounds is then one of the rounds' figures.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// median returns the middle of the values, or the mean of the two middle ones.
func median(values []float64) float64 {
	sorted := slices.Sorted(slices.Values(values))
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
