// Package loadtest drives a running apisearch over HTTP with the traffic of a search box, for a
// fixed time per phase, and reports throughput and latency percentiles per phase, with the
// service's own /healthz as the floor that every phase is compared to, and the CPU time the
// service's process spends per request. Its side-by-side mode (Compare) sends the same distinct
// searches to two search services, apisearch or another engine, in interleaved rounds. Its
// hostile mode (Hostile) measures that traffic alone, then while each of a list of attacks
// runs, with the service's peak memory.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"apisearch/catalog"

	"github.com/gin-gonic/gin"
)

// Phase names.
const (
	// BareGin is the floor of a gin handler over HTTP: a bare gin engine in the load tool's
	// own process answering what /healthz answers, with no middleware, to tell what the
	// service's chain adds to /healthz.
	BareGin        = "bare-gin"
	Healthz        = "healthz"
	Search         = "search"          // a search box's mix: prefixes, whole queries, facets, browsing; queries repeat
	SearchDistinct = "search-distinct" // every query distinct: no cache can help
	Autocomplete   = "autocomplete"
)

// DistinctSearch is the request of the search-distinct phase, {q} standing for the query
// URL-escaped: what the search page asks for a query (first page, 20 hits, by relevance; the
// answer always holds the three facets and the highlights).
const DistinctSearch = "/search?q={q}&page=1&per_page=20&sort=relevance"

// Phases lists every phase, in the order they run.
var Phases = []string{BareGin, Healthz, Search, SearchDistinct, Autocomplete}

// Config tunes a run.
type Config struct {
	BaseURL     string        // the service, e.g. http://127.0.0.1:8080
	Duration    time.Duration // per phase
	Connections int
	Phases      []string
	Seed        uint64
	// PID is the process whose CPU time each phase counts (the service's, or the load tool's
	// own when the service runs inside it); 0: none.
	PID int
}

// Result is one phase's figures.
type Result struct {
	Phase      string
	Requests   int
	Errors     int // transport errors and statuses other than 200 and 304
	Throughput float64
	P50, P95   time.Duration
	P99        time.Duration
	Ratio      float64       // throughput over /healthz's, when measured in the same run
	CPU        time.Duration // user and system time of the measured process over the phase
	CPUKnown   bool          // whether a process was measured
}

// CPUPerRequest returns the CPU time of the measured process per request answered, in
// milliseconds; false when no process was measured or no request answered.
func (r Result) CPUPerRequest() (float64, bool) {
	answered := r.Requests - r.Errors
	if !r.CPUKnown || answered <= 0 {
		return 0, false
	}
	return r.CPU.Seconds() * 1000 / float64(answered), true
}

// cpuCell formats CPUPerRequest for a report's table.
func cpuCell(r Result) string {
	v, ok := r.CPUPerRequest()
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.3f", v)
}

// Run runs every phase in turn against the service, with requests drawn from the catalogue.
func Run(ctx context.Context, cfg Config, c *catalog.Catalog) ([]Result, error) {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Connections, MaxConnsPerHost: cfg.Connections},
	}
	defer client.CloseIdleConnections()
	w := newWorkload(c, cfg.Seed)
	var results []Result
	floor := 0.0
	for _, phase := range cfg.Phases {
		next, err := w.generator(phase)
		if err != nil {
			return nil, err
		}
		base, pcfg, stop := cfg.BaseURL, cfg, func() {}
		if phase == BareGin {
			if base, stop, err = bareGin(); err != nil {
				return nil, err
			}
			// The bare engine runs here: its CPU is this process's.
			pcfg.PID = os.Getpid()
		}
		r, err := drive(ctx, client, pcfg, phase, func(ctx context.Context) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, base+next(), nil)
		})
		stop()
		if err != nil {
			return nil, err
		}
		if phase == Healthz {
			floor = r.Throughput
		}
		results = append(results, r)
	}
	for i := range results {
		if floor > 0 {
			results[i].Ratio = results[i].Throughput / floor
		}
	}
	return results, ctx.Err()
}

// bareGin serves a bare gin engine on loopback, answering /healthz's JSON, and returns its URL
// and what stops it.
func bareGin() (string, func(), error) {
	engine := gin.New()
	engine.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("bare gin: %w", err)
	}
	srv := &http.Server{Handler: engine, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// drive sends the requests next makes over the connections for the phase's duration, and
// counts the CPU time process cfg.PID spends meanwhile. Calls to next are serialised.
func drive(ctx context.Context, client *http.Client, cfg Config, phase string, next func(context.Context) (*http.Request, error)) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var mu sync.Mutex
	var latencies []time.Duration
	errs := 0
	var cpu0 time.Duration
	if cfg.PID != 0 {
		var err error
		if cpu0, err = ProcessCPU(cfg.PID); err != nil {
			return Result{}, err
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range cfg.Connections {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil {
				mu.Lock()
				req, err := next(ctx)
				mu.Unlock()
				if err != nil {
					return
				}
				t0 := time.Now()
				// Asked for explicitly, gzip is not decompressed by the client: like wrk, the
				// tool reads the bytes a browser would get without spending the cores it shares
				// with the service on unpacking them.
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if ctx.Err() != nil {
					break // cut by the end of the phase: not counted
				}
				mine = append(mine, time.Since(t0))
				if err != nil || resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified {
					bad++
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	r := Result{Phase: phase, Requests: len(latencies), Errors: errs, Throughput: float64(len(latencies)) / elapsed.Seconds(),
		P50: percentile(latencies, .50), P95: percentile(latencies, .95), P99: percentile(latencies, .99)}
	if cfg.PID != 0 {
		cpu1, err := ProcessCPU(cfg.PID)
		if err != nil {
			return r, err
		}
		r.CPU, r.CPUKnown = cpu1-cpu0, true
	}
	return r, nil
}

// workload holds the words a run draws its requests from.
type workload struct {
	rng       *rand.Rand
	words     []string // catalogue keywords and title words
	themes    []string
	producers []string // producers' slugs
	pool      []string // the search box's requests, repeating
	prefixes  []string // what is typed before suggestions are asked
	distinct  map[string]bool
}

func newWorkload(c *catalog.Catalog, seed uint64) *workload {
	w := &workload{rng: rand.New(rand.NewPCG(seed, 7)), distinct: map[string]bool{}}
	for _, e := range c.Entries {
		w.words = append(w.words, e.Keywords...)
		w.words = append(w.words, strings.Fields(strings.TrimPrefix(e.Title, "API "))...)
	}
	for _, t := range c.Themes() {
		w.themes = append(w.themes, t.Value)
	}
	for slug := range c.Producers {
		w.producers = append(w.producers, slug)
	}
	slices.Sort(w.producers)
	// A search box: people type a word letter by letter, then the whole word, sometimes a
	// second one, sometimes tick a facet; some only browse.
	for len(w.pool) < 600 && len(w.words) > 0 {
		word := w.pick(w.words)
		runes := []rune(word)
		for n := 3; n <= len(runes); n++ {
			w.pool = append(w.pool, "/search?q="+url.QueryEscape(string(runes[:n])))
			w.prefixes = append(w.prefixes, string(runes[:n]))
		}
		w.pool = append(w.pool,
			"/search?q="+url.QueryEscape(word+" "),
			"/search?q="+url.QueryEscape(word+" "+w.pick(w.words)+" "),
			"/search?q="+url.QueryEscape(word+" ")+"&access=open",
			"/search?q="+url.QueryEscape(word+" ")+"&theme="+url.QueryEscape(w.pick(w.themes)),
			"/search?page=2",
			"/search")
	}
	return w
}

func (w *workload) pick(list []string) string { return list[w.rng.IntN(len(list))] }

// letters returns n random lowercase letters: a made-up word.
func (w *workload) letters(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(w.rng.IntN(26))
	}
	return string(b)
}

// distinctQuery returns two catalogue words never returned before, as the search page sends
// them: trimmed, so that the last word may be a prefix.
func (w *workload) distinctQuery() string {
	for {
		q := w.pick(w.words) + " " + w.pick(w.words)
		if len(w.distinct) >= 100*len(w.words) {
			q += " " + w.letters(6) // the pairs run short: a made-up word makes it new
		}
		if utf8.RuneCountInString(q) <= maxQuery && !w.distinct[q] {
			w.distinct[q] = true
			return q
		}
	}
}

// generator returns the phase's next request; calls are serialised by the caller.
func (w *workload) generator(phase string) (func() string, error) {
	switch phase {
	case Healthz, BareGin:
		return func() string { return "/healthz" }, nil
	case Search:
		return func() string { return w.pick(w.pool) }, nil
	case SearchDistinct:
		return func() string { return fill(DistinctSearch, w.distinctQuery()) }, nil
	case Autocomplete:
		return func() string { return "/autocomplete?q=" + url.QueryEscape(w.pick(w.prefixes)) }, nil
	}
	return nil, fmt.Errorf("unknown phase %q (want %s)", phase, strings.Join(Phases, ", "))
}

// Report writes the results as a Markdown table.
func Report(out io.Writer, results []Result) {
	fmt.Fprintln(out, "| phase | requests | errors | req/s | ratio to /healthz | p50 ms | p95 ms | p99 ms | CPU ms/req |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		fmt.Fprintf(out, "| %s | %d | %d | %.0f | %.0f %% | %s | %s | %s | %s |\n", r.Phase, r.Requests, r.Errors, r.Throughput,
			100*r.Ratio, ms(r.P50), ms(r.P95), ms(r.P99), cpuCell(r))
	}
}
