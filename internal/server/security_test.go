package server

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSecurityHeaders checks that every page sends the content security policy and the other
// security headers, JSON answers and errors too, and that no page holds what the policy
// would block: an inline script or style, an on… handler, a style attribute, a javascript: link.
func TestSecurityHeaders(t *testing.T) {
	h := newTestServer(t)
	tests := []struct {
		target string
		status int
		html   bool
	}{
		{"/", 200, true},
		{"/stats", 200, true},
		{"/docs", 200, true},
		{"/static/app.js", 200, false},
		{"/static/app.css", 200, false},
		{"/search?q=adresse", 200, false},
		{"/apis/api-adresse", 200, false},
		{"/les-api/api-adresse", 200, true},
		{"/les-api/nope", 404, true},
		{"/stats.json", 200, false},
		{"/openapi.json", 200, false},
		{"/healthz", 200, false},
		{"/nowhere", 404, false},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			w := do(h, http.MethodGet, tt.target, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "strict-origin-when-cross-origin",
				"X-Frame-Options":        "DENY",
			} {
				if got := w.Header().Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			csp := w.Header().Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %s", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-") {
				t.Errorf("Content-Security-Policy %q allows something unsafe", csp)
			}
			isHTML := strings.HasPrefix(w.Header().Get("Content-Type"), "text/html")
			if isHTML != tt.html {
				t.Fatalf("Content-Type %q", w.Header().Get("Content-Type"))
			}
			if tt.html {
				for _, problem := range inlineCode(w.Body.String()) {
					t.Errorf("the policy would block %s", problem)
				}
			}
		})
	}
}

// inlineCode lists what in page a content security policy without 'unsafe-inline' blocks.
func inlineCode(page string) []string {
	var problems []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return problems
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		src := false
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case key == "src":
				src = true
			case key == "style":
				problems = append(problems, "a style attribute on <"+tok.Data+">")
			case strings.HasPrefix(key, "on"):
				problems = append(problems, "an "+key+" handler on <"+tok.Data+">")
			case (key == "href" || key == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:"):
				problems = append(problems, "a javascript: "+key+" on <"+tok.Data+">")
			}
		}
		switch {
		case tok.Data == "style":
			problems = append(problems, "an inline <style>")
		case tok.Data == "script" && !src && !isDataScript(tok):
			problems = append(problems, "an inline <script>")
		}
	}
}

// isDataScript tells a script element that holds data, such as JSON-LD, which the policy
// allows, from one that holds code.
func isDataScript(tok html.Token) bool {
	for _, a := range tok.Attr {
		if strings.ToLower(a.Key) == "type" {
			return strings.HasSuffix(strings.ToLower(strings.TrimSpace(a.Val)), "json")
		}
	}
	return false
}
