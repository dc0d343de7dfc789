package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/reindex"

	"github.com/gin-gonic/gin"
)

func testCatalog(t testing.TB) *catalog.Catalog {
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
	return newHandler(t, Config{}, testSource(t))
}

// testSource serves an index of testCatalog.
func testSource(t *testing.T) Source {
	t.Helper()
	return sourceOf(t, testCatalog(t))
}

// sourceOf serves an index of c, closed at the end of the test.
func sourceOf(t testing.TB, c *catalog.Catalog) Source {
	t.Helper()
	ix, err := index.Build(context.Background(), c, index.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return func() (*index.Index, func()) { return ix, func() {} }
}

// newHandler builds the server's handler, quiet unless cfg has a logger.
func newHandler(t testing.TB, cfg Config, source Source) http.Handler {
	t.Helper()
	gin.SetMode(gin.TestMode)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h, err := New(cfg, source)
	if err != nil {
		t.Fatal(err)
	}
	return h
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
		{"GET", "/search?q=adresse", 200, []string{`"total":1`, `"slug":"api-adresse"`, `"title":"API \u003cmark\u003eAdresse\u003c/mark\u003e"`, `"took_ms":`, `"per_page":20`, `"facets":{"producer":[{"value":"dinum","label":"Direction interministérielle du numérique","count":1,"selected":false}]`}},
		{"GET", "/search", 200, []string{`"total":2`, `"access":[{"value":"open","label":"Ouverte","count":1,"selected":false},{"value":"restricted","label":"Sur habilitation","count":1,"selected":false}]`}},
		{"GET", "/search?access=restricted&access=open&theme=g%C3%A9ographie", 200, []string{`"total":1`, `"slug":"api-adresse"`}},
		{"GET", "/search?producer=nobody", 200, []string{`"total":0`, `{"value":"nobody","label":"nobody","count":0,"selected":true}`}},
		// An empty value, as a form's "any" option sends it, is no filter.
		{"GET", "/search?producer=&theme=+&access=&access=open", 200, []string{`"total":1`, `"slug":"api-adresse"`, `"producer":[{"value":"dinum","label":"Direction interministérielle du numérique","count":1,"selected":false}]`}},
		{"GET", "/search?q=" + strings.Repeat("a", 201), 400, []string{`"code":"invalid_parameter"`, "parameter q is 201 characters long"}},
		{"GET", "/search?q=%ff", 400, []string{"parameter q is not valid UTF-8"}},
		{"GET", "/search?q=%zz", 400, []string{"the query string is not valid"}},
		{"GET", "/search?page=0", 400, []string{"parameter page must be a positive integer"}},
		{"GET", "/search?page=abc", 400, []string{"parameter page must be a positive integer"}},
		{"GET", "/search?page=1001", 400, []string{"parameter page must be at most 1000"}},
		{"GET", "/search?per_page=101", 400, []string{"parameter per_page must be at most 100"}},
		{"GET", "/search?per_page=-1", 400, []string{"parameter per_page must be a positive integer"}},
		{"GET", "/search?sort=date", 400, []string{"parameter sort must be relevance, title or popularity"}},
		{"GET", "/search?access=public", 400, []string{"parameter access must be open, account or restricted"}},
		{"GET", "/search?" + strings.Repeat("theme=x&", 51), 400, []string{"parameter theme is repeated 51 times"}},
		{"GET", "/autocomplete?q=adr", 200, []string{`"query":"adr"`, `{"text":"API Adresse","kind":"api","slug":"api-adresse","highlight":"API \u003cmark\u003eAdr\u003c/mark\u003eesse"}`}},
		{"GET", "/autocomplete?q=", 200, []string{`"suggestions":[]`}},
		{"GET", "/autocomplete?q=zzz", 200, []string{`"suggestions":[]`}},
		{"GET", "/autocomplete?q=" + strings.Repeat("a", 101), 400, []string{"parameter q is 101 characters long, the maximum is 100"}},
		{"GET", "/autocomplete?q=%ff", 400, []string{"parameter q is not valid UTF-8"}},
		{"GET", "/autocomplete?q=a&limit=0", 400, []string{"parameter limit must be a positive integer"}},
		{"GET", "/autocomplete?q=a&limit=21", 400, []string{"parameter limit must be at most 20"}},
		{"GET", "/autocomplete?q=a&limit=x", 400, []string{"parameter limit must be a positive integer"}},
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
	h := newHandler(t, Config{}, func() (*index.Index, func()) { panic("boom") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/apis", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic answered %d %s, want 500 with a generic JSON error", rec.Code, rec.Body)
	}
}

// fakeAdmin records the admin calls; a reindex takes slow to finish, and is held unless forced
// when hold is set.
type fakeAdmin struct {
	reindexed int
	forced    bool
	fail      error
	slow      time.Duration
	hold      bool
}

func (f *fakeAdmin) Reindex(ctx context.Context, force bool) (reindex.Result, error) {
	f.reindexed++
	f.forced = force
	if f.hold && !force {
		return reindex.Result{}, &reindex.HeldError{Removed: 2, Entries: 2}
	}
	select {
	case <-time.After(f.slow):
	case <-ctx.Done():
		return reindex.Result{}, ctx.Err()
	}
	return reindex.Result{Entries: 2, Generation: 7}, f.fail
}

func (f *fakeAdmin) Status() reindex.Status {
	return reindex.Status{Generation: 7, Entries: 2, CatalogVersion: "3f9c2a61d0b4e7a8", Problems: []catalog.Problem{{Path: "apis/x.yaml", Line: 3, Severity: catalog.SeverityError, Message: "invalid YAML"}}}
}

func TestAdmin(t *testing.T) {
	source := testSource(t)
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	const token = "s3cret-token-for-tests"
	admin := &fakeAdmin{}
	on := newHandler(t, Config{Logger: log, AdminToken: token, Admin: func() Admin { return admin }}, source)
	off := newHandler(t, Config{Logger: log, Admin: func() Admin { return admin }}, source)

	tests := []struct {
		name          string
		h             http.Handler
		method, path  string
		authorization string
		status        int
		contains      string
	}{
		{"reindex", on, "POST", "/admin/reindex", "Bearer " + token, 200, `"generation":7`},
		{"status", on, "GET", "/admin/status", "Bearer " + token, 200, `"entries":2`},
		{"no token", on, "POST", "/admin/reindex", "", 401, `"code":"unauthorized"`},
		{"wrong token", on, "POST", "/admin/reindex", "Bearer nope", 401, `"code":"unauthorized"`},
		{"empty token", on, "GET", "/admin/status", "Bearer ", 401, `"code":"unauthorized"`},
		{"not bearer", on, "GET", "/admin/status", "Basic " + token, 401, `"code":"unauthorized"`},
		{"overlong token", on, "GET", "/admin/status", "Bearer " + strings.Repeat(token, 100), 401, `"code":"unauthorized"`},
		{"token in the query string", on, "GET", "/admin/status?token=" + token, "", 401, `"code":"unauthorized"`},
		{"GET on reindex", on, "GET", "/admin/reindex", "Bearer " + token, 405, `"code":"method_not_allowed"`},
		{"disabled: reindex", off, "POST", "/admin/reindex", "Bearer " + token, 404, `"code":"not_found"`},
		{"disabled: empty header", off, "GET", "/admin/status", "Bearer ", 404, `"code":"not_found"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, req)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("%s %s = %d %s, want %d with %s", tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.contains)
			}
		})
	}
	if admin.reindexed != 1 {
		t.Errorf("reindex ran %d times, want once (refused requests must not run it)", admin.reindexed)
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token appears in the logs:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "admin request refused") {
		t.Errorf("refused admin requests are not logged")
	}

	admin.fail = errors.New("catalogue folder is gone")
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/admin/reindex", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	on.ServeHTTP(rec, req)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "the previous index keeps serving") {
		t.Errorf("failed reindex = %d %s, want 503 saying the old index keeps serving", rec.Code, rec.Body)
	}
}

// TestAdminReindexWaitsThenAccepts checks that a reindex longer than ReindexWait is answered
// 202 with the generation to watch, that one that would remove most entries is refused with
// 409 unless forced, and that force takes only true or false.
func TestAdminReindexWaitsThenAccepts(t *testing.T) {
	const token = "s3cret-token-for-tests"
	admin := &fakeAdmin{}
	h := newHandler(t, Config{AdminToken: token, Admin: func() Admin { return admin }, ReindexWait: 50 * time.Millisecond}, testSource(t))
	post := func(path string) *httptest.ResponseRecorder {
		return do(h, "POST", path, map[string]string{"Authorization": "Bearer " + token})
	}
	admin.slow = time.Second
	if rec := post("/admin/reindex"); rec.Code != 202 || !strings.Contains(rec.Body.String(), `"generation":7`) || !strings.Contains(rec.Body.String(), "/admin/status") {
		t.Errorf("slow reindex = %d %s, want 202 with the generation to watch in /admin/status", rec.Code, rec.Body)
	}
	admin.slow = 0
	admin.hold = true
	if rec := post("/admin/reindex"); rec.Code != 409 || !strings.Contains(rec.Body.String(), `"code":"change_held"`) || !strings.Contains(rec.Body.String(), "force=true") {
		t.Errorf("held reindex = %d %s, want 409 change_held saying how to force it", rec.Code, rec.Body)
	}
	if rec := post("/admin/reindex?force=true"); rec.Code != 200 || !admin.forced {
		t.Errorf("forced reindex = %d %s (forced %v), want 200", rec.Code, rec.Body, admin.forced)
	}
	for _, path := range []string{"/admin/reindex?force=yes", "/admin/reindex?force=true&force=false", "/admin/reindex?dry_run=1"} {
		if rec := post(path); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"code":"invalid_parameter"`) {
			t.Errorf("POST %s = %d %s, want 400 invalid_parameter", path, rec.Code, rec.Body)
		}
	}
}
