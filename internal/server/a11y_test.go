package server

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var update = flag.Bool("update", false, "rewrite the screenshots under docs/screenshots")

// axePath is where .ci/run installs axe-core (npm ci --prefix testdata/axe), at the version
// testdata/axe/package-lock.json pins.
const axePath = "testdata/axe/node_modules/axe-core/axe.min.js"

// screenshotDir is where -update writes the pages' screenshots, which the README names.
const screenshotDir = "../../docs/screenshots"

// wcagTags are the axe-core rules the pages must pass: WCAG 2.1 levels A and AA, which RGAA
// follows.
var wcagTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// widths are the viewport widths every page is checked and pictured at: a phone and a desktop.
var widths = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"375", 375, 812, true},
	{"1280", 1280, 900, false},
}

// axeSource reads axe-core, or skips the test outside CI when it is not installed.
func axeSource(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err == nil {
		return string(src)
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("no axe-core in CI (%v): .ci/run should have installed it", err)
	}
	t.Skipf("no axe-core at internal/server/%s (npm ci --prefix internal/server/testdata/axe): skipping the accessibility checks", axePath)
	return ""
}

// axeViolation is one rule a page breaks, with the elements that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for i, n := range v.Nodes {
		if i == 3 {
			fmt.Fprintf(&b, "\n\tand %d more", len(v.Nodes)-i)
			break
		}
		fmt.Fprintf(&b, "\n\t%s %s\n\t\t%s", n.Target, truncate(n.HTML), strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
	}
	return b.String()
}

// watchCSP records, in every document the browser opens, what the content security policy
// blocks, which checkCSP then reads.
func watchCSP() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(
  e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline code') + ' at ' + e.sourceFile + ':' + e.lineNumber));`).Do(ctx)
		return err
	})
}

// checkCSP fails the test for anything the content security policy blocked on the page.
func checkCSP(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var blocked []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.cspViolations || []`, &blocked)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, b := range blocked {
		t.Errorf("%s: the content security policy %s", name, b)
	}
}

// checkAxe runs axe-core on the page as it is and fails the test for every violation.
func checkAxe(t *testing.T, ctx context.Context, axe, name string) {
	t.Helper()
	var violations []axeViolation
	tags, _ := json.Marshal(wcagTags)
	run := fmt.Sprintf(`axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
  .then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))})))`, tags)
	var loaded bool
	err := chromedp.Run(ctx,
		chromedp.Evaluate(axe+";\ntypeof axe === 'object'", &loaded),
		chromedp.Evaluate(run, &violations, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", name, err)
	}
	for _, v := range violations {
		t.Errorf("%s: %s", name, v)
	}
}

// viewport sets the browser's viewport width, as a phone or a desktop.
func viewport(width, height int64, mobile bool) chromedp.Action {
	return emulation.SetDeviceMetricsOverride(width, height, 1, mobile)
}

// maxShotHeight is the most of a page's height a screenshot shows (CSS pixels): the top of a
// long page says how it looks, and the pictures stay small enough to commit.
const maxShotHeight = 6000

// screenshot takes a PNG of the whole page at the viewport's width, down to maxShotHeight.
func screenshot(shot *[]byte) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		_, _, _, _, _, content, err := page.GetLayoutMetrics().Do(ctx)
		if err != nil {
			return err
		}
		*shot, err = page.CaptureScreenshot().WithFormat(page.CaptureScreenshotFormatPng).WithCaptureBeyondViewport(true).
			WithClip(&page.Viewport{Width: content.Width, Height: min(content.Height, maxShotHeight), Scale: 1}).Do(ctx)
		return err
	})
}

// a11yPage is a page the accessibility test checks: where it is, and what to wait for before
// checking it.
type a11yPage struct {
	name, path, ready string
}

// TestAccessibility opens each page at a phone and a desktop width and checks it with axe-core
// at the WCAG 2.1 AA level, that it fits the phone's width without scrolling sideways, and
// that the content security policy blocks nothing on it; then takes its screenshot, written
// under docs/screenshots with -update.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	base, ctx := browse(t)
	if err := chromedp.Run(ctx, watchCSP()); err != nil {
		t.Fatal(err)
	}
	// A few searches, so that /stats has rows.
	for _, q := range []string{"entreprise", "adresse", "xyzzyq"} {
		if err := chromedp.Run(ctx, chromedp.Navigate(base+"/?q="+q), poll(`document.querySelector('#results-region').getAttribute('aria-busy') === 'false'`)); err != nil {
			t.Fatal(err)
		}
	}
	searchReady := `document.querySelector('#results-region').getAttribute('aria-busy') === 'false' && document.querySelectorAll('#results li.hit').length > 0`
	pages := []a11yPage{
		{"search", "/?q=entreprise", searchReady},
		{"search-no-results", "/?q=sirn", `document.querySelector('#results-region').getAttribute('aria-busy') === 'false' && !document.querySelector('#no-results').hidden`},
		{"api", "/les-api/api-entreprise", `document.readyState === 'complete'`},
		{"api-not-found", "/les-api/api-nulle-part", `document.readyState === 'complete'`},
		{"stats", "/stats", `document.readyState === 'complete'`},
		{"docs", "/docs", `document.readyState === 'complete'`},
	}
	for _, w := range widths {
		for _, p := range pages {
			name := p.name + "-" + w.name
			var overflow int
			var shot []byte
			err := chromedp.Run(ctx,
				viewport(w.width, w.height, w.mobile),
				chromedp.Navigate(base+p.path),
				poll(p.ready),
				chromedp.Evaluate(fmt.Sprintf(`document.documentElement.scrollWidth - %d`, w.width), &overflow),
				screenshot(&shot),
			)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkAxe(t, ctx, axe, name)
			checkCSP(t, ctx, name)
			if overflow > 0 {
				t.Errorf("%s: the page is %d px wider than the %d px window", name, overflow, w.width)
			}
			if *update {
				if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), shot, 0o644); err != nil {
					t.Error(err)
				}
			}
		}
	}
}

// focused describes the element that has the keyboard focus: its id, else its name and value.
const focused = `(e => e.id || (e.name ? e.name + '=' + e.value : e.tagName.toLowerCase()))(document.activeElement)`

// tabTo presses Tab until the focused element matches the CSS selector, at most max times.
func tabTo(selector string, max int) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for range max {
			var ok bool
			if err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab),
				chromedp.Evaluate(fmt.Sprintf(`document.activeElement.matches(%q)`, selector), &ok)); err != nil {
				return err
			}
			if ok {
				return nil
			}
		}
		var at string
		_ = chromedp.Run(ctx, chromedp.Evaluate(focused, &at))
		return fmt.Errorf("%d presses of Tab never reached %s (focus on %s)", max, selector, at)
	})
}

// pollAcrossNavigation waits for a JavaScript condition to be true on whatever page the browser
// shows: a navigation under way, which makes the condition fail to evaluate, is waited out.
func pollAcrossNavigation(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			var ok bool
			if err = chromedp.Run(ctx, chromedp.Evaluate(expr, &ok)); err == nil && ok {
				return nil
			}
		}
		return fmt.Errorf("%s still false after 10 s (%v)", expr, err)
	})
}

// expectFocus fails unless the focused element is the one described, as focused describes it.
func expectFocus(want string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var at string
		if err := chromedp.Run(ctx, chromedp.Evaluate(focused, &at)); err != nil {
			return err
		}
		if at != want {
			return fmt.Errorf("focus on %s, want %s", at, want)
		}
		return nil
	})
}

// TestKeyboardOnly uses the search page with keys alone, as someone who cannot use a mouse:
// the combobox (arrows, Escape, Enter), the facets (Tab, Space), the phone's fold of the
// filters and the pagination (Enter), checking where the focus is at each step, then a form of
// /docs; the pages pass axe-core with the suggestions open, with the filters unfolded on a
// phone and with an answer shown on /docs.
func TestKeyboardOnly(t *testing.T) {
	axe := axeSource(t)
	base, ctx := browse(t)
	loaded := `document.querySelector('#results-region').getAttribute('aria-busy') === 'false' && document.querySelectorAll('#results li.hit').length > 0`
	listOpen := `!document.querySelector('#suggestions').hidden && document.querySelector('#q').getAttribute('aria-expanded') === 'true'`
	active := `document.querySelector('#q').getAttribute('aria-activedescendant') || ''`

	// The combobox: the skip link, then the search box; the arrows move through the
	// suggestions, Escape closes them and keeps the text, Enter chooses one.
	var first, second, back, chosen string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		poll(loaded),
		chromedp.KeyEvent(kb.Tab), expectFocus("a"),
		chromedp.KeyEvent(kb.Tab), expectFocus("q"),
		chromedp.KeyEvent("geo"),
		poll(listOpen),
		chromedp.KeyEvent(kb.ArrowDown), chromedp.Evaluate(active, &first),
		chromedp.KeyEvent(kb.ArrowDown), chromedp.Evaluate(active, &second),
		chromedp.KeyEvent(kb.ArrowUp), chromedp.Evaluate(active, &back),
	)
	if err != nil {
		t.Fatalf("the combobox: %v", err)
	}
	if first != "suggestion-0" || second != "suggestion-1" || back != "suggestion-0" {
		t.Errorf("ArrowDown, ArrowDown, ArrowUp: active options %q, %q, %q; want suggestion-0, -1, -0", first, second, back)
	}
	checkAxe(t, ctx, axe, "search page, suggestions open")
	err = chromedp.Run(ctx,
		chromedp.KeyEvent(kb.Escape),
		poll(`document.querySelector('#suggestions').hidden && document.querySelector('#q').getAttribute('aria-expanded') === 'false' && !document.querySelector('#q').hasAttribute('aria-activedescendant')`),
		poll(`document.querySelector('#q').value === 'geo'`),
		expectFocus("q"),
		// ArrowDown opens the list again; Enter chooses the active option.
		chromedp.KeyEvent(kb.ArrowDown),
		poll(listOpen),
		chromedp.Evaluate(`document.getElementById(`+active+`).querySelector('.suggestion-text').textContent`, &chosen),
		chromedp.KeyEvent(kb.Enter),
	)
	if err != nil {
		t.Fatalf("the combobox, Escape and Enter: %v", err)
	}
	// The first suggestion of geo is an API: Enter opens its page.
	if err := chromedp.Run(ctx, pollAcrossNavigation(fmt.Sprintf(`location.pathname.startsWith('/les-api/') && document.readyState === 'complete' && document.querySelector('h1').textContent.trim() === %q`, chosen))); err != nil {
		t.Errorf("Enter on %q did not open its page: %v", chosen, err)
	}

	// The facets: Tab reaches a checkbox, Space ticks it, the results follow and the focus
	// stays on it though the facets are drawn again; Space unticks it.
	var box string
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/?q=donnees"),
		pollAcrossNavigation(loaded), // after a navigation the page made itself, chromedp may hold the old context a moment
		tabTo(`input[name="access"]`, 20),
		chromedp.Evaluate(focused, &box),
	)
	if err != nil {
		t.Fatalf("the facets: %v", err)
	}
	value := strings.TrimPrefix(box, "access=")
	err = chromedp.Run(ctx,
		chromedp.KeyEvent(" "),
		poll(fmt.Sprintf(`location.search.includes('access=%s') && document.activeElement.checked`, value)),
		poll(loaded), expectFocus(box),
		chromedp.KeyEvent(" "),
		poll(`!location.search.includes('access=') && !document.activeElement.checked`),
		poll(loaded), expectFocus(box),
	)
	if err != nil {
		t.Errorf("ticking and unticking %s with Space: %v", box, err)
	}

	// The pagination: Tab reaches « Suivant », Enter shows page 2 and moves the focus to the
	// number of results, from where Tab goes on through page 2's results.
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		poll(loaded),
		tabTo("#next", 100),
		chromedp.KeyEvent(kb.Enter),
		poll(`location.search.includes('page=2') && document.querySelector('#page-info').textContent.startsWith('Page 2 ')`),
		poll(loaded),
		expectFocus("total"),
		chromedp.KeyEvent(kb.Tab), expectFocus("sort"),
		tabTo("#prev", 60),
		chromedp.KeyEvent(kb.Enter),
		poll(`!location.search.includes('page=') && document.querySelector('#page-info').textContent.startsWith('Page 1 ')`),
		expectFocus("total"),
	)
	if err != nil {
		t.Errorf("the pagination: %v", err)
	}

	// On a phone the filters are folded: Tab reaches the button that shows them, Enter
	// unfolds them, and Tab goes on to the first filter.
	err = chromedp.Run(ctx,
		viewport(375, 812, true),
		chromedp.Navigate(base+"/?q=donnees"),
		poll(loaded),
		poll(`getComputedStyle(document.querySelector('#facets-panel')).display === 'none'`),
		tabTo("#facets-toggle", 20),
		chromedp.KeyEvent(kb.Enter),
		poll(`document.querySelector('#facets-toggle').getAttribute('aria-expanded') === 'true' && getComputedStyle(document.querySelector('#facets-panel')).display !== 'none'`),
		chromedp.KeyEvent(kb.Tab),
		poll(`document.activeElement.matches('input[name="access"]')`),
	)
	if err != nil {
		t.Errorf("the filters on a phone: %v", err)
	}
	checkAxe(t, ctx, axe, "search page on a phone, filters unfolded")

	// The documentation's forms: Tab reaches the first one's button, Enter sends its request
	// and the answer is shown, which the page reads out (role status) and axe-core passes.
	err = chromedp.Run(ctx,
		viewport(1280, 900, false),
		chromedp.Navigate(base+"/docs"),
		tabTo(`form.try button[type="submit"]`, 80),
		chromedp.KeyEvent(kb.Enter),
		poll(`(f => !f.querySelector('.answer').hidden && f.querySelector('.status').textContent !== '')(document.activeElement.form)`),
	)
	if err != nil {
		t.Fatalf("sending a request from /docs with the keyboard: %v", err)
	}
	checkAxe(t, ctx, axe, "docs, an answer shown")
}
