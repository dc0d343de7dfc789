package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"apisearch/index"
)

var (
	fuzzHandlerOnce sync.Once
	fuzzHandler     http.Handler
)

// FuzzPublicEndpoints sends any query string to /search and /autocomplete: the answer is a 200
// or a 4xx with a JSON body, never a 5xx, within a bound that catches a hang, with no markup
// but <mark> in its highlights.
func FuzzPublicEndpoints(f *testing.F) {
	for _, s := range []string{"q=adresse", "q=geo&limit=3", "q=entreprise&access=open&theme=Entreprise&page=2&per_page=5&sort=title",
		"q=%ff", "q=%zz", "page=0", "q=title:x+AND+y", "q=%3Cscript%3E", "theme=x&theme=x", ""} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, rawQuery string, autocomplete bool) {
		fuzzHandlerOnce.Do(func() {
			// Built once per process and never closed: t's cleanups would close it after
			// the first input.
			ix, err := index.Build(context.Background(), testCatalog(t), index.Config{})
			if err != nil {
				t.Fatal(err)
			}
			fuzzHandler = newHandler(t, Config{NoAnswerCache: true}, func() (*index.Index, func()) { return ix, func() {} })
		})
		if fuzzHandler == nil {
			t.Skip("no handler: its construction failed in an earlier input")
		}
		path := "/search"
		if autocomplete {
			path = "/autocomplete"
		}
		req := httptest.NewRequest("GET", path, nil)
		req.URL = &url.URL{Path: path, RawQuery: rawQuery}
		req.RequestURI = path + "?" + rawQuery
		rec := httptest.NewRecorder()
		start := time.Now()
		fuzzHandler.ServeHTTP(rec, req)
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("%s?%s took %v", path, rawQuery, took)
		}
		if rec.Code >= 500 || (rec.Code != 200 && rec.Code/100 != 4) {
			t.Fatalf("%s?%s = %d %s", path, rawQuery, rec.Code, rec.Body)
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s?%s: body is not JSON: %v", path, rawQuery, err)
		}
		if rec.Code != 200 {
			if e, ok := body["error"].(map[string]any); !ok || e["code"] == nil || e["message"] == nil {
				t.Fatalf("%s?%s = %d without a JSON error: %s", path, rawQuery, rec.Code, rec.Body)
			}
			return
		}
		// JSON escapes < and > as \u003c and \u003e: decode it before looking for markup.
		var fields []string
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if s, ok := x.(string); ok && (k == "highlight" || k == "title" || k == "tagline" || k == "body") {
						fields = append(fields, s)
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(body)
		for _, s := range fields {
			rest := strings.ReplaceAll(strings.ReplaceAll(s, "<mark>", ""), "</mark>", "")
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("%s?%s: markup in %q", path, rawQuery, s)
			}
		}
	})
}

// FuzzAcceptsGzip reads any Accept-Encoding header: without gzip or "*" in it nothing is
// gzipped, and a header that names gzip first with a weight of zero never gets it.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*", "*;q=0.5, gzip;q=0", "br, GZIP;Q=0.1", ";;,,=", "gzip;q=1e309", "x-gzip;q=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := acceptsGzip(header)
		lower := strings.ToLower(header)
		if got && !strings.Contains(lower, "gzip") && !strings.Contains(lower, "*") {
			t.Errorf("%q accepts gzip without naming it or *", header)
		}
		if got && acceptsGzip("gzip;q=0, "+header) {
			t.Errorf("gzip;q=0, %q accepts gzip: its first word on gzip is a refusal", header)
		}
	})
}
