package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"apisearch/index"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// TestContract sends real requests to every endpoint, errors included, and validates each
// answer against the OpenAPI document, so that the two cannot drift apart.
func TestContract(t *testing.T) {
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	admin := &fakeAdmin{}
	ready := newHandler(t, Config{AdminToken: "tok", Admin: func() Admin { return admin }}, testSource(t))
	limitedHandler := newHandler(t, Config{RateLimit: 1}, testSource(t))
	notReady := newHandler(t, Config{AdminToken: "tok"}, func() (*index.Index, func()) { return nil, nil })
	failing := newHandler(t, Config{AdminToken: "tok", Admin: func() Admin { return &fakeAdmin{fail: errors.New("catalogue folder gone")} }}, testSource(t))
	slow := newHandler(t, Config{AdminToken: "tok", ReindexWait: time.Millisecond, Admin: func() Admin { return &fakeAdmin{slow: time.Second} }}, testSource(t))
	held := newHandler(t, Config{AdminToken: "tok", Admin: func() Admin { return &fakeAdmin{hold: true} }}, testSource(t))
	draining := newHandler(t, Config{Draining: func() bool { return true }}, testSource(t))
	browser := newHandler(t, Config{CORSOrigins: []string{"https://api.gouv.fr"}}, testSource(t))

	tests := []struct {
		h              http.Handler
		method, target string
		token          string
		status         int
	}{
		{ready, "GET", "/search?q=adresse&access=open&theme=G%C3%A9ographie&producer=dinum&sort=title&page=1&per_page=5", "", 200},
		{ready, "GET", "/search?q=zzzzz", "", 200},
		{ready, "GET", "/search?page=0", "", 400},
		{ready, "GET", "/autocomplete?q=adr&limit=3", "", 200},
		{ready, "GET", "/autocomplete?limit=99", "", 400},
		{ready, "GET", "/apis", "", 200},
		{ready, "GET", "/apis/api-adresse", "", 200},
		{ready, "GET", "/apis/nope", "", 404},
		{ready, "GET", "/healthz", "", 200},
		{ready, "GET", "/readyz", "", 200},
		{ready, "GET", "/stats.json", "", 200},
		{ready, "GET", "/search?q=adr&typing=1", "", 200},
		{ready, "POST", "/stats/click?q=adresse&slug=api-adresse", "", 204},
		{ready, "POST", "/stats/click?q=adresse&slug=nope", "", 400},
		{notReady, "POST", "/stats/click?q=adresse&slug=api-adresse", "", 503},
		{ready, "GET", "/admin/stats", "tok", 200},
		{ready, "GET", "/admin/stats", "", 401},
		{ready, "GET", "/admin/stats?n=5", "tok", 400},
		{ready, "GET", "/stats", "", 200},
		{ready, "GET", "/metrics", "", 200},
		{ready, "GET", "/openapi.json", "", 200},
		{ready, "GET", "/openapi.yaml", "", 200},
		{ready, "GET", "/docs", "", 200},
		{ready, "GET", "/", "", 200},
		{ready, "POST", "/admin/reindex", "tok", 200},
		{ready, "POST", "/admin/reindex", "", 401},
		{ready, "GET", "/admin/status", "tok", 200},
		{ready, "GET", "/admin/status", "wrong", 401},
		{ready, "GET", "/admin/explain?q=adresse+-entreprise&access=open", "tok", 200},
		{ready, "GET", "/admin/explain?q=adresse", "", 401},
		{ready, "GET", "/admin/explain?q=adresse&explain=1", "tok", 400},
		{notReady, "GET", "/admin/explain?q=adresse", "tok", 503},
		{failing, "POST", "/admin/reindex", "tok", 503},
		{slow, "POST", "/admin/reindex", "tok", 202},
		{held, "POST", "/admin/reindex", "tok", 409},
		{held, "POST", "/admin/reindex?force=true", "tok", 200},
		{ready, "POST", "/admin/reindex?force=maybe", "tok", 400},
		{draining, "GET", "/readyz", "", 503},
		{ready, "GET", "/search?q=adresse&utm_source=x", "", 400},
		{ready, "GET", "/apis?page=2", "", 400},
		{notReady, "GET", "/readyz", "", 503},
		{notReady, "GET", "/search?q=a", "", 503},
		{notReady, "GET", "/autocomplete?q=a", "", 503},
		{notReady, "GET", "/apis/api-adresse", "", 503},
		{notReady, "GET", "/stats.json", "", 503},
		{notReady, "GET", "/admin/status", "tok", 503},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := do(tt.h, tt.method, tt.target, map[string]string{"Authorization": "Bearer " + tt.token})
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			validate(t, router, tt.method, tt.target, rec)
			seen[tt.method+" "+strings.Split(tt.target, "?")[0]] = true
		})
	}
	// 429, from a rate-limited handler (1 request per second, bursts of 2).
	var limited *httptest.ResponseRecorder
	for range 5 {
		if rec := do(limitedHandler, "GET", "/autocomplete?q=b", nil); rec.Code == 429 {
			limited = rec
		}
	}
	if limited == nil {
		t.Fatal("no 429")
	}
	validate(t, router, "GET", "/autocomplete?q=b", limited)

	// 403, to a browser on an origin not allowed.
	refused := do(browser, "GET", "/search?q=a", map[string]string{"Origin": "https://evil.example"})
	if refused.Code != 403 {
		t.Fatalf("refused origin = %d", refused.Code)
	}
	validate(t, router, "GET", "/search?q=a", refused)

	// Every operation of the document was exercised.
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			key := method + " " + strings.ReplaceAll(path, "{slug}", "api-adresse")
			if !seen[key] {
				t.Errorf("no contract test for %s %s", method, path)
			}
		}
	}
}

// validate checks a recorded answer against the document.
func validate(t *testing.T, router routers.Router, method, target string, rec *httptest.ResponseRecorder) {
	t.Helper()
	req := httptest.NewRequest(method, "http://localhost:8080"+target, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in the OpenAPI document: %v", method, target, err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		// HTML, YAML and the Prometheus format are checked for their status and type only.
		input.Options.ExcludeResponseBody = true
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("%s %s answered %d, which the OpenAPI document does not describe: %v", method, target, rec.Code, err)
	}
}
