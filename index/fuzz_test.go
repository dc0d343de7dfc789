package index

import (
	"context"
	"html"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

// onlyMarks reports what in s is markup other than <mark> and </mark>, or "" when nothing is.
func onlyMarks(s string) string {
	for i := strings.IndexByte(s, '<'); i >= 0; i = strings.IndexByte(s, '<') {
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "<mark>"):
			s = s[len("<mark>"):]
		case strings.HasPrefix(s, "</mark>"):
			s = s[len("</mark>"):]
		default:
			return s[:min(len(s), 20)]
		}
	}
	if strings.ContainsAny(s, ">\"") {
		return "unescaped > or \""
	}
	return ""
}

// unmark removes the <mark> tags and unescapes what is left: the text that was highlighted.
func unmark(s string) string {
	s = strings.ReplaceAll(s, "<mark>", "")
	s = strings.ReplaceAll(s, "</mark>", "")
	return html.UnescapeString(s)
}

// FuzzHighlight gives the highlighter any text and any term locations: its output has no
// markup but <mark>, marks only whole characters, and says the text, nothing else.
func FuzzHighlight(f *testing.F) {
	f.Add("API <b>Adresse</b> & co", []byte{4, 11, 0, 3})
	f.Add("Géorisques : l'état des risques", []byte{0, 11, 14, 20, 200, 255})
	f.Add(strings.Repeat("données publiques ", 30), []byte{10, 30, 40, 60, 250, 255})
	f.Add("\"><script>alert(1)</script>", []byte{0, 2, 2, 9})
	f.Fuzz(func(t *testing.T, text string, offsets []byte) {
		if !utf8.ValidString(text) {
			return // the catalogue loader refuses invalid UTF-8 before anything is indexed
		}
		var locs []search.FieldTermLocation
		for i := 0; i+1 < len(offsets) && i < 64; i += 2 {
			// Offsets scaled to the text, so that long texts get locations too.
			start := int(offsets[i]) * (len(text) + 1) / 256
			end := start + int(offsets[i+1])%32
			locs = append(locs, search.FieldTermLocation{Field: "t", Term: "t", Location: search.Location{Start: uint64(start), End: uint64(end)}})
		}
		marks := spans(locs, "t", text)
		h := highlight(text, marks)
		if bad := onlyMarks(h); bad != "" {
			t.Fatalf("highlight(%q) = %q: markup %q", text, h, bad)
		}
		if got := unmark(h); got != text {
			t.Fatalf("highlight(%q) says %q", text, got)
		}
		if !utf8.ValidString(h) || strings.Count(h, "<mark>") != strings.Count(h, "</mark>") {
			t.Fatalf("highlight(%q) = %q: invalid UTF-8 or unbalanced marks", text, h)
		}
		s := snippet(text, marks)
		if bad := onlyMarks(s); bad != "" {
			t.Fatalf("snippet(%q) = %q: markup %q", text, s, bad)
		}
		plain := strings.TrimSuffix(strings.TrimPrefix(unmark(s), "…"), "…")
		if !strings.Contains(text, plain) || !utf8.ValidString(s) {
			t.Fatalf("snippet(%q) = %q: not a part of the text", text, s)
		}
	})
}

var (
	fuzzIndexOnce sync.Once
	fuzzIndex     *Index
	fuzzIndexErr  error
)

// sharedDefaultIndex is an index of the default catalogue, built once per process: fuzzing calls
// its function thousands of times a second.
func sharedDefaultIndex(t *testing.T) *Index {
	fuzzIndexOnce.Do(func() { fuzzIndex, fuzzIndexErr = buildDefault() })
	if fuzzIndexErr != nil {
		t.Fatal(fuzzIndexErr)
	}
	return fuzzIndex
}

// FuzzSearch gives the query parser, the query builder and the suggester any query the server
// lets through (valid UTF-8, not too long): no error, no panic, a bounded time, and highlights
// with no markup but <mark>.
func FuzzSearch(f *testing.F) {
	for _, q := range []string{"adresse", "l'éducation nationale", "legifranse", "geo*", "title:x", "\"api", "a b c d e f g h", "données données données", "ÉTAT", "ŉ ß ﬁ"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQueryLength {
			return // refused with a 400 by the server
		}
		ix := sharedDefaultIndex(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := ix.Search(ctx, Request{Query: q})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		for _, h := range res.Hits {
			for _, s := range []string{h.Highlights.Title, h.Highlights.Tagline, h.Highlights.Body} {
				if bad := onlyMarks(s); bad != "" {
					t.Fatalf("Search(%q): highlight %q has markup %q", q, s, bad)
				}
			}
		}
		if utf8.RuneCountInString(q) <= MaxSuggestQueryLength {
			for _, s := range ix.Suggest(q, DefaultSuggestions) {
				if bad := onlyMarks(s.Highlight); bad != "" {
					t.Fatalf("Suggest(%q): highlight %q has markup %q", q, s.Highlight, bad)
				}
			}
		}
	})
}
