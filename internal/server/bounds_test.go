package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"apisearch/catalog"

	"github.com/prometheus/client_golang/prometheus"
)

// metric reads one sample of the service's /metrics.
func metric(t *testing.T, h http.Handler, name string) float64 {
	t.Helper()
	body := do(h, "GET", "/metrics", nil).Body.String()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestAnswerCacheIsBoundedInBytes sends hundreds of distinct searches whose answers are large
// (a hundred hits each): the cache stays within its bound in bytes, and the heap within half
// as much again.
func TestAnswerCacheIsBoundedInBytes(t *testing.T) {
	c := bigCatalog(t, 150)
	const bound = 16 << 20
	h := newHandler(t, Config{AnswerCacheBytes: bound}, sourceOf(t, c))
	before := heapAfterGC()
	for i := range 400 {
		rec := do(h, "GET", fmt.Sprintf("/search?per_page=100&q=%s", word(i)), nil)
		if rec.Code != 200 {
			t.Fatalf("search %d = %d %s", i, rec.Code, rec.Body)
		}
	}
	if got := metric(t, h, "apisearch_answer_cache_bytes"); got > bound || got < bound/2 {
		t.Errorf("answer cache holds %.0f bytes, want near and within its bound of %d", got, bound)
	}
	// What the cache weighs is what it keeps alive: the heap grows by its bound and a little
	// more (the LRU's nodes, the cache's map, the index's own caches).
	if grown := int64(heapAfterGC()) - int64(before); grown > bound*3/2 {
		t.Errorf("the heap grew by %d bytes after 400 distinct large answers, want under %d", grown, bound*3/2)
	}
	// What is kept still answers: the last request is served from the cache.
	last := do(h, "GET", "/search?per_page=100&q="+word(399), nil)
	if last.Code != 200 || metric(t, h, "apisearch_answer_cache_entries") < 1 {
		t.Errorf("the cache keeps nothing")
	}
}

// word returns the i-th of the made-up words that every entry of bigCatalog holds.
func word(i int) string { return "mot" + strconv.Itoa(i) }

// bigCatalog returns n entries that all hold the words word(0) to word(399), with long
// taglines and bodies: every search for one of them finds every entry.
func bigCatalog(t *testing.T, n int) *catalog.Catalog {
	t.Helper()
	var words strings.Builder
	for i := range 400 {
		words.WriteString(word(i) + " ")
	}
	files := map[string]string{"producers/dinum.yaml": "name: Direction interministérielle du numérique\nacronym: DINUM\ntype: Ministère\n"}
	for i := range n {
		files[fmt.Sprintf("apis/api-%03d.yaml", i)] = fmt.Sprintf("title: API Service public %d\ntagline: Un service public de démonstration numéro %d, %s.\n"+
			"producer: dinum\nthemes: [Géographie]\naccess: open\ndescription: %s %s\n", i, i, strings.Repeat("avec des mots ", 10),
			strings.Repeat("Le service public décrit en détail. ", 30), words.String())
	}
	return catalogFromFiles(t, files)
}

// TestMetricLabelsAreBounded sends requests with made-up methods and paths: /metrics counts them
// under "other" and "unmatched", and does not grow with them.
func TestMetricLabelsAreBounded(t *testing.T) {
	h := newTestServer(t)
	do(h, "GET", "/healthz", nil)
	size := len(do(h, "GET", "/metrics", nil).Body.String())
	for i := range 2000 {
		do(h, fmt.Sprintf("M%dETHOD%s", i, strings.Repeat("X", i%50)), fmt.Sprintf("/made-up/%d", i), nil)
		do(h, "GET", fmt.Sprintf("/nowhere/%d", i), nil)
	}
	body := do(h, "GET", "/metrics", nil).Body.String()
	if strings.Contains(body, "ETHOD") || strings.Contains(body, "/made-up/") {
		t.Errorf("a made-up method or path became a metric label")
	}
	if !strings.Contains(body, `method="other"`) || !strings.Contains(body, `route="unmatched"`) {
		t.Errorf("made-up methods and paths are not counted as other / unmatched")
	}
	if grown := len(body) - size; grown > 16<<10 {
		t.Errorf("/metrics grew by %d bytes after 4 000 made-up requests", grown)
	}
}

// TestRateLimitKeys checks who shares a bucket: an IPv6 /64, the spellings of one IPv4 address;
// and that a flood of addresses keeps the limiter within its bound.
func TestRateLimitKeys(t *testing.T) {
	from := func(h http.Handler, addr string) int {
		req := httptest.NewRequest("GET", "/autocomplete?q=a", nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, tt := range []struct {
		name  string
		addrs func(i int) string
		limit bool
	}{
		{"one IPv6 /64, each request from another address of it", func(i int) string { return fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1) }, true},
		{"one IPv4 address and its IPv4-mapped spelling", func(i int) string {
			if i%2 == 0 {
				return "192.0.2.55:1000"
			}
			return "[::ffff:192.0.2.55]:1000"
		}, true},
		{"distinct IPv6 /64s", func(i int) string { return fmt.Sprintf("[2001:db8:%x::1]:443", i+1) }, false},
		{"distinct IPv4 addresses", func(i int) string { return fmt.Sprintf("192.0.2.%d:1000", i+1) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, Config{RateLimit: 5}, testSource(t))
			limited := 0
			for i := range 30 {
				if from(h, tt.addrs(i)) == 429 {
					limited++
				}
			}
			if got := limited > 0; got != tt.limit {
				t.Errorf("30 requests at once with a limit of 5/s (burst 10): %d limited, want limited = %v", limited, tt.limit)
			}
		})
	}
	t.Run("a flood of addresses", func(t *testing.T) {
		const bound = 1000
		h := newHandler(t, Config{RateLimit: 5, RateLimitClients: bound, Registry: prometheus.NewRegistry()}, testSource(t))
		before := heapAfterGC()
		for i := range 20 * bound {
			from(h, fmt.Sprintf("[2001:db8:%x:%x::1]:443", i>>16, i&0xffff))
		}
		if n := metric(t, h, "apisearch_ratelimit_clients"); n > bound {
			t.Errorf("the limiter tracks %.0f clients, want at most %d", n, bound)
		}
		if grown := int64(heapAfterGC()) - int64(before); grown > 2*bound*bucketBytes {
			t.Errorf("the heap grew by %d bytes for a bound of %d clients (%d bytes each)", grown, bound, bucketBytes)
		}
	})
}

// TestExpensiveSearchesAreCharged sends costly searches from one client and ordinary ones from
// another, at the same pace: the costly client is limited first.
func TestExpensiveSearchesAreCharged(t *testing.T) {
	h := newHandler(t, Config{RateLimit: 5, NoAnswerCache: true}, sourceOf(t, bigCatalog(t, 60)))
	served := func(addr string, query func(i int) string) int {
		ok := 0
		for i := range 20 {
			req := httptest.NewRequest("GET", "/search?q="+query(i), nil)
			req.RemoteAddr = addr
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == 200 {
				ok++
			}
		}
		return ok
	}
	costly := served("192.0.2.1:1", func(i int) string {
		return fmt.Sprintf("servixe+publik+demonstratoin+numeor+detial+%d&per_page=100", i)
	})
	cheap := served("192.0.2.2:1", func(i int) string { return fmt.Sprintf("service+%d", i) })
	if costly >= cheap {
		t.Errorf("of 20 requests at once, %d costly searches were served and %d ordinary ones: costly ones must be charged more", costly, cheap)
	}
	t.Logf("served: %d costly, %d ordinary (burst 10)", costly, cheap)
}

// TestHeadOnEveryGetRoute checks that monitors' HEAD requests get the GET answer's status and
// headers, without a body.
func TestHeadOnEveryGetRoute(t *testing.T) {
	h := newTestServer(t)
	for _, path := range []string{"/healthz", "/readyz", "/search?q=adresse", "/autocomplete?q=ad", "/apis", "/apis/api-adresse", "/les-api/api-adresse", "/", "/docs", "/stats", "/metrics", "/openapi.json"} {
		rec := do(h, "HEAD", path, nil)
		if rec.Code != 200 {
			t.Errorf("HEAD %s = %d, want 200", path, rec.Code)
		}
	}
	if rec := do(h, "HEAD", "/apis/nope", nil); rec.Code != 404 {
		t.Errorf("HEAD of an unknown API = %d, want 404", rec.Code)
	}
	admin := newHandler(t, Config{AdminToken: "t", Admin: func() Admin { return &fakeAdmin{} }}, testSource(t))
	for _, path := range []string{"/admin/status", "/admin/explain?q=adresse", "/admin/stats"} {
		if rec := do(admin, "HEAD", path, map[string]string{"Authorization": "Bearer t"}); rec.Code != 200 {
			t.Errorf("HEAD %s = %d, want 200", path, rec.Code)
		}
	}
}

// TestCORSRefusalsAndOrigins checks that a refused origin gets a JSON error, and that origins a
// browser never sends are a configuration error, not a panic.
func TestCORSRefusalsAndOrigins(t *testing.T) {
	h := newHandler(t, Config{CORSOrigins: []string{"https://api.gouv.fr"}}, testSource(t))
	rec := do(h, "GET", "/search?q=adresse", map[string]string{"Origin": "https://evil.example"})
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), `"code":"origin_not_allowed"`) {
		t.Errorf("a refused origin = %d %q, want 403 with a JSON error", rec.Code, rec.Body)
	}
	if rec := do(h, "GET", "/search?q=adresse", map[string]string{"Origin": "https://api.gouv.fr"}); rec.Code != 200 {
		t.Errorf("the allowed origin = %d", rec.Code)
	}
	for _, o := range []string{"example.gouv.fr", "https://example.gouv.fr/", "https://example.gouv.fr/path", "ftp://example.gouv.fr", "https://", "https://a.fr?x", "*.gouv.fr"} {
		if _, err := New(Config{CORSOrigins: []string{o}}, testSource(t)); err == nil {
			t.Errorf("origin %q accepted", o)
		}
	}
	for _, o := range []string{"https://api.gouv.fr", "http://localhost:3000", "*"} {
		if err := CheckOrigin(o); o != "*" && err != nil {
			t.Errorf("origin %q refused: %v", o, err)
		}
	}
}

// TestClientGoneIsNoError checks that a client that disconnects mid-request is not logged as an
// internal error.
func TestClientGoneIsNoError(t *testing.T) {
	var logs bytes.Buffer
	h := newHandler(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), NoAnswerCache: true}, testSource(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/search?q=adresse", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client gone is logged as an error:\n%s", logs.String())
	}
	if rec.Code != 499 {
		t.Errorf("status = %d, want 499 (client closed request) in the access log and metrics", rec.Code)
	}
}

// TestRedaction checks that secrets sent as query parameters never reach the logs.
func TestRedaction(t *testing.T) {
	for _, name := range []string{"token", "api_key", "Authorization", "password", "passwd", "pass", "secret", "client_secret", "session", "sig", "X-Amz-Credential", "jwt"} {
		if got := redact(name + "=hunter2&q=adresse"); strings.Contains(got, "hunter2") || !strings.Contains(got, "q=adresse") {
			t.Errorf("redact(%s=…) = %q", name, got)
		}
	}
}

// catalogFromFiles loads a catalogue in the project's layout from files in memory.
func catalogFromFiles(t *testing.T, files map[string]string) *catalog.Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	c, err := catalog.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
