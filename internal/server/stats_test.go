package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"apisearch/internal/stats"

	"github.com/prometheus/client_golang/prometheus"
)

func TestStatsAfterKnownRequests(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := newHandler(t, Config{AdminToken: adminToken, Stats: stats.New(func() time.Time { return now })}, testSource(t))
	for _, target := range []string{
		"/search?q=Adresse", "/search?q=adresse", "/search?q=adresse&page=2", "/search?q=pomme", "/search",
		"/autocomplete?q=adr", "/autocomplete?q=ent", "/search?page=0", // the last one is refused: not counted
	} {
		do(h, "GET", target, nil)
	}
	// One client searched: the public statistics list none of its queries, the admin's do.
	rec := do(h, "GET", "/admin/stats", map[string]string{"Authorization": "Bearer " + adminToken})
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
	for _, want := range []string{"Statistiques publiques", "Sur habilitation", "2026-11-23"} {
		if !strings.Contains(page, want) {
			t.Errorf("/stats lacks %q", want)
		}
	}
	if public := do(h, "GET", "/stats.json", nil).Body.String(); strings.Contains(public, "pomme") || strings.Contains(page, "pomme") {
		t.Errorf("a query one client searched is public")
	}
	if strings.Contains(rec.Body.String(), "192.0.2.10") || strings.Contains(page, "192.0.2.10") {
		t.Errorf("the statistics hold a client address")
	}
}

func TestStatsUnknownWords(t *testing.T) {
	rec := stats.New(nil)
	h := newHandler(t, Config{Stats: rec}, testSource(t))
	for i := range stats.PublicClients {
		client := fmt.Sprint("192.0.2.", i)
		for _, s := range []stats.Search{
			{Query: "Toubib", UnknownWords: []string{"toubib"}},
			{Query: "toubib", UnknownWords: []string{"toubib"}},
			{Query: "adresse toubib <b>", Total: 3, UnknownWords: []string{"toubib", "<b>"}},
			{Query: `"adresse entreprise"`},
		} {
			s.FirstPage, s.Client = true, client
			rec.Search(s)
		}
	}

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
	if fmt.Sprint(got.Service.TopUnknownWords) != "[{toubib 15} {<b> 5}]" {
		t.Errorf("unknown words = %v, want toubib thrice, then <b>", got.Service.TopUnknownWords)
	}

	page := do(h, "GET", "/stats", nil).Body.String()
	for _, tt := range []struct {
		name, want string
	}{
		{"a query without result and its unknown word", "<tr><td>toubib</td><td class=\"n\">10</td><td>toubib</td></tr>"},
		{"a phrase without result and no unknown word", "<tr><td>&#34;adresse entreprise&#34;</td><td class=\"n\">5</td><td></td></tr>"},
		{"the most frequent unknown word", "<tr><td>toubib</td><td class=\"n\">15</td></tr>"},
		{"an unknown word, escaped", "<tr><td>&lt;b&gt;</td><td class=\"n\">5</td></tr>"},
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

// adminToken is the admin token of the statistics tests.
const adminToken = "statistics-admin-token"

// doFrom sends a request from the client at ip.
func doFrom(h http.Handler, ip, method, target string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.RemoteAddr = ip + ":1234"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// publicStats is what the statistics tests read of /stats.json and /admin/stats.
type publicStats struct {
	Service struct {
		Total struct {
			Searches       int
			TypingSearches int     `json:"typing_searches"`
			Clicks         int     `json:"clicks"`
			ClickRate      float64 `json:"click_through_rate"`
		}
		TopQueries           []stats.TopQuery        `json:"top_queries"`
		TopZeroResultQueries []stats.ZeroResultQuery `json:"top_zero_result_queries"`
		TopUnknownWords      []stats.WordCount       `json:"top_unknown_words"`
		NeverClicked         []stats.QueryCount      `json:"never_clicked_queries"`
		TopClicked           []stats.ClickCount      `json:"top_clicked"`
	}
}

func getStats(t *testing.T, h http.Handler, target string) publicStats {
	t.Helper()
	rec := do(h, "GET", target, map[string]string{"Authorization": "Bearer " + adminToken})
	var got publicStats
	if err := json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != 200 || err != nil {
		t.Fatalf("GET %s = %d %v: %s", target, rec.Code, err, rec.Body)
	}
	return got
}

// TestStatsCountSettledSearches types queries letter by letter as the search page does (each
// keystroke a typing=1 search), then sends the settled query: only settled ones are listed.
func TestStatsCountSettledSearches(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := newHandler(t, Config{AdminToken: adminToken, Registry: reg}, testSource(t))
	settled := []string{"adresse", "entreprise", "carte grise"}
	keystrokes := 0
	for i := range stats.PublicClients {
		ip := fmt.Sprint("198.51.100.", i+1)
		for _, q := range settled {
			for n := 1; n <= len([]rune(q)); n++ {
				typed := url.Values{"q": {string([]rune(q)[:n])}, "typing": {"1"}}
				if rec := doFrom(h, ip, "GET", "/search?"+typed.Encode(), nil); rec.Code != 200 {
					t.Fatalf("typing %q: %d %s", typed.Get("q"), rec.Code, rec.Body)
				}
				keystrokes++
			}
			if rec := doFrom(h, ip, "GET", "/search?"+url.Values{"q": {q}}.Encode(), nil); rec.Code != 200 {
				t.Fatalf("settled %q: %d", q, rec.Code)
			}
		}
	}
	for _, target := range []string{"/stats.json", "/admin/stats"} {
		got := getStats(t, h, target)
		var queries []string
		for _, q := range got.Service.TopQueries {
			queries = append(queries, fmt.Sprintf("%s×%d", q.Query, q.Count))
		}
		if want := "[adresse×5 carte grise×5 entreprise×5]"; fmt.Sprint(queries) != want {
			t.Errorf("%s top queries = %v, want only the settled queries: %s", target, queries, want)
		}
		var zero []string
		for _, q := range got.Service.TopZeroResultQueries {
			zero = append(zero, q.Query)
		}
		if fmt.Sprint(zero) != "[carte grise]" {
			t.Errorf("%s queries without result = %v, want [carte grise] and no prefix of it", target, zero)
		}
		if got.Service.Total.Searches != 15 || got.Service.Total.TypingSearches != keystrokes {
			t.Errorf("%s totals = %+v, want 15 searches and %d typing searches", target, got.Service.Total, keystrokes)
		}
	}
	page := do(h, "GET", "/stats", nil).Body.String()
	for _, prefix := range []string{"<td>a</td>", "<td>adr</td>", "<td>c</td>", "<td>carte gri</td>", "<td>entrep</td>"} {
		if strings.Contains(page, prefix) {
			t.Errorf("/stats lists a keystroke: %s", prefix)
		}
	}
	if !strings.Contains(page, "<td>carte grise</td>") {
		t.Errorf("/stats does not list the settled query carte grise")
	}
	// The metrics still count every request.
	var requests float64
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() != "apisearch_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == "/search" {
					requests += m.GetCounter().GetValue()
				}
			}
		}
	}
	if int(requests) != keystrokes+15 {
		t.Errorf("metrics count %v search requests, want %d", requests, keystrokes+15)
	}
	if rec := do(h, "GET", "/search?q=a&typing=yes", nil); rec.Code != 400 || !strings.Contains(rec.Body.String(), "parameter typing must be 1") {
		t.Errorf("typing=yes = %d %s, want a 400", rec.Code, rec.Body)
	}
}

// TestStatsRepeatedQueryHidden repeats a query a thousand times from one client: the public
// statistics do not show it, the admin's do.
func TestStatsRepeatedQueryHidden(t *testing.T) {
	h := newHandler(t, Config{AdminToken: adminToken}, testSource(t))
	const spam = "appelez le 06 12 34 56 78"
	for i := range 1000 {
		// The same client, from any address of its IPv6 /64.
		if rec := doFrom(h, fmt.Sprintf("[2001:db8::%x]", i), "GET", "/search?"+url.Values{"q": {spam}}.Encode(), nil); rec.Code != 200 {
			t.Fatalf("search %d: %d", i, rec.Code)
		}
	}
	for _, target := range []string{"/stats.json", "/stats"} {
		if body := do(h, "GET", target, nil).Body.String(); strings.Contains(body, "06 12") || strings.Contains(body, "appelez") {
			t.Errorf("%s shows a query one client repeated", target)
		}
	}
	got := getStats(t, h, "/admin/stats")
	if len(got.Service.TopQueries) == 0 || got.Service.TopQueries[0].Query != spam || got.Service.TopQueries[0].Count != 1000 {
		t.Errorf("/admin/stats top queries = %v, want the repeated query 1000 times", got.Service.TopQueries)
	}
	if len(got.Service.TopUnknownWords) == 0 {
		t.Errorf("/admin/stats lists no unknown word")
	}
	for _, tt := range []struct {
		token  string
		status int
	}{{"", 401}, {"wrong", 401}} {
		if rec := do(h, "GET", "/admin/stats", map[string]string{"Authorization": "Bearer " + tt.token}); rec.Code != tt.status {
			t.Errorf("/admin/stats with token %q = %d, want %d", tt.token, rec.Code, tt.status)
		}
	}
}

func TestClickBeacon(t *testing.T) {
	h := newHandler(t, Config{AdminToken: adminToken, CORSOrigins: []string{"https://api.gouv.fr"}}, testSource(t))
	for i := range stats.PublicClients {
		ip := fmt.Sprint("198.51.100.", i+1)
		for _, q := range []string{"adresse", "entreprise"} {
			doFrom(h, ip, "GET", "/search?q="+q, nil)
		}
	}
	tests := []struct {
		name, target string
		header       map[string]string
		status       int
		contains     string
	}{
		{"a result opened", "/stats/click?q=Adresse&slug=api-adresse", nil, 204, ""},
		{"from the search page", "/stats/click?q=adresse&slug=api-adresse", map[string]string{"Origin": "http://example.com"}, 204, ""},
		{"from an allowed origin", "/stats/click?q=adresse&slug=api-adresse", map[string]string{"Origin": "https://api.gouv.fr"}, 204, ""},
		{"an unknown slug", "/stats/click?q=adresse&slug=api-nope", nil, 400, `"code":"invalid_parameter"`},
		{"no slug", "/stats/click?q=adresse", nil, 400, "parameter slug must be the slug of an API"},
		{"a repeated slug", "/stats/click?q=adresse&slug=api-adresse&slug=api-entreprise", nil, 400, "given 2 times"},
		{"a query too long", "/stats/click?slug=api-adresse&q=" + strings.Repeat("a", 201), nil, 400, "parameter q is 201 characters long"},
		{"an unknown parameter", "/stats/click?q=adresse&slug=api-adresse&ip=1", nil, 400, `unknown parameter \"ip\"`},
		{"another site", "/stats/click?q=adresse&slug=api-adresse", map[string]string{"Origin": "https://evil.example"}, 403, `"code":"origin_not_allowed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(h, "POST", tt.target, tt.header)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("POST %s = %d %s, want %d with %s", tt.target, rec.Code, rec.Body, tt.status, tt.contains)
			}
			if tt.status != 204 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("the error is not JSON: %s", rec.Header().Get("Content-Type"))
			}
		})
	}
	if rec := do(h, "GET", "/stats/click?q=adresse&slug=api-adresse", nil); rec.Code != 405 {
		t.Errorf("GET /stats/click = %d, want 405", rec.Code)
	}

	got := getStats(t, h, "/stats.json")
	if got.Service.Total.Clicks != 3 || got.Service.Total.ClickRate != 0.3 {
		t.Errorf("clicks = %+v, want 3 clicks for 10 searches", got.Service.Total)
	}
	if fmt.Sprint(got.Service.TopClicked) != "[{adresse api-adresse 3}]" {
		t.Errorf("results opened = %v", got.Service.TopClicked)
	}
	if fmt.Sprint(got.Service.NeverClicked) != "[{entreprise 5}]" {
		t.Errorf("queries never opened = %v, want entreprise", got.Service.NeverClicked)
	}
	page := do(h, "GET", "/stats", nil).Body.String()
	for _, want := range []string{
		"Taux de clic (résultats ouverts pour 100 recherches)</th><td class=\"n\">30\u00a0%</td>",
		"<tr><td>adresse</td><td class=\"n\">5</td><td class=\"n\">3</td></tr>",
		"<tr><td>adresse</td><td><a href=\"/les-api/api-adresse\">API Adresse</a></td><td class=\"n\">3</td></tr>",
		"Requêtes fréquentes dont aucun résultat n'a été ouvert</h2>",
		"<tr><td>entreprise</td><td class=\"n\">5</td></tr>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/stats lacks %q", want)
		}
	}

	// Rate-limited like every public endpoint.
	limited := newHandler(t, Config{RateLimit: 1}, testSource(t))
	codes := map[int]int{}
	for range 5 {
		codes[do(limited, "POST", "/stats/click?q=a&slug=api-adresse", nil).Code]++
	}
	if codes[429] == 0 {
		t.Errorf("five beacons at once from one client: %v, want some 429", codes)
	}
	for _, path := range []string{"/stats", "/stats.json"} {
		limited := newHandler(t, Config{RateLimit: 1}, testSource(t))
		codes := map[int]int{}
		for range 5 {
			codes[do(limited, "GET", path, nil).Code]++
		}
		if codes[429] == 0 || codes[200] == 0 {
			t.Errorf("GET %s five times at once from one client: %v, want 200 then 429", path, codes)
		}
	}
}

// TestRevalidationIsNotCounted: a client that already holds the answer (a 304) has not searched
// again, whether the answer was kept in the cache or computed once more.
func TestRevalidationIsNotCounted(t *testing.T) {
	for _, noCache := range []bool{false, true} {
		h := newHandler(t, Config{NoAnswerCache: noCache}, testSource(t))
		first := do(h, "GET", "/search?q=adresse", nil)
		for _, target := range []string{"/search?q=adresse", "/search?q=adresse"} {
			if rec := do(h, "GET", target, map[string]string{"If-None-Match": first.Header().Get("ETag")}); rec.Code != 304 {
				t.Fatalf("revalidation = %d, want 304", rec.Code)
			}
		}
		var got struct {
			Service struct{ Total struct{ Searches int } }
		}
		if err := json.Unmarshal(do(h, "GET", "/stats.json", nil).Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Service.Total.Searches != 1 {
			t.Errorf("answer cache off %v: %d searches counted, want 1 (two were 304s)", noCache, got.Service.Total.Searches)
		}
	}
}

// TestProbesAreNotCounted: a monitor's HEAD requests are neither searches nor suggestions.
func TestProbesAreNotCounted(t *testing.T) {
	h := newHandler(t, Config{}, testSource(t))
	for range 2 { // fresh, then from the answer cache
		do(h, "HEAD", "/search?q=adresse", nil)
		do(h, "HEAD", "/autocomplete?q=adr", nil)
	}
	var got struct {
		Service struct {
			Total struct{ Searches, Autocompletes int }
		}
	}
	if err := json.Unmarshal(do(h, "GET", "/stats.json", nil).Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Service.Total.Searches != 0 || got.Service.Total.Autocompletes != 0 {
		t.Errorf("HEAD requests counted: %+v", got.Service.Total)
	}
}
