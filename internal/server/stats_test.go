package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"apisearch/internal/stats"
)

func TestStatsAfterKnownRequests(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := newHandler(t, Config{Stats: stats.New(func() time.Time { return now })}, testSource(t))
	for _, target := range []string{
		"/search?q=Adresse", "/search?q=adresse", "/search?q=adresse&page=2", "/search?q=pomme", "/search",
		"/autocomplete?q=adr", "/autocomplete?q=ent", "/search?page=0", // the last one is refused: not counted
	} {
		do(h, "GET", target, nil)
	}
	rec := do(h, "GET", "/stats.json", nil)
	var got struct {
		Catalog struct {
			Entries  int
			ByAccess []struct {
				Value string
				Count int
			} `json:"by_access"`
			WithWarnings int `json:"with_warnings"`
		}
		Service struct {
			Total struct {
				Searches      int
				Autocompletes int
				ZeroResults   int     `json:"zero_result_searches"`
				SearchP95MS   float64 `json:"search_p95_ms"`
			}
			Days []struct {
				Date     string
				Searches int
			}
			TopQueries []struct {
				Query string
				Count int
			} `json:"top_queries"`
			TopZeroResultQueries []struct {
				Query string
				Count int
			} `json:"top_zero_result_queries"`
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Catalog.Entries != 2 || len(got.Catalog.ByAccess) != 3 || got.Catalog.ByAccess[0].Count != 1 || got.Catalog.ByAccess[2].Count != 1 {
		t.Errorf("catalogue volumes = %+v", got.Catalog)
	}
	if got.Catalog.WithWarnings != 1 {
		t.Errorf("entries with warnings = %d, want 1 (API Entreprise has no documentation link)", got.Catalog.WithWarnings)
	}
	s := got.Service
	if s.Total.Searches != 5 || s.Total.Autocompletes != 2 || s.Total.ZeroResults != 1 || s.Total.SearchP95MS <= 0 {
		t.Errorf("totals = %+v, want 5 searches, 2 autocompletes, 1 without result", s.Total)
	}
	if len(s.Days) != 1 || s.Days[0].Date != "2026-11-23" || s.Days[0].Searches != 5 {
		t.Errorf("days = %+v", s.Days)
	}
	if len(s.TopQueries) != 2 || s.TopQueries[0].Query != "adresse" || s.TopQueries[0].Count != 2 {
		t.Errorf("top queries = %+v, want adresse twice first (page 2 not counted)", s.TopQueries)
	}
	if len(s.TopZeroResultQueries) != 1 || s.TopZeroResultQueries[0].Query != "pomme" {
		t.Errorf("top queries without result = %+v", s.TopZeroResultQueries)
	}
	page := do(h, "GET", "/stats", nil).Body.String()
	for _, want := range []string{"Statistiques publiques", "<td>pomme</td>", "Sur habilitation", "2026-11-23"} {
		if !strings.Contains(page, want) {
			t.Errorf("/stats lacks %q", want)
		}
	}
	if strings.Contains(rec.Body.String(), "192.0.2.10") || strings.Contains(page, "192.0.2.10") {
		t.Errorf("the statistics hold a client address")
	}
}

func TestStatsUnknownWords(t *testing.T) {
	rec := stats.New(nil)
	h := newHandler(t, Config{Stats: rec}, testSource(t))
	rec.Search("Toubib", true, 0, time.Millisecond, "toubib")
	rec.Search("toubib", true, 0, time.Millisecond, "toubib")
	rec.Search("adresse toubib <b>", true, 3, time.Millisecond, "toubib", "<b>")
	rec.Search(`"adresse entreprise"`, true, 0, time.Millisecond)

	var got struct {
		Service struct {
			TopZeroResultQueries []struct {
				Query        string
				UnknownWords []string `json:"unknown_words"`
			} `json:"top_zero_result_queries"`
			TopUnknownWords []struct {
				Word  string
				Count int
			} `json:"top_unknown_words"`
		}
	}
	if err := json.Unmarshal(do(h, "GET", "/stats.json", nil).Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Service.TopZeroResultQueries) != `[{toubib [toubib]} {"adresse entreprise" []}]` {
		t.Errorf("queries without result = %v, want toubib with its unknown word, then the phrase without", got.Service.TopZeroResultQueries)
	}
	if fmt.Sprint(got.Service.TopUnknownWords) != "[{toubib 3} {<b> 1}]" {
		t.Errorf("unknown words = %v, want toubib thrice, then <b>", got.Service.TopUnknownWords)
	}

	page := do(h, "GET", "/stats", nil).Body.String()
	for _, tt := range []struct {
		name, want string
	}{
		{"a query without result and its unknown word", "<tr><td>toubib</td><td class=\"n\">2</td><td>toubib</td></tr>"},
		{"a phrase without result and no unknown word", "<tr><td>&#34;adresse entreprise&#34;</td><td class=\"n\">1</td><td></td></tr>"},
		{"the most frequent unknown word", "<tr><td>toubib</td><td class=\"n\">3</td></tr>"},
		{"an unknown word, escaped", "<tr><td>&lt;b&gt;</td><td class=\"n\">1</td></tr>"},
		{"where editors add them", "<code>synonyms.yaml</code>"},
	} {
		if !strings.Contains(page, tt.want) {
			t.Errorf("/stats lacks %s: %q", tt.name, tt.want)
		}
	}
	if strings.Contains(page, "<b>") {
		t.Errorf("/stats holds a client's word unescaped")
	}
}

func TestDocsPage(t *testing.T) {
	h := newTestServer(t)
	page := do(h, "GET", "/docs", nil)
	if page.Code != 200 || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/docs = %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	for _, want := range []string{"<code>/search</code>", "<code>/autocomplete</code>", "<code>/admin/reindex</code>", "did_you_mean", "&lt;mark&gt;Adresse&lt;/mark&gt;", "Admin: needs"} {
		if !strings.Contains(page.Body.String(), want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	if strings.Contains(page.Body.String(), "http://") && strings.Contains(page.Body.String(), "<script src=\"http") {
		t.Errorf("/docs loads an outside asset")
	}
	var doc map[string]any
	if err := json.Unmarshal(do(h, "GET", "/openapi.json", nil).Body.Bytes(), &doc); err != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("/openapi.json: %v %v", err, doc["openapi"])
	}
	if y := do(h, "GET", "/openapi.yaml", nil).Body.String(); !strings.HasPrefix(y, "openapi: 3.0.3") {
		t.Errorf("/openapi.yaml starts %q", y[:20])
	}
}
