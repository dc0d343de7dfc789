package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPartialAnswerInABrowser checks, in a headless Chromium (skipped without one, as the
// other browser tests), what the page says of an answer that holds only some of the query's
// words or none, and that it shows the query syntax.
func TestPartialAnswerInABrowser(t *testing.T) {
	base, ctx := browse(t)
	tests := []struct {
		name, query string
		notice      string // the notice above results, "" when hidden
		noResults   string // the unknown words line of the no-results box, "" when none
		words       int    // unknown words set apart, each in its own element
	}{
		{"results with every word", "adresse", "", "", 0},
		{"results with some words, one unknown", "adresse wolpertinger",
			"Aucune API ne contient tous vos mots : voici celles qui en contiennent une partie.Aucun résultat pour : wolpertinger.", "", 1},
		{"no result, every word unknown", "xyzzyq wolpertinger", "", "Aucun résultat pour : xyzzyq, wolpertinger.", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var notice, noResults string
			var words int
			err := chromedp.Run(ctx,
				chromedp.Navigate(base+"/?q="+strings.ReplaceAll(tt.query, " ", "+")),
				poll(`document.querySelector('#results-region').getAttribute('aria-busy') === 'false'`),
				chromedp.Evaluate(`(n => n.hidden ? '' : n.textContent)(document.querySelector('#query-notice'))`, &notice),
				chromedp.Evaluate(`(n => n ? n.textContent : '')(document.querySelector('#no-results:not([hidden]) .unknown-words'))`, &noResults),
				chromedp.Evaluate(`document.querySelectorAll('#query-notice strong, #no-results strong').length`, &words),
			)
			if err != nil {
				t.Fatalf("searching %q: %v", tt.query, err)
			}
			if notice != tt.notice || noResults != tt.noResults {
				t.Errorf("%q: notice %q, no-results %q; want %q, %q", tt.query, notice, noResults, tt.notice, tt.noResults)
			}
			if words != tt.words {
				t.Errorf("%q: %d words set apart, want %d", tt.query, words, tt.words)
			}
		})
	}
	var syntax string
	if err := chromedp.Run(ctx, chromedp.Text("#q-syntax", &syntax, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"base adresse"`, "-mot", `-"une expression"`} {
		if !strings.Contains(syntax, want) {
			t.Errorf("the help %q does not show %s", syntax, want)
		}
	}
}
