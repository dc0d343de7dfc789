package server

import (
	"compress/gzip"
	"context"
	"maps"
	"slices"
	"testing/fstest"

	"apisearch/catalog"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"apisearch/index"
)

func do(h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.RemoteAddr = "192.0.2.10:1234"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestNotReady(t *testing.T) {
	h := newHandler(t, Config{AdminToken: "t"}, func() (*index.Index, func()) { return nil, nil })
	for _, path := range []string{"/readyz", "/search?q=a", "/autocomplete?q=a", "/apis"} {
		if rec := do(h, "GET", path, nil); rec.Code != 503 || !strings.Contains(rec.Body.String(), `"code":"not_ready"`) {
			t.Errorf("%s before the first index = %d %s, want 503 not_ready", path, rec.Code, rec.Body)
		}
	}
	if rec := do(h, "GET", "/healthz", nil); rec.Code != 200 {
		t.Errorf("/healthz before the first index = %d, want 200: the process is alive", rec.Code)
	}
	if rec := do(h, "GET", "/admin/status", map[string]string{"Authorization": "Bearer t"}); rec.Code != 503 {
		t.Errorf("/admin/status before the first index = %d, want 503", rec.Code)
	}
	ready := newTestServer(t)
	if rec := do(ready, "GET", "/readyz", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"generation":1`) {
		t.Errorf("/readyz = %d %s, want 200 with the generation", rec.Code, rec.Body)
	}
}

func TestETagAndCacheControl(t *testing.T) {
	h := newTestServer(t)
	first := do(h, "GET", "/search?q=adresse", nil)
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || first.Header().Get("Cache-Control") != cacheControl {
		t.Fatalf("first answer: %d, ETag %q, Cache-Control %q", first.Code, etag, first.Header().Get("Cache-Control"))
	}
	again := do(h, "GET", "/search?q=adresse", map[string]string{"If-None-Match": etag})
	if again.Code != 304 || again.Body.Len() != 0 {
		t.Errorf("revalidation with the ETag = %d (%d bytes), want 304 and no body", again.Code, again.Body.Len())
	}
	other := do(h, "GET", "/search?q=entreprise", map[string]string{"If-None-Match": etag})
	if other.Code != 200 || other.Header().Get("ETag") == etag {
		t.Errorf("another query with the first ETag = %d, ETag %q: want 200 and its own ETag", other.Code, other.Header().Get("ETag"))
	}
	bad := do(h, "GET", "/search?page=0", nil)
	if bad.Header().Get("ETag") != "" || bad.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("an error is cacheable: ETag %q, Cache-Control %q", bad.Header().Get("ETag"), bad.Header().Get("Cache-Control"))
	}
	// "If-None-Match: *" holds for any current answer; a request that has none gets its error.
	for target, want := range map[string]int{"/search?page=0": 400, "/apis/nope": 404, "/les-api/nope": 404, "/search?q=adresse": 304} {
		rec := do(h, "GET", target, map[string]string{"If-None-Match": "*"})
		if rec.Code != want {
			t.Errorf("GET %s with If-None-Match: * = %d, want %d", target, rec.Code, want)
		}
		if want == 404 && (rec.Header().Get("ETag") != "" || rec.Header().Get("Cache-Control") != "no-store") {
			t.Errorf("GET %s: a 404 is cacheable: ETag %q, Cache-Control %q", target, rec.Header().Get("ETag"), rec.Header().Get("Cache-Control"))
		}
	}
}

// TestETagFollowsBuildAndCatalogue starts servers as restarts and replicas would: each at
// generation 1. An ETag matches only where the build and the catalogue are the same.
func TestETagFollowsBuildAndCatalogue(t *testing.T) {
	files := map[string]string{
		"producers/dinum.yaml":  "name: DINUM\ntype: Ministère\n",
		"apis/api-adresse.yaml": "title: API Adresse\naccess: open\nproducer: dinum\n",
	}
	etag := func(build string, files map[string]string) string {
		h := newHandler(t, Config{Build: build}, sourceOf(t, catalogFromFiles(t, files)))
		rec := do(h, "GET", "/search?q=adresse", nil)
		if rec.Code != 200 || rec.Header().Get("ETag") == "" {
			t.Fatalf("GET /search?q=adresse = %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
		}
		return rec.Header().Get("ETag")
	}
	first := etag("v1 abc", files)
	if again := etag("v1 abc", files); again != first {
		t.Errorf("same build, same catalogue: ETag %s, then %s: want the same", first, again)
	}
	if deployed := etag("v2 def", files); deployed == first {
		t.Errorf("another build answers with the ETag of the first, %s", first)
	}
	edited := maps.Clone(files)
	edited["apis/api-adresse.yaml"] = "title: API Adresse renommée\naccess: open\nproducer: dinum\n"
	if changed := etag("v1 abc", edited); changed == first {
		t.Errorf("another catalogue answers with the ETag of the first, %s", first)
	}
}

func TestGzip(t *testing.T) {
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, Config{}, sourceOf(t, c))
	rec := do(h, "GET", "/apis", map[string]string{"Accept-Encoding": "gzip"})
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !strings.Contains(string(body), `"slug":"api-adresse"`) {
		t.Errorf("gzipped body = %.200s", body)
	}
	// What a client accepts, as Accept-Encoding says it: names in any case, weights, "*".
	for header, gzipped := range map[string]bool{
		"gzip, deflate, br": true, "GZIP": true, "x-gzip": true, "br;q=1.0, gzip;q=0.8": true, "*": true,
		"identity, gzip;q=0": false, "gzip; q=0.000": false, "*;q=0": false, "gzip;q=0, *": false, "br": false,
		"identity": false, "": false, "gzip;q=x": false, "*, gzip;q=0": false,
	} {
		rec := do(h, "GET", "/apis", map[string]string{"Accept-Encoding": header})
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != gzipped {
			t.Errorf("Accept-Encoding %q: gzipped %v, want %v", header, got, gzipped)
		}
	}
	// A small answer is not worth compressing.
	rec = do(h, "GET", "/autocomplete?q=zzzz", map[string]string{"Accept-Encoding": "gzip"})
	if rec.Header().Get("Content-Encoding") != "" || !strings.Contains(rec.Body.String(), `"suggestions":[]`) {
		t.Errorf("small answer: Content-Encoding %q, body %s; want it plain", rec.Header().Get("Content-Encoding"), rec.Body)
	}
}

func TestCORS(t *testing.T) {
	h := newHandler(t, Config{CORSOrigins: []string{"https://api.gouv.fr"}, AdminToken: "t"}, testSource(t))
	preflight := map[string]string{"Origin": "https://api.gouv.fr", "Access-Control-Request-Method": "GET"}
	if rec := do(h, "OPTIONS", "/search", preflight); rec.Code != 204 || rec.Header().Get("Access-Control-Allow-Origin") != "https://api.gouv.fr" {
		t.Errorf("preflight from the site = %d, Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	if rec := do(h, "GET", "/search?q=a", map[string]string{"Origin": "https://api.gouv.fr"}); rec.Header().Get("Access-Control-Allow-Origin") != "https://api.gouv.fr" {
		t.Errorf("GET from the site: no Allow-Origin")
	}
	// Answers vary with the Origin, with one or without: a shared cache keeps them apart.
	for _, headers := range []map[string]string{nil, {"Origin": "https://api.gouv.fr"}, {"Origin": "http://example.com"}} {
		rec := do(h, "GET", "/search?q=adresse", headers)
		if vary := rec.Header().Values("Vary"); !slices.Contains(vary, "Origin") || !slices.Contains(vary, "Accept-Encoding") {
			t.Errorf("GET with %v: Vary %q, want Origin and Accept-Encoding", headers, vary)
		}
	}
	// With every origin allowed, an answer to a request without one allows every origin too.
	anyOrigin := newHandler(t, Config{CORSOrigins: []string{"*"}}, testSource(t))
	for _, headers := range []map[string]string{nil, {"Origin": "https://api.gouv.fr"}} {
		if rec := do(anyOrigin, "GET", "/search?q=adresse", headers); rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("every origin allowed, GET with %v: Allow-Origin %q, want *", headers, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	}
	evil := map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
	if rec := do(h, "OPTIONS", "/search", evil); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin allowed")
	}
	for _, origin := range []string{"https://api.gouv.fr", "https://evil.example"} {
		rec := do(h, "OPTIONS", "/admin/reindex", map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST"})
		if rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Code < 400 {
			t.Errorf("admin preflight from %s = %d, Allow-Origin %q: admin must never answer CORS", origin, rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	}
	if rec := do(anyOrigin, "GET", "/apis", map[string]string{"Origin": "https://anyone.example"}); rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf(`"*" configured: Allow-Origin = %q`, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	none := newTestServer(t)
	if rec := do(none, "GET", "/apis", map[string]string{"Origin": "https://api.gouv.fr"}); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no origin configured, yet CORS answered")
	}
}

func TestRateLimit(t *testing.T) {
	h := newHandler(t, Config{RateLimit: 5, AdminToken: "t", Admin: func() Admin { return &fakeAdmin{} }}, testSource(t))
	limited := 0
	var last *httptest.ResponseRecorder
	for range 30 {
		if rec := do(h, "GET", "/autocomplete?q=a", nil); rec.Code == 429 {
			limited++
			last = rec
		}
	}
	if limited == 0 {
		t.Fatal("30 requests at once with a limit of 5/s (burst 10): none limited")
	}
	if last.Header().Get("Retry-After") == "" || !strings.Contains(last.Body.String(), `"code":"rate_limited"`) {
		t.Errorf("429 without Retry-After or JSON error: %v %s", last.Header(), last.Body)
	}
	// Another client is not affected; admin and probes are never limited.
	req := httptest.NewRequest("GET", "/autocomplete?q=a", nil)
	req.RemoteAddr = "198.51.100.7:1"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("another client = %d, want 200", rec.Code)
	}
	if rec := do(h, "GET", "/admin/status", map[string]string{"Authorization": "Bearer t"}); rec.Code != 200 {
		t.Errorf("admin after the limit = %d, want 200", rec.Code)
	}
	if rec := do(h, "GET", "/healthz", nil); rec.Code != 200 {
		t.Errorf("healthz after the limit = %d, want 200", rec.Code)
	}
	// X-Forwarded-For is not believed without trusted proxies: a client cannot escape.
	if rec := do(h, "GET", "/autocomplete?q=a", map[string]string{"X-Forwarded-For": "203.0.113.99"}); rec.Code != 429 {
		t.Errorf("a spoofed X-Forwarded-For escaped the rate limit: %d", rec.Code)
	}
}

func TestTrustedProxies(t *testing.T) {
	var logs strings.Builder
	h := newHandler(t, Config{TrustedProxies: []string{"192.0.2.0/24"}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, testSource(t))
	do(h, "GET", "/apis", map[string]string{"X-Forwarded-For": "203.0.113.99"})
	if !strings.Contains(logs.String(), "client=203.0.113.99") {
		t.Errorf("behind a trusted proxy, the client is not the forwarded one:\n%s", logs.String())
	}
	if _, err := New(Config{TrustedProxies: []string{"not an ip"}}, testSource(t)); err == nil {
		t.Errorf("an invalid trusted proxy was accepted")
	}
}

func TestLimitsAndStatuses(t *testing.T) {
	h := newTestServer(t)
	long := "/search?q=" + strings.Repeat("a", 9000)
	if rec := do(h, "GET", long, nil); rec.Code != 414 || !strings.Contains(rec.Body.String(), `"code":"uri_too_long"`) {
		t.Errorf("9 kB URI = %d %s, want 414", rec.Code, rec.Body)
	}
	req := httptest.NewRequest("POST", "/search", strings.NewReader(strings.Repeat("x", 2<<20)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 || !strings.Contains(rec.Body.String(), `"code":"body_too_large"`) {
		t.Errorf("2 MB body = %d %s, want 413", rec.Code, rec.Body)
	}
	if rec := do(h, "PUT", "/search", nil); rec.Code != 405 {
		t.Errorf("PUT /search = %d, want 405", rec.Code)
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	var logs strings.Builder
	h := newHandler(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), AdminToken: "secret-admin-token"}, testSource(t))
	rec := do(h, "GET", "/search?q=adresse&token=leaked-secret", map[string]string{"X-Request-ID": "abc-123"})
	if rec.Header().Get("X-Request-ID") != "abc-123" {
		t.Errorf("X-Request-ID = %q, want the caller's", rec.Header().Get("X-Request-ID"))
	}
	generated := do(h, "GET", "/apis", map[string]string{"X-Request-ID": "bad id with spaces"}).Header().Get("X-Request-ID")
	if len(generated) != 16 {
		t.Errorf("generated request ID = %q", generated)
	}
	do(h, "GET", "/admin/status", map[string]string{"Authorization": "Bearer secret-admin-token-wrong"})
	out := logs.String()
	if !strings.Contains(out, "request_id=abc-123") || !strings.Contains(out, "route=/search") || !strings.Contains(out, "status=200") {
		t.Errorf("access log line missing: %s", out)
	}
	if strings.Contains(out, "leaked-secret") || strings.Contains(out, "secret-admin-token") {
		t.Errorf("a token reached the logs:\n%s", out)
	}
	if strings.Count(out, "msg=request") != 3 {
		t.Errorf("want one access-log line per request, got:\n%s", out)
	}
}

func TestMetrics(t *testing.T) {
	h := newTestServer(t)
	do(h, "GET", "/search?q=adresse", nil)
	do(h, "GET", "/search?page=0", nil)
	rec := do(h, "GET", "/metrics", nil)
	body := rec.Body.String()
	for _, want := range []string{
		`apisearch_http_requests_total{method="GET",route="/search",status="200"} 1`,
		`apisearch_http_requests_total{method="GET",route="/search",status="400"} 1`,
		`apisearch_http_request_duration_seconds_bucket{route="/search",status="200",le="+Inf"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestAnswerCacheFollowsGeneration checks that a cached answer is never served once the
// catalogue has changed.
func TestAnswerCacheFollowsGeneration(t *testing.T) {
	first, err := index.Build(context.Background(), testCatalog(t), index.Config{})
	if err != nil {
		t.Fatal(err)
	}
	live := index.NewLive(first)
	defer live.Close()
	h := newHandler(t, Config{}, live.Acquire)
	before := do(h, "GET", "/search?q=adresse", nil).Body.String()
	if again := do(h, "GET", "/search?q=adresse", nil).Body.String(); again != before {
		t.Errorf("the same request of the same generation answered differently")
	}
	c, err := catalog.Load(fstest.MapFS{
		"producers/dinum.yaml":  {Data: []byte("name: DINUM\ntype: Ministère\n")},
		"apis/api-adresse.yaml": {Data: []byte("title: API Adresse nouvelle\naccess: open\nproducer: dinum\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.Apply(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	after := do(h, "GET", "/search?q=adresse", nil).Body.String()
	if !strings.Contains(after, "API \\u003cmark\\u003eAdresse\\u003c/mark\\u003e nouvelle") || !strings.Contains(after, `"generation":2`) {
		t.Errorf("after a change, the answer is stale: %s", after)
	}
}
