package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"apisearch/catalog"
	"apisearch/internal/stats"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromium finds the browser, or skips the test outside CI (where .ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium in CI: .ci/run should have installed it")
	}
	t.Skip("no Chromium on this machine (apt-get install chromium): skipping the browser tests")
	return ""
}

// browse starts the service on the default catalogue and a headless Chromium, and returns the
// service's URL and a browser context.
func browse(t *testing.T) (string, context.Context) {
	t.Helper()
	return browseWith(t, Config{})
}

// browseWith is browse with the service configured by cfg.
func browseWith(t *testing.T, cfg Config) (string, context.Context) {
	t.Helper()
	exe := chromium(t)
	c, err := catalog.Load(catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(t, cfg, sourceOf(t, c)))
	t.Cleanup(srv.Close)

	// Chromium's helpers may still write to their profile while it exits: the folder is
	// removed after them, without failing the test.
	profile, err := os.MkdirTemp("", "apisearch-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return srv.URL, ctx
}

// onPage opens url and runs actions there. A navigation the previous page still had under way
// can destroy the page's JavaScript context under chromedp ("Cannot find context"): the whole
// chain, which starts from a fresh load, is then run again, at most three times.
func onPage(ctx context.Context, url string, actions ...chromedp.Action) error {
	var err error
	for range 3 {
		err = chromedp.Run(ctx, append([]chromedp.Action{chromedp.Navigate(url)}, actions...)...)
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			return err
		}
	}
	return err
}

// poll waits for a JavaScript condition to be true.
func poll(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(10*time.Second))
}

func TestSearchPageInABrowser(t *testing.T) {
	base, ctx := browse(t)
	var expanded, active, activeText, value, firstSlug, url, checked, total string
	var suggestionCount int
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		// An empty query browses the catalogue.
		poll(`document.querySelectorAll('#results li.hit').length === 20`),

		// Type a prefix: the accessible list of suggestions opens.
		chromedp.SendKeys("#q", "geo", chromedp.ByID),
		poll(`document.querySelectorAll('#suggestions li.suggestion').length > 0 && !document.querySelector('#suggestions').hidden`),
		chromedp.AttributeValue("#q", "aria-expanded", &expanded, nil, chromedp.ByID),
		chromedp.Evaluate(`document.querySelectorAll('#suggestions li[role=option]').length`, &suggestionCount),

		// Pick the first one, an API, with the keyboard: its page opens.
		chromedp.SendKeys("#q", kb.ArrowDown, chromedp.ByID),
		chromedp.AttributeValue("#q", "aria-activedescendant", &active, nil, chromedp.ByID),
		chromedp.Evaluate(`(document.getElementById(document.getElementById('q').getAttribute('aria-activedescendant'))||{}).querySelector('.suggestion-text').textContent`, &activeText),
	)
	if err == nil {
		err = follow(ctx, chromedp.SendKeys("#q", kb.Enter, chromedp.ByID))
	}
	if err == nil {
		err = chromedp.Run(ctx, chromedp.Text("h1", &value, chromedp.ByQuery), chromedp.Evaluate(`location.pathname`, &firstSlug))
	}
	if err != nil {
		t.Fatalf("typing and picking a suggestion: %v", err)
	}
	if expanded != "true" || suggestionCount == 0 {
		t.Errorf("suggestions: aria-expanded=%q, %d options", expanded, suggestionCount)
	}
	if !strings.HasPrefix(active, "suggestion-") || activeText != "API Géo" {
		t.Errorf("ArrowDown: aria-activedescendant=%q (%q), want the first suggestion, API Géo", active, activeText)
	}
	if value != "API Géo" || firstSlug != "/les-api/api-geo" {
		t.Errorf("after Enter: page %s titled %q, want API Géo's", firstSlug, value)
	}

	// Browse again and tick a facet: the results and the counts follow.
	var hits int
	var facetCount string
	err = onPage(ctx, base+"/",
		poll(`document.querySelectorAll('#results li.hit').length === 20`),
		chromedp.SendKeys("#q", "donnees"+kb.Enter, chromedp.ByID),
		poll(`location.search.includes('q=donnees') && document.querySelectorAll('#results li.hit').length > 0`),
		chromedp.Click(`input[name="access"][value="account"]`, chromedp.ByQuery),
		poll(`location.search.includes('access=account') && [...document.querySelectorAll('#results .hit-access')].every(b => b.textContent.trim() === 'Sur compte')`),
		chromedp.Evaluate(`document.querySelectorAll('#results li.hit').length`, &hits),
		chromedp.Evaluate(`document.querySelector('input[name="access"][value="account"]').closest('label').querySelector('.count').textContent`, &facetCount),
		chromedp.Text("#total", &total, chromedp.ByID),
		chromedp.Location(&url),
	)
	if err != nil {
		t.Fatalf("ticking a facet: %v", err)
	}
	if hits == 0 || !strings.Contains(facetCount, itoa(hits)) || !strings.Contains(total, itoa(hits)) {
		t.Errorf("after ticking « Sur compte »: %d hits, facet count %q, total %q: they should agree", hits, facetCount, total)
	}

	// The URL holds the search: reloading it gives the same page.
	var reloadedHits int
	err = onPage(ctx, url,
		poll(`document.querySelectorAll('#results li.hit').length > 0`),
		chromedp.Evaluate(`document.querySelectorAll('#results li.hit').length`, &reloadedHits),
		chromedp.Evaluate(`String(document.querySelector('input[name="access"][value="account"]').checked)`, &checked),
		chromedp.Value("#q", &value, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("reloading the shared URL %s: %v", url, err)
	}
	if reloadedHits != hits || checked != "true" || value != "donnees" {
		t.Errorf("reloaded %s: %d hits (want %d), facet checked %s, q %q", url, reloadedHits, hits, checked, value)
	}

	// Nothing found: a clear message and the spelling that would find something.
	var suggestion string
	err = onPage(ctx, base+"/?q=sirn",
		poll(`!document.querySelector('#no-results').hidden && document.querySelector('#did-you-mean')`),
		chromedp.Text("#did-you-mean", &suggestion, chromedp.ByID),
		chromedp.Click("#did-you-mean", chromedp.ByID),
		poll(`document.querySelectorAll('#results li.hit').length > 0 && document.querySelector('#q').value === 'siren'`),
	)
	if err != nil {
		t.Fatalf("no results and did-you-mean: %v", err)
	}
	if suggestion != "siren" {
		t.Errorf("did you mean = %q, want siren", suggestion)
	}

	// A picture of the page with a query, suggestions open and a ticked facet.
	var shot []byte
	err = onPage(ctx, base+"/?access=account",
		poll(`document.querySelectorAll('#results li.hit').length > 0`),
		chromedp.SendKeys("#q", "api e", chromedp.ByID),
		poll(`document.querySelectorAll('#suggestions li.suggestion').length > 0`),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if p := os.Getenv("APISEARCH_SCREENSHOT"); p != "" {
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Error(err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestStatsFromTheSearchPage types a query letter by letter at a person's pace in the search
// page: the statistics count one search of it, once the person stops typing, and the keystrokes
// apart; opening a result sends the beacon.
func TestStatsFromTheSearchPage(t *testing.T) {
	rec := stats.New(nil)
	base, ctx := browseWith(t, Config{Stats: rec})
	actions := []chromedp.Action{
		chromedp.Navigate(base + "/"),
		poll(`document.querySelectorAll('#results li.hit').length === 20`),
	}
	for _, letter := range "adresse" {
		actions = append(actions, chromedp.SendKeys("#q", string(letter), chromedp.ByID), chromedp.Sleep(350*time.Millisecond))
	}
	actions = append(actions, poll(`(document.querySelector('#results li.hit')||{}).dataset?.slug === 'api-adresse'`))
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("typing: %v", err)
	}
	waitFor := func(what string, ok func(stats.Snapshot) bool) stats.Snapshot {
		t.Helper()
		var s stats.Snapshot
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if s = rec.Snapshot(10, stats.Full); ok(s) {
				return s
			}
		}
		t.Fatalf("%s: %+v", what, s)
		return s
	}
	s := waitFor("the search settled", func(s stats.Snapshot) bool { return len(s.TopQueries) > 0 })
	if got := fmt.Sprint(s.TopQueries); got != "[{{adresse 1} 0}]" || s.Total.TypingSearches < 5 {
		t.Errorf("after typing adresse: queries %s, %d typing searches; want adresse once and the keystrokes apart", got, s.Total.TypingSearches)
	}
	if err := chromedp.Run(ctx, chromedp.Click("#results li.hit a", chromedp.ByQuery)); err != nil {
		t.Fatalf("opening a result: %v", err)
	}
	s = waitFor("the beacon", func(s stats.Snapshot) bool { return s.Total.Clicks > 0 })
	if got := fmt.Sprint(s.TopClicked); got != "[{adresse api-adresse 1}]" || fmt.Sprint(s.TopQueries) != "[{{adresse 1} 1}]" {
		t.Errorf("after opening the first result: clicked %s, queries %v", got, s.TopQueries)
	}
}
