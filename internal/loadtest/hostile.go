package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"apisearch/catalog"
)

// Hostile phases: normal traffic alone, then normal traffic while one attack runs. The
// autocomplete phase, in a hostile run, floods suggestions for random prefixes.
const (
	Baseline         = "baseline"           // normal traffic alone
	Words40          = "words40"            // queries of 40 short made-up words
	ZeroResult       = "zero-result"        // words of random letters: nothing is found
	LongWordsFilters = "long-words-filters" // words as long as a query allows, every filter repeated to its limit
	CacheBust        = "cache-bust"         // every query distinct, 100 results a page
	Methods          = "methods"            // made-up HTTP methods
	IPv6Spoof        = "ipv6-spoof"         // every request from a fresh IPv6 network
	IdleConns        = "idle-conns"         // connections opened, then held idle
	HostileCatalog   = "hostile-catalog"    // files of thousands of unknown keys written into the catalogue
)

// HostilePhases lists every hostile phase, in the order they run.
var HostilePhases = []string{Baseline, Words40, ZeroResult, LongWordsFilters, CacheBust, Methods, IPv6Spoof, Autocomplete, IdleConns, HostileCatalog}

// What normal traffic should get under every attack.
const (
	TargetP99 = 50 * time.Millisecond // normal traffic's 99th percentile latency
	TargetRSS = 300 << 20             // the service's peak resident memory, bytes
)

// Limits of the service that the attacks go up to.
const (
	maxURI          = 8 << 10 // bytes of a request URI
	maxQuery        = 200     // characters of q
	maxFilterValues = 50      // values of one filter parameter
	maxPerPage      = 100
)

// HostileConfig tunes a hostile run. Zero values take the defaults given.
type HostileConfig struct {
	BaseURL string // the service, e.g. http://127.0.0.1:8080; it must trust 127.0.0.1's X-Forwarded-For
	PID     int    // the service's process: its resident memory is sampled
	// CatalogDir is the catalogue folder the service follows: hostile-catalog writes its files
	// into its entries' folder (api/ or apis/) and removes them after the phase.
	CatalogDir string
	Duration   time.Duration // per phase
	Phases     []string
	// RateLimit is the service's requests per second per client address: an attack sends
	// Attackers times as many, each of its addresses at its limit.
	RateLimit         float64
	Attackers         int           // addresses an attack comes from; default 200
	AttackConnections int           // concurrent connections of an attack; default 32
	NormalConnections int           // connections of normal traffic, each from its own address; default 8
	NormalInterval    time.Duration // between a normal connection's requests; default 100ms
	IdleConns         int           // connections idle-conns holds; default 1000
	CatalogFiles      int           // files hostile-catalog writes; default 20
	Seed              uint64
}

func (cfg HostileConfig) withDefaults() HostileConfig {
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&cfg.Attackers, 200)
	set(&cfg.AttackConnections, 32)
	set(&cfg.NormalConnections, 8)
	set(&cfg.IdleConns, 1000)
	set(&cfg.CatalogFiles, 20)
	if cfg.NormalInterval <= 0 {
		cfg.NormalInterval = 100 * time.Millisecond
	}
	return cfg
}

// HostileResult is one hostile phase's figures.
type HostileResult struct {
	Phase string
	// Normal traffic: requests, those that failed (no answer, or a status other than 200 and
	// 304), and latency percentiles.
	Normal, NormalErrors int
	NormalP50, NormalP99 time.Duration
	// The attack: requests sent (for idle-conns, the request each connection opens with) and
	// their rate; answered with any status but 429, refused with 429, or not answered.
	AttackSent     int
	AttackRate     float64
	AttackAnswered int
	AttackRefused  int
	AttackFailed   int
	PeakRSS        int64  // bytes: the service's highest resident memory sampled during the phase
	Note           string // what the attack did beyond requests
}

// misses lists how the phase missed the targets.
func (r HostileResult) misses() []string {
	var m []string
	if r.NormalP99 >= TargetP99 {
		m = append(m, "normal p99 "+ms(r.NormalP99)+" ms")
	}
	if r.PeakRSS >= TargetRSS {
		m = append(m, fmt.Sprintf("peak RSS %d MB", r.PeakRSS>>20))
	}
	if r.NormalErrors > 0 {
		m = append(m, fmt.Sprintf("%d normal requests failed", r.NormalErrors))
	}
	return m
}

// Hostile runs every phase in turn: normal search-box traffic measured alone, then while each
// attack runs, with requests drawn from the catalogue. On an error or when ctx is done it
// returns the phases measured so far.
func Hostile(ctx context.Context, cfg HostileConfig, c *catalog.Catalog) ([]HostileResult, error) {
	cfg = cfg.withDefaults()
	if cfg.RateLimit <= 0 {
		return nil, errors.New("the service's rate limit is needed to pace the attacks")
	}
	for _, phase := range cfg.Phases {
		if !slices.Contains(HostilePhases, phase) {
			return nil, fmt.Errorf("unknown hostile phase %q (want %s)", phase, strings.Join(HostilePhases, ", "))
		}
	}
	normal := &locked{w: newWorkload(c, cfg.Seed)}
	attack := &locked{w: newWorkload(c, cfg.Seed+1)}
	var results []HostileResult
	for i, phase := range cfg.Phases {
		r, err := hostilePhase(ctx, cfg, phase, i, normal, attack)
		if err != nil {
			return results, fmt.Errorf("phase %s: %w", phase, err)
		}
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		results = append(results, r)
	}
	return results, nil
}

// locked is a workload shared by goroutines.
type locked struct {
	mu sync.Mutex
	w  *workload
}

// hostilePhase runs normal traffic for the phase's duration while the phase's attack runs,
// sampling the service's memory until the attack has cleaned up. Attackers come from
// addresses of their own in each phase (10.n.x.y for the phase's position n), so that no
// phase inherits the rate-limit debts of another.
func hostilePhase(ctx context.Context, cfg HostileConfig, phase string, position int, normal, attack *locked) (HostileResult, error) {
	r := HostileResult{Phase: phase}
	rss, err := sampleRSS(cfg.PID)
	if err != nil {
		return r, err
	}
	phaseCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	block := position%254 + 1
	counts := &attackCounts{}
	var attackErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		switch phase {
		case Baseline:
		case IdleConns:
			counts = holdIdle(phaseCtx, cfg, block)
		case HostileCatalog:
			r.Note, attackErr = hostileCatalog(phaseCtx, ctx, cfg, attack)
		default:
			counts = flood(phaseCtx, cfg, attack, attackRequests(phase, attack.w, cfg.Attackers, block))
		}
	})
	start := time.Now()
	latencies, errs := normalTraffic(phaseCtx, cfg, normal)
	elapsed := time.Since(start)
	wg.Wait()
	r.PeakRSS, err = rss()
	if attackErr != nil {
		return r, attackErr
	}
	if err != nil {
		return r, err
	}
	slices.Sort(latencies)
	r.Normal, r.NormalErrors = len(latencies), errs
	r.NormalP50, r.NormalP99 = percentile(latencies, .50), percentile(latencies, .99)
	r.AttackSent = int(counts.sent.Load())
	r.AttackRate = float64(r.AttackSent) / elapsed.Seconds()
	r.AttackAnswered, r.AttackRefused = int(counts.answered.Load()), int(counts.refused.Load())
	r.AttackFailed = r.AttackSent - r.AttackAnswered - r.AttackRefused
	if phase == IdleConns {
		r.Note = fmt.Sprintf("%d connections opened, each with one request, and held idle to the end of the phase", r.AttackAnswered+r.AttackRefused)
	}
	return r, nil
}

// percentile returns the p-quantile of sorted latencies, 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// send makes one request from the client address addr (as X-Forwarded-For) and reads the
// answer through. The body is asked gzipped and not unpacked, as drive does.
func send(ctx context.Context, client *http.Client, method, target, addr string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// normalTraffic sends the search box's requests over cfg.NormalConnections connections, each
// from its own address and one request every cfg.NormalInterval at most (a connection waits
// for its answer: a late answer delays its next request), until ctx is done. It returns the
// latencies, from the request sent to the answer read, and how many failed.
func normalTraffic(ctx context.Context, cfg HostileConfig, normal *locked) ([]time.Duration, int) {
	var mu sync.Mutex
	var latencies []time.Duration
	errs := 0
	var wg sync.WaitGroup
	for i := range cfg.NormalConnections {
		wg.Go(func() {
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			addr := fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)
			var mine []time.Duration
			bad := 0
			// Connections start spread over one interval rather than all at once.
			due := time.Now().Add(cfg.NormalInterval * time.Duration(i) / time.Duration(cfg.NormalConnections))
			for sleepUntil(ctx, due) {
				normal.mu.Lock()
				target := normal.w.pick(normal.w.pool)
				normal.mu.Unlock()
				t0 := time.Now()
				status, err := send(ctx, client, http.MethodGet, cfg.BaseURL+target, addr)
				if ctx.Err() != nil {
					break // cut by the end of the phase: not counted
				}
				mine = append(mine, time.Since(t0))
				if err != nil || status != http.StatusOK && status != http.StatusNotModified {
					bad++
				}
				if due = due.Add(cfg.NormalInterval); due.Before(time.Now()) {
					due = time.Now() // late: the missed requests are not sent
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return latencies, errs
}

// sleepUntil waits until t and reports whether ctx is still going.
func sleepUntil(ctx context.Context, t time.Time) bool {
	if d := time.Until(t); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
		}
	}
	return ctx.Err() == nil
}

// attackCounts counts an attack's requests.
type attackCounts struct {
	sent, answered, refused atomic.Int64
}

// count records one request sent, by its answer.
func (a *attackCounts) count(status int, err error) {
	a.sent.Add(1)
	switch {
	case err != nil:
	case status == http.StatusTooManyRequests:
		a.refused.Add(1)
	default:
		a.answered.Add(1)
	}
}

// attackRequest is one request of an attack.
type attackRequest struct {
	method, target, addr string
}

// attackRequests returns the generator of the phase's requests: the n-th request comes from
// the n-th of attackers addresses in turn, in the block's 10.block.0.0/16, so that each
// address sends 1/attackers of the attack. Calls are serialised by the caller.
func attackRequests(phase string, w *workload, attackers, block int) func(n int) attackRequest {
	get := func(n int, target string) attackRequest {
		i := n % attackers
		return attackRequest{http.MethodGet, target, fmt.Sprintf("10.%d.%d.%d", block, i/250, i%250+1)}
	}
	accesses := []string{string(catalog.AccessOpen), string(catalog.AccessAccount), string(catalog.AccessRestricted)}
	switch phase {
	case Words40:
		return func(n int) attackRequest {
			words := make([]string, 40)
			for i := range words {
				words[i] = w.letters(2 + w.rng.IntN(3))
			}
			return get(n, "/search?q="+url.QueryEscape(strings.Join(words, " ")))
		}
	case ZeroResult:
		return func(n int) attackRequest {
			words := make([]string, 1+w.rng.IntN(3))
			for i := range words {
				words[i] = w.letters(8 + w.rng.IntN(7))
			}
			return get(n, "/search?q="+url.QueryEscape(strings.Join(words, " ")))
		}
	case LongWordsFilters:
		return func(n int) attackRequest {
			half := (maxQuery - 1) / 2
			var b strings.Builder
			b.WriteString("/search?q=" + url.QueryEscape(w.letters(half)+" "+w.letters(half)))
			add := func(name string, values []string, i int) {
				if len(values) == 0 {
					return
				}
				p := "&" + name + "=" + url.QueryEscape(values[(n+i)%len(values)])
				if b.Len()+len(p) <= maxURI {
					b.WriteString(p)
				}
			}
			for i := range maxFilterValues {
				add("producer", w.producers, i)
				add("theme", w.themes, i)
				add("access", accesses, i)
			}
			return get(n, b.String())
		}
	case CacheBust:
		return func(n int) attackRequest {
			return get(n, "/search?per_page="+strconv.Itoa(maxPerPage)+"&q="+url.QueryEscape(w.distinctQuery()))
		}
	case Methods:
		return func(n int) attackRequest {
			r := get(n, "/search?q="+url.QueryEscape(w.pick(w.words)))
			r.method = strings.ToUpper(w.letters(4 + w.rng.IntN(7)))
			return r
		}
	case IPv6Spoof:
		return func(n int) attackRequest {
			r := get(n, w.pick(w.pool))
			r.addr = fmt.Sprintf("2001:db8:%x:%x::%x", w.rng.IntN(1<<16), w.rng.IntN(1<<16), 1+w.rng.IntN(1<<16))
			return r
		}
	case Autocomplete:
		return func(n int) attackRequest {
			return get(n, "/autocomplete?q="+url.QueryEscape(w.letters(1+w.rng.IntN(6))))
		}
	}
	panic("no requests for phase " + phase) // Hostile checked the phases
}

// flood sends the attack's requests over cfg.AttackConnections connections until ctx is
// done, paced at cfg.Attackers times the rate limit: the most that many addresses may send.
// When the service answers too slowly to keep the pace, the requests more than a second late
// are dropped rather than sent in a burst.
func flood(ctx context.Context, cfg HostileConfig, attack *locked, next func(n int) attackRequest) *attackCounts {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: cfg.AttackConnections, MaxConnsPerHost: cfg.AttackConnections}}
	defer client.CloseIdleConnections()
	interval := max(time.Microsecond, time.Duration(float64(time.Second)/(float64(cfg.Attackers)*cfg.RateLimit)))
	n, due := 0, time.Now()
	take := func() (attackRequest, time.Time) {
		attack.mu.Lock()
		defer attack.mu.Unlock()
		if late := time.Since(due); late > time.Second {
			skip := int(late / interval)
			n, due = n+skip, due.Add(time.Duration(skip)*interval)
		}
		r, at := next(n), due
		n, due = n+1, due.Add(interval)
		return r, at
	}
	counts := &attackCounts{}
	var wg sync.WaitGroup
	for range cfg.AttackConnections {
		wg.Go(func() {
			for {
				r, at := take()
				if !sleepUntil(ctx, at) {
					return
				}
				status, err := send(ctx, client, r.method, cfg.BaseURL+r.target, r.addr)
				if ctx.Err() != nil {
					return // cut by the end of the phase: not counted
				}
				counts.count(status, err)
			}
		})
	}
	wg.Wait()
	return counts
}

// holdIdle opens cfg.IdleConns connections, sends one request on each from the attack's
// addresses, then holds them idle until ctx is done.
func holdIdle(ctx context.Context, cfg HostileConfig, block int) *attackCounts {
	counts := &attackCounts{}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return counts
	}
	var mu sync.Mutex
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	var opened atomic.Int64
	var wg sync.WaitGroup
	for range cfg.AttackConnections {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(opened.Add(1)) - 1
				if i >= cfg.IdleConns {
					return
				}
				addr := fmt.Sprintf("10.%d.%d.%d", block, i%cfg.Attackers/250, i%cfg.Attackers%250+1)
				c, status, err := openIdle(ctx, u.Host, addr)
				if c != nil {
					mu.Lock()
					held = append(held, c)
					mu.Unlock()
				}
				counts.count(status, err)
			}
		})
	}
	wg.Wait()
	<-ctx.Done()
	return counts
}

// openIdle opens a connection to host and sends a GET /healthz from addr on it; the connection
// is returned, to be held, once the answer is read.
func openIdle(ctx context.Context, host, addr string) (net.Conn, int, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, 0, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\nX-Forwarded-For: %s\r\n\r\n", host, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		c.Close()
		return nil, 0, err
	}
	c.SetDeadline(time.Time{})
	return c, resp.StatusCode, nil
}

// Files of the hostile-catalog phase.
const (
	hostileKeys   = 5000
	hostilePrefix = "zz-hostile-"
)

// hostileCatalog writes cfg.CatalogFiles entry files into the catalogue folder over the first
// half of the phase, each an existing entry followed by thousands of unknown keys, as large as
// the loader reads a file; once ctx is done it removes them and waits, while run goes on, until
// the service no longer serves them. It returns what happened, for the report.
func hostileCatalog(ctx, run context.Context, cfg HostileConfig, attack *locked) (string, error) {
	dir := filepath.Join(cfg.CatalogDir, "api")
	if _, err := os.Stat(dir); err != nil {
		dir = filepath.Join(cfg.CatalogDir, "apis")
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("the catalogue's entries folder: %w", err)
	}
	var template, ext string
	for _, e := range names {
		if ext = filepath.Ext(e.Name()); !e.IsDir() && (ext == ".md" || ext == ".yaml") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return "", err
			}
			template = string(data)
			break
		}
	}
	if template == "" {
		return "", fmt.Errorf("no entry file in %s to start the hostile files from", dir)
	}
	first := hostilePrefix + "00"
	gen0 := generation(run, cfg.BaseURL)
	var written []string
	defer func() {
		for _, p := range written {
			os.Remove(p)
		}
	}()
	size := 0
	for i := range cfg.CatalogFiles {
		if i > 0 && !sleepUntil(ctx, time.Now().Add(cfg.Duration/time.Duration(2*cfg.CatalogFiles))) {
			break
		}
		attack.mu.Lock()
		data, err := hostileEntry(template, ext, attack.w)
		attack.mu.Unlock()
		if err != nil {
			return "", err
		}
		p := filepath.Join(dir, fmt.Sprintf("%s%02d%s", hostilePrefix, i, ext))
		written = append(written, p)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
		size = len(data)
	}
	<-ctx.Done()
	served := status(run, cfg.BaseURL+"/apis/"+first) == http.StatusOK
	gen1 := generation(run, cfg.BaseURL)
	for _, p := range written {
		if err := os.Remove(p); err != nil {
			return "", err
		}
	}
	n := len(written)
	written = nil
	removed := time.Now()
	deadline := removed.Add(30 * time.Second)
	for status(run, cfg.BaseURL+"/apis/"+first) != http.StatusNotFound {
		if !sleepUntil(run, time.Now().Add(100*time.Millisecond)) {
			return "", run.Err()
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("the service still serves %s 30 s after its file was removed", first)
		}
	}
	note := fmt.Sprintf("%d files of %d unknown keys (%.1f MB each) written into %s/ over the first half of the phase", n, hostileKeys, float64(size)/(1<<20), filepath.Base(dir))
	if !served {
		return note + fmt.Sprintf(", not yet served at the end of the phase (index generation %d → %d); removed after the phase", gen0, gen1), nil
	}
	return note + fmt.Sprintf(", served by the end of the phase (index generation %d → %d); removed after the phase, gone from the index %.1f s later",
		gen0, gen1, time.Since(removed).Seconds()), nil
}

// hostileEntry returns the template entry file with hostileKeys unknown keys of random letters
// added to its fields, all with the same value, the whole just under the loader's size cap.
func hostileEntry(template, ext string, w *workload) ([]byte, error) {
	head, tail := template, ""
	if ext == ".md" {
		// Front matter: the keys go before the line that closes it.
		end := strings.Index(template[min(3, len(template)):], "\n---")
		if !strings.HasPrefix(template, "---") || end < 0 {
			return nil, errors.New("the template entry has no front matter")
		}
		head, tail = template[:3+end+1], template[3+end+1:]
	}
	if !strings.HasSuffix(head, "\n") {
		head += "\n"
	}
	const keyLength = 16 // "k" + 10 letters + "_" + 4 digits
	line := (catalog.MaxFileSize-len(head)-len(tail)-1024)/hostileKeys - keyLength - len(": \n")
	if line < 1 {
		return nil, errors.New("the template entry is too large to add the keys to")
	}
	value := w.letters(line)
	var b strings.Builder
	b.WriteString(head)
	for i := range hostileKeys {
		fmt.Fprintf(&b, "k%s_%04d: %s\n", w.letters(10), i, value)
	}
	b.WriteString(tail)
	return []byte(b.String()), nil
}

// probe is the client of the requests that check the service's state.
var probe = &http.Client{Timeout: 5 * time.Second}

// status returns the status of a GET of target from an address of its own, 0 when it fails.
func status(ctx context.Context, target string) int {
	s, err := send(ctx, probe, http.MethodGet, target, "10.255.255.254")
	if err != nil {
		return 0
	}
	return s
}

// generation returns the index generation that /readyz reports, 0 when it cannot tell.
func generation(ctx context.Context, base string) uint64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return 0
	}
	resp, err := probe.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var body struct{ Generation uint64 }
	if json.NewDecoder(resp.Body).Decode(&body) != nil {
		return 0
	}
	return body.Generation
}

// sampleRSS samples the resident memory of process pid every 100 ms, until the function it
// returns is called; that function returns the highest sample.
func sampleRSS(pid int) (func() (int64, error), error) {
	peak, err := ProcessMemory(pid, "VmRSS")
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	var sampled sync.WaitGroup
	var sampleErr error
	sampled.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			rss, err := ProcessMemory(pid, "VmRSS")
			if err != nil {
				sampleErr = err
				return
			}
			peak = max(peak, rss)
		}
	})
	return func() (int64, error) {
		close(done)
		sampled.Wait()
		return peak, sampleErr
	}, nil
}

// ProcessMemory returns a memory field of /proc/<pid>/status in bytes: VmRSS is the resident
// memory now, VmHWM its peak over the process's life.
func ProcessMemory(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	for line := range strings.Lines(string(data)) {
		if value, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("memory of process %d: %s: %w", pid, field, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("memory of process %d: no %s in /proc/%d/status", pid, field, pid)
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

// ReportHostile writes the results as a Markdown table, then the notes of the phases, then
// whether every phase met the targets.
func ReportHostile(out io.Writer, results []HostileResult) {
	fmt.Fprintln(out, "| phase | normal req | normal errors | normal p50 ms | normal p99 ms | attack req/s sent | attack answered | attack 429 | peak RSS MB |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		rate, answered, refused := "–", "–", "–"
		if r.AttackSent > 0 {
			rate, answered, refused = fmt.Sprintf("%.0f", r.AttackRate), strconv.Itoa(r.AttackAnswered), strconv.Itoa(r.AttackRefused)
		}
		fmt.Fprintf(out, "| %s | %d | %d | %s | %s | %s | %s | %s | %d |\n", r.Phase, r.Normal, r.NormalErrors,
			ms(r.NormalP50), ms(r.NormalP99), rate, answered, refused, r.PeakRSS>>20)
	}
	fmt.Fprintln(out)
	for _, r := range results {
		if r.Note != "" {
			fmt.Fprintf(out, "- %s: %s\n", r.Phase, r.Note)
		}
		if r.AttackFailed > 0 {
			fmt.Fprintf(out, "- %s: %d attack requests got no answer\n", r.Phase, r.AttackFailed)
		}
	}
	var missed []string
	for _, r := range results {
		if m := r.misses(); len(m) > 0 {
			missed = append(missed, r.Phase+" ("+strings.Join(m, ", ")+")")
		}
	}
	target := fmt.Sprintf("normal p99 < %v ms, peak RSS < %d MB, no normal request failed", TargetP99.Milliseconds(), TargetRSS>>20)
	if len(missed) == 0 {
		fmt.Fprintf(out, "\nEvery phase above met the targets (%s).\n", target)
	} else {
		fmt.Fprintf(out, "\nTargets (%s) missed by: %s.\n", target, strings.Join(missed, "; "))
	}
}
