package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"apisearch/catalog"

	"github.com/gin-gonic/gin"
)

func testCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(fstest.MapFS{
		"producers/dinum.yaml": {Data: []byte("name: Direction interministérielle du numérique\nacronym: DINUM\ntype: Ministère\n")},
		"apis/api-adresse.yaml": {Data: []byte("title: API Adresse\ntagline: Géocoder une adresse.\nproducer: dinum\nthemes: [Géographie]\naccess: open\n" +
			"links: {doc_tech: 'https://example.org/doc', contact: 'https://example.org/c'}\ndescription: Chercher une **adresse**.\n")},
		"apis/api-entreprise.yaml": {Data: []byte("title: API Entreprise\ntagline: Données des entreprises.\nproducer: dinum\nthemes: [Entreprise]\naccess: restricted\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestServer(t *testing.T) http.Handler {
	gin.SetMode(gin.TestMode)
	c := testCatalog(t)
	return New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, func() *catalog.Catalog { return c })
}

func TestRoutes(t *testing.T) {
	h := newTestServer(t)
	tests := []struct {
		method, target string
		status         int
		contains       []string
	}{
		{"GET", "/healthz", 200, []string{`"status":"ok"`}},
		{"GET", "/apis", 200, []string{`"total":2`, `"slug":"api-adresse"`, `"acronym":"DINUM"`, `"access":"restricted"`}},
		{"GET", "/apis/api-adresse", 200, []string{`"title":"API Adresse"`, `"description":"Chercher une **adresse**."`, `"doc_tech":"https://example.org/doc"`, `"themes":["Géographie"]`}},
		{"GET", "/apis/nope", 404, []string{`"code":"not_found"`, `no API with slug \"nope\"`}},
		{"GET", "/apis/..%2f..%2fetc%2fpasswd", 404, []string{`"code":"not_found"`}},
		{"GET", "/nowhere", 404, []string{`"code":"not_found"`}},
		{"DELETE", "/apis", 405, []string{`"code":"method_not_allowed"`}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want JSON", ct)
			}
			for _, s := range tt.contains {
				if !strings.Contains(rec.Body.String(), s) {
					t.Errorf("body does not contain %s: %s", s, rec.Body)
				}
			}
			if tt.status >= 400 {
				var body struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code == "" || body.Error.Message == "" {
					t.Errorf("error body is not {\"error\": {\"code\", \"message\"}}: %s", rec.Body)
				}
			}
		})
	}
}

func TestPanicAnswersJSON(t *testing.T) {
	gin.SetMode(gin.TestMode)
	h := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, func() *catalog.Catalog { panic("boom") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/apis", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic answered %d %s, want 500 with a generic JSON error", rec.Code, rec.Body)
	}
}
