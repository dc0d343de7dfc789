package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// apiPageFacts are what a person looks for on an API's page.
type apiPageFacts struct {
	Path, Title, Producer, ProducerHref, Access, AccessHref string
	Docs                                                    []string
}

// readAPIPage reads the facts of the API page the browser shows.
func readAPIPage(ctx context.Context) (apiPageFacts, error) {
	var f apiPageFacts
	err := chromedp.Run(ctx, chromedp.Evaluate(`(() => {
		const a = (sel) => document.querySelector(sel);
		return {
			Path: location.pathname,
			Title: (a('h1') || {}).textContent || '',
			Producer: (a('a.api-producer') || {}).textContent || '',
			ProducerHref: (a('a.api-producer') || {}).getAttribute?.('href') || '',
			Access: (a('.api-access') || {}).textContent || '',
			AccessHref: (a('a.api-access-link') || {}).href || '',
			Docs: [...document.querySelectorAll('.api-links a')].map(l => l.textContent),
		};
	})()`, &f))
	return f, err
}

// follow runs an action that leads to an API's page and waits for that page to be loaded.
// chromedp may fail the action with "Cannot find context" when the navigation starts while it
// still reads the page, or return before the new page is there: either way the new page is
// waited for by polling its address and its state.
func follow(ctx context.Context, action chromedp.Action) error {
	err := chromedp.Run(ctx, action)
	if err != nil && !strings.Contains(err.Error(), "Cannot find context") {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ready bool
		err = chromedp.Run(ctx, chromedp.Evaluate(`location.pathname.startsWith('/les-api/') && document.readyState === 'complete' && document.querySelector('h1') !== null`, &ready))
		if err == nil && ready {
			return nil
		}
	}
	if err == nil {
		err = errors.New("no API page after 10 s")
	}
	return err
}

// TestAPIPageInABrowser follows a person from the search page to an API's page: a result's
// title, an API chosen in the combobox with the keyboard or the mouse; a producer chosen there
// filters the search; the page reads the same with JavaScript turned off.
func TestAPIPageInABrowser(t *testing.T) {
	base, ctx := browse(t)

	// The first result of a search opens its page: producer, access procedure, documentation.
	var first string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/?q=entreprise"),
		poll(`document.querySelectorAll('#results li.hit').length > 0`),
		chromedp.Evaluate(`document.querySelector('#results li.hit').dataset.slug`, &first),
	)
	if err == nil {
		err = follow(ctx, chromedp.Click("#results li.hit h3 a", chromedp.ByQuery))
	}
	if err != nil {
		t.Fatalf("opening the first result of entreprise: %v", err)
	}
	f, err := readAPIPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != "/les-api/"+first || f.Title == "" || !strings.HasPrefix(f.ProducerHref, "/?producer=") ||
		f.AccessHref == "" || !slices.Contains(f.Docs, "Documentation technique") {
		t.Errorf("the first result %s opened %+v: want its page with the producer, the access procedure and the documentation", first, f)
	}

	// Back to the search: the producer's link filters it.
	_, err = chromedp.RunResponse(ctx, chromedp.Click("a.api-producer", chromedp.ByQuery))
	if err == nil {
		err = chromedp.Run(ctx, poll(`location.search.startsWith('?producer=') && document.querySelectorAll('#results li.hit').length > 0`))
	}
	if err != nil {
		t.Fatalf("following the producer's link: %v", err)
	}

	// An API chosen in the combobox with the keyboard opens its page.
	var option struct {
		Index int
		Text  string
		Slug  string
	}
	err = onPage(ctx, base+"/",
		poll(`document.querySelectorAll('#results li.hit').length > 0`),
		chromedp.SendKeys("#q", "api entr", chromedp.ByID),
		poll(`document.querySelector('#suggestions li[data-kind=api]') !== null`),
		chromedp.Evaluate(`(() => {
			const options = [...document.querySelectorAll('#suggestions li[role=option]')];
			const i = options.findIndex(o => o.dataset.kind === 'api');
			return {Index: i, Text: options[i].querySelector('.suggestion-text').textContent};
		})()`, &option),
	)
	if err != nil {
		t.Fatalf("typing api entr: %v", err)
	}
	var keys []chromedp.Action
	for range option.Index + 1 {
		keys = append(keys, chromedp.SendKeys("#q", kb.ArrowDown, chromedp.ByID))
	}
	if err = chromedp.Run(ctx, keys...); err == nil {
		err = follow(ctx, chromedp.SendKeys("#q", kb.Enter, chromedp.ByID))
	}
	if err != nil {
		t.Fatalf("choosing %q with the keyboard: %v", option.Text, err)
	}
	if f, err = readAPIPage(ctx); err != nil || !strings.HasPrefix(f.Path, "/les-api/") || f.Title != option.Text {
		t.Errorf("after choosing %q with the keyboard: %+v, %v", option.Text, f, err)
	}

	// And with the mouse.
	err = onPage(ctx, base+"/",
		poll(`document.querySelectorAll('#results li.hit').length > 0`),
		chromedp.SendKeys("#q", "geo", chromedp.ByID),
		poll(`document.querySelector('#suggestions li[data-kind=api]') !== null`),
		chromedp.Text(`#suggestions li[data-kind=api] .suggestion-text`, &option.Text, chromedp.ByQuery),
	)
	if err == nil {
		err = follow(ctx, chromedp.Click(`#suggestions li[data-kind=api]`, chromedp.ByQuery))
	}
	if err != nil {
		t.Fatalf("clicking an API suggestion: %v", err)
	}
	if f, err = readAPIPage(ctx); err != nil || f.Title != option.Text {
		t.Errorf("after clicking %q: %+v, %v", option.Text, f, err)
	}

	// A producer chosen in the combobox filters the search on it.
	var producers []string
	err = onPage(ctx, base+"/",
		poll(`document.querySelectorAll('#results li.hit').length > 0`),
		chromedp.SendKeys("#q", "dinu", chromedp.ByID),
		poll(`document.querySelector('#suggestions li[data-kind=producer]') !== null`),
		chromedp.Click(`#suggestions li[data-kind=producer]`, chromedp.ByQuery),
		poll(`location.search.includes('producer=dinum') && document.querySelector('#q').value === '' &&
			document.querySelector('#results-region').getAttribute('aria-busy') === 'false' &&
			[...document.querySelectorAll('#results .hit-producer')].every(p => p.textContent === 'Direction interministérielle du numérique')`),
		chromedp.Evaluate(`[...new Set([...document.querySelectorAll('#results .hit-producer')].map(p => p.textContent))]`, &producers),
	)
	if err != nil {
		t.Fatalf("choosing a producer: %v", err)
	}
	if len(producers) != 1 || producers[0] != "Direction interministérielle du numérique" {
		t.Errorf("after choosing DINUM, results of %v", producers)
	}

	// With JavaScript turned off, an API's page reads the same.
	var noscript apiPageFacts
	err = chromedp.Run(ctx,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(base+"/les-api/api-entreprise"),
		chromedp.WaitVisible("h1", chromedp.ByQuery),
		emulation.SetScriptExecutionDisabled(false),
	)
	if err == nil {
		noscript, err = readAPIPage(ctx)
	}
	if err != nil {
		t.Fatalf("the page without JavaScript: %v", err)
	}
	if noscript.Title != "API Entreprise" || noscript.ProducerHref != "/?producer=dinum" ||
		!strings.Contains(noscript.AccessHref, "datapass") || !slices.Contains(noscript.Docs, "Documentation technique") {
		t.Errorf("the page without JavaScript: %+v", noscript)
	}
}

// pageWeight is what loading a page costs: its document and every file it loads, as sent
// and decoded, and when Chromium first painted it.
type pageWeight struct {
	Nav []struct {
		Name                       string
		Transfer, Encoded, Decoded float64
	}
	Res []struct {
		Name                       string
		Transfer, Encoded, Decoded float64
	}
	Paint []struct {
		Name  string
		Start float64
	}
	Ready float64 // ms until the page showed what it is for: results, or the API's title
}

// TestPageWeightAndFirstRender measures the search page and an API's page in Chromium, cache
// off: bytes as sent and decoded, the gzip size of each file, first paint, first contentful
// paint and when the page shows what it is for (the search page's results, which its script
// fetches). It logs the figures:
//
//	go test ./internal/server -run TestPageWeightAndFirstRender -v
func TestPageWeightAndFirstRender(t *testing.T) {
	base, ctx := browse(t)
	if err := chromedp.Run(ctx, network.Enable(), network.SetCacheDisabled(true)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, path, ready string }{
		{"search page", "/", `document.querySelectorAll('#results li.hit').length > 0`},
		{"API page", "/les-api/api-entreprise", `document.querySelector('h1') !== null`},
	} {
		var runs []pageWeight
		for range 5 {
			var w pageWeight
			err := chromedp.Run(ctx,
				chromedp.Navigate(base+tt.path),
				poll(tt.ready),
				chromedp.Evaluate(`performance.now()`, &w.Ready),
				chromedp.Sleep(100*time.Millisecond), // paint entries are queued after the frame
				chromedp.Evaluate(`({
					Nav: performance.getEntriesByType('navigation').map(e => ({Name: e.name, Transfer: e.transferSize, Encoded: e.encodedBodySize, Decoded: e.decodedBodySize})),
					Res: performance.getEntriesByType('resource').map(e => ({Name: e.name, Transfer: e.transferSize, Encoded: e.encodedBodySize, Decoded: e.decodedBodySize})),
					Paint: performance.getEntriesByType('paint').map(e => ({Name: e.name, Start: e.startTime})),
				})`, &w),
			)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			runs = append(runs, w)
		}
		w := runs[len(runs)-1]
		var sent, decoded, gz float64
		for _, e := range append(w.Nav, w.Res...) {
			sent += e.Encoded
			decoded += e.Decoded
			n := gzipSize(t, e.Name)
			gz += float64(n)
			t.Logf("%s: %-40s %6.0f bytes sent, %6.0f decoded, %6d gzipped", tt.name, strings.TrimPrefix(e.Name, base), e.Encoded, e.Decoded, n)
		}
		median := func(f func(pageWeight) float64) float64 {
			v := make([]float64, len(runs))
			for i, r := range runs {
				v[i] = f(r)
			}
			slices.Sort(v)
			return v[len(v)/2]
		}
		paint := func(name string) func(pageWeight) float64 {
			return func(w pageWeight) float64 {
				for _, p := range w.Paint {
					if p.Name == name {
						return p.Start
					}
				}
				return -1
			}
		}
		t.Logf("%s %s: %d requests, %.0f bytes sent (%.0f decoded, %.0f if every file were gzipped); median of %d loads, cache off: first paint %.0f ms, first contentful paint %.0f ms, ready %.0f ms",
			tt.name, tt.path, len(w.Nav)+len(w.Res), sent, decoded, gz, len(runs),
			median(paint("first-paint")), median(paint("first-contentful-paint")), median(func(w pageWeight) float64 { return w.Ready }))
		if decoded > 200_000 {
			t.Errorf("%s weighs %.0f bytes", tt.name, decoded)
		}
	}
}

// gzipSize is the size of what url answers, gzipped at the default level.
func gzipSize(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return b.Len()
}
