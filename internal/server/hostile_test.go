package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestHostileInput sends what a public endpoint gets from scanners and careless clients: each
// request gets its documented status with a JSON error, nothing is answered with a 5xx, no
// markup comes back unescaped, and the server keeps serving after each one.
func TestHostileInput(t *testing.T) {
	const token = "hostile-test-admin-token"
	h := newHandler(t, Config{AdminToken: token, CORSOrigins: []string{"https://api.gouv.fr"}, Admin: func() Admin { return &fakeAdmin{} }}, testSource(t))
	q := func(s string) string { return url.QueryEscape(s) }
	megabyte := strings.Repeat("a", 1<<20)
	tests := []struct {
		name         string
		method, path string
		body         string
		header       map[string]string
		status       int
		code         string // the error code, for statuses ≥ 400
	}{
		// Query syntaxes of bleve and others are read as words, never interpreted.
		{"bleve field syntax", "GET", "/search?q=" + q("title:adresse"), "", nil, 200, ""},
		{"bleve boolean syntax", "GET", "/search?q=" + q("+adresse -entreprise"), "", nil, 200, ""},
		{"bleve boost and fuzziness", "GET", "/search?q=" + q("adresse^10 entreprise~2"), "", nil, 200, ""},
		{"phrase quotes", "GET", "/search?q=" + q(`"API Adresse`), "", nil, 200, ""},
		{"regexp", "GET", "/search?q=" + q("/.*/"), "", nil, 200, ""},
		{"catastrophic regexp", "GET", "/search?q=" + q("(a+)+$ (x|x|x)*y"), "", nil, 200, ""},
		{"wildcards", "GET", "/search?q=" + q("* ? a*b?c"), "", nil, 200, ""},
		{"unbalanced brackets", "GET", "/search?q=" + q(`((( [[ {{ \`), "", nil, 200, ""},
		{"numeric range", "GET", "/search?q=" + q("visits:>1000"), "", nil, 200, ""},
		{"wildcard in autocomplete", "GET", "/autocomplete?q=" + q("a*"), "", nil, 200, ""},
		{"regexp in autocomplete", "GET", "/autocomplete?q=" + q("/.*/"), "", nil, 200, ""},
		// Markup in the query comes back escaped (checked below for every 200).
		{"script in q", "GET", "/search?q=" + q(`<script>alert(1)</script> adresse`), "", nil, 200, ""},
		{"attribute injection in q", "GET", "/search?q=" + q(`"><img src=x onerror=alert(1)> adresse`), "", nil, 200, ""},
		{"script in autocomplete", "GET", "/autocomplete?q=" + q(`<script>adr`), "", nil, 200, ""},
		{"markup in a filter", "GET", "/search?producer=" + q(`<b>dinum</b>`), "", nil, 200, ""},
		// Lengths.
		{"q over 200 characters", "GET", "/search?q=" + strings.Repeat("é", 201), "", nil, 400, "invalid_parameter"},
		{"q of 10 000 characters", "GET", "/search?q=" + strings.Repeat("a", 10000), "", nil, 414, "uri_too_long"},
		{"q of 1 MB", "GET", "/search?q=" + megabyte, "", nil, 414, "uri_too_long"},
		{"autocomplete q of 1 MB", "GET", "/autocomplete?q=" + megabyte, "", nil, 414, "uri_too_long"},
		{"slug of 10 000 characters", "GET", "/apis/" + strings.Repeat("a", 10000), "", nil, 414, "uri_too_long"},
		{"long slug", "GET", "/apis/" + strings.Repeat("a", 5000), "", nil, 404, "not_found"},
		// Encodings.
		{"invalid UTF-8", "GET", "/search?q=%C3%28", "", nil, 400, "invalid_parameter"},
		{"overlong UTF-8", "GET", "/search?q=%C0%AF", "", nil, 400, "invalid_parameter"},
		{"invalid percent-encoding", "GET", "/search?q=%zz", "", nil, 400, "invalid_parameter"},
		{"truncated percent-encoding", "GET", "/search?q=ab%", "", nil, 400, "invalid_parameter"},
		{"invalid encoding in autocomplete", "GET", "/autocomplete?q=%E2%82", "", nil, 400, "invalid_parameter"},
		{"NUL byte in q", "GET", "/search?q=adr%00esse", "", nil, 200, ""},
		{"NUL byte in autocomplete", "GET", "/autocomplete?q=%00", "", nil, 200, ""},
		{"control characters in q", "GET", "/search?q=%01%02%1b%5b31m", "", nil, 200, ""},
		{"NUL byte in a filter", "GET", "/search?theme=%00", "", nil, 200, ""},
		{"right-to-left override", "GET", "/search?q=" + q("\u202eesserda"), "", nil, 200, ""},
		// Numbers.
		{"huge page", "GET", "/search?page=99999999999999999999999", "", nil, 400, "invalid_parameter"},
		{"huge per_page", "GET", "/search?per_page=99999999999999999999999", "", nil, 400, "invalid_parameter"},
		{"page overflowing int64", "GET", "/search?page=9223372036854775808", "", nil, 400, "invalid_parameter"},
		{"negative page", "GET", "/search?page=-1", "", nil, 400, "invalid_parameter"},
		{"page in hex", "GET", "/search?page=0x10", "", nil, 400, "invalid_parameter"},
		{"page with spaces", "GET", "/search?page=%201", "", nil, 400, "invalid_parameter"},
		{"huge limit", "GET", "/autocomplete?q=a&limit=99999999999999999999", "", nil, 400, "invalid_parameter"},
		// Repetition.
		{"theme repeated 1000 times", "GET", "/search?" + strings.Repeat("theme=x&", 1000), "", nil, 400, "invalid_parameter"},
		{"access repeated 600 times", "GET", "/search?" + strings.Repeat("access=open&", 600), "", nil, 400, "invalid_parameter"},
		{"q repeated 1000 times", "GET", "/search?" + strings.Repeat("q=a&", 1000), "", nil, 400, "invalid_parameter"},
		{"page given twice", "GET", "/search?page=1&page=2", "", nil, 400, "invalid_parameter"},
		{"autocomplete q given twice", "GET", "/autocomplete?q=a&q=b", "", nil, 400, "invalid_parameter"},
		{"unknown parameters by the thousand", "GET", "/search?" + strings.Repeat("x=1&", 1500), "", nil, 400, "invalid_parameter"},
		{"a thousand distinct unknown parameters", "GET", "/search?q=a" + distinctParams(600), "", nil, 400, "invalid_parameter"},
		{"unknown parameter on /apis", "GET", "/apis?nocache=42", "", nil, 400, "invalid_parameter"},
		{"unknown parameter on an API", "GET", "/apis/api-adresse?v=2", "", nil, 400, "invalid_parameter"},
		{"unknown parameter on autocomplete", "GET", "/autocomplete?q=geo&callback=x", "", nil, 400, "invalid_parameter"},
		{"10 000 parameters", "GET", "/search?" + strings.Repeat("&", 10000), "", nil, 414, "uri_too_long"},
		// Paths.
		{"dot-dot in the slug", "GET", "/apis/..", "", nil, 404, "not_found"},
		{"encoded traversal", "GET", "/apis/..%2F..%2Fetc%2Fpasswd", "", nil, 404, "not_found"},
		{"double-encoded traversal", "GET", "/apis/%252e%252e%252fetc%252fpasswd", "", nil, 404, "not_found"},
		{"backslash traversal", "GET", "/apis/..%5C..%5Cwindows", "", nil, 404, "not_found"},
		{"NUL byte in the slug", "GET", "/apis/api-adresse%00.yaml", "", nil, 404, "not_found"},
		{"static file traversal", "GET", "/static/..%2F..%2Fgo.mod", "", nil, 404, "not_found"},
		{"static file outside the page", "GET", "/static/openapi.yaml", "", nil, 404, "not_found"},
		// Bodies and methods.
		{"1 MB body on POST /search", "POST", "/search", megabyte, nil, 405, "method_not_allowed"},
		{"2 MB body on POST /search", "POST", "/search", megabyte + megabyte, nil, 413, "body_too_large"},
		{"2 MB body on the admin reindex", "POST", "/admin/reindex", megabyte + megabyte, map[string]string{"Authorization": "Bearer " + token}, 413, "body_too_large"},
		{"body on the admin reindex without token", "POST", "/admin/reindex", "x", nil, 401, "unauthorized"},
		{"PUT", "PUT", "/search", "", nil, 405, "method_not_allowed"},
		{"DELETE an API", "DELETE", "/apis/api-adresse", "", nil, 405, "method_not_allowed"},
		{"PATCH", "PATCH", "/autocomplete", "", nil, 405, "method_not_allowed"},
		{"TRACE", "TRACE", "/search", "", nil, 405, "method_not_allowed"},
		{"PROPFIND", "PROPFIND", "/", "", nil, 405, "method_not_allowed"},
		{"made-up method", "BREW", "/healthz", "", nil, 405, "method_not_allowed"},
		{"GET on the admin reindex", "GET", "/admin/reindex", "", map[string]string{"Authorization": "Bearer " + token}, 405, "method_not_allowed"},
		// Headers.
		{"huge If-None-Match", "GET", "/search?q=adresse", "", map[string]string{"If-None-Match": strings.Repeat(`"x",`, 2000)}, 200, ""},
		{"bogus Accept-Encoding", "GET", "/search?q=adresse", "", map[string]string{"Accept-Encoding": "gzip;q=nope, *;q=-1"}, 200, ""},
		{"forged X-Forwarded-For", "GET", "/search?q=adresse", "", map[string]string{"X-Forwarded-For": "127.0.0.1, <script>"}, 200, ""},
		{"script as request ID", "GET", "/apis", "", map[string]string{"X-Request-ID": "<script>alert(1)</script>"}, 200, ""},
		{"admin preflight from another origin", "OPTIONS", "/admin/reindex", "", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body))
			// httptest.NewRequest parses its target strictly; a server gets the raw request line.
			req.RequestURI = tt.path
			u, err := url.ParseRequestURI(tt.path)
			if err != nil {
				u = &url.URL{Path: tt.path}
				if path, query, ok := strings.Cut(tt.path, "?"); ok {
					u = &url.URL{Path: path, RawQuery: query}
				}
			}
			req.URL = u
			req.RemoteAddr = "192.0.2.20:4321"
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d; body %.300s", rec.Code, tt.status, rec.Body)
			}
			if rec.Code >= 500 {
				t.Fatalf("a hostile request got a %d", rec.Code)
			}
			body := rec.Body.String()
			if rec.Code >= 400 {
				var e struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != tt.code || e.Error.Message == "" {
					t.Errorf("error body = %.300s, want {\"error\": {\"code\": %q, \"message\": …}}", body, tt.code)
				}
			}
			if strings.Contains(body, "<script") || strings.Contains(body, "<img") || strings.Contains(body, "<b>") {
				t.Errorf("markup came back unescaped: %.500s", body)
			}
			if strings.Contains(tt.path, "/admin") && rec.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("an admin path answered with CORS headers")
			}
			if rec := do(h, "GET", "/search?q=adresse", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"slug":"api-adresse"`) {
				t.Fatalf("the server stopped serving after this request: %d %.200s", rec.Code, rec.Body)
			}
		})
	}
}

// distinctParams returns n parameters with distinct made-up names, as a cache buster sends.
func distinctParams(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "&p%d=%d", i, i)
	}
	return b.String()
}
