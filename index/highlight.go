package index

import (
	"html"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

// snippetLength is the length in bytes, about, of the body snippet of a hit.
const snippetLength = 200

// span is a matched word of a text, by its byte offsets.
type span struct{ start, end int }

// spans returns the matched words of a field, sorted, each once, from the term locations
// bleve recorded while matching: what is marked is exactly what matched, exactly, through a
// typo, a synonym or a prefix. Locations that do not fall on characters of text are dropped.
func spans(locs []search.FieldTermLocation, field, text string) []span {
	var out []span
	for _, l := range locs {
		start, end := int(l.Location.Start), int(l.Location.End)
		if l.Field == field && start < end && end <= len(text) && utf8.RuneStart(text[start]) && (end == len(text) || utf8.RuneStart(text[end])) {
			out = append(out, span{start, end})
		}
	}
	slices.SortFunc(out, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.end - b.end
	})
	// Several clauses that match one word record it once each.
	return slices.Compact(out)
}

// highlight returns text as HTML with its matched words in <mark>.
func highlight(text string, marks []span) string {
	return render(text, 0, len(text), marks)
}

// snippet returns about snippetLength bytes of text around its densest run of matches, as HTML
// with the matched words in <mark>; the start of the text when nothing in it matched.
func snippet(text string, marks []span) string {
	if len(text) <= snippetLength {
		return render(text, 0, len(text), marks)
	}
	best, bestCount := -1, 0
	for i := range marks {
		n := 0
		for j := i; j < len(marks) && marks[j].end <= marks[i].start+snippetLength; j++ {
			n++
		}
		if n > bestCount {
			best, bestCount = i, n
		}
	}
	start := 0
	if best >= 0 {
		// A little context before the match, from the start of a word.
		start = max(marks[best].start-snippetLength/5, 0)
		if start > 0 {
			if sp := strings.IndexByte(text[start:marks[best].start], ' '); sp >= 0 {
				start += sp + 1
			} else {
				start = marks[best].start
			}
		}
	}
	end := min(start+snippetLength, len(text))
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end--
	}
	// End at a space rather than inside a word.
	if end < len(text) {
		if sp := strings.LastIndexByte(text[start:end], ' '); sp > snippetLength/2 {
			end = start + sp
		}
	}
	out := render(text, start, end, marks)
	if start > 0 {
		out = "…" + out
	}
	if end < len(text) {
		out += "…"
	}
	return out
}

// render returns text[start:end] as HTML with the marked spans in <mark>.
func render(text string, start, end int, marks []span) string {
	var b strings.Builder
	pos := start
	for _, m := range marks {
		if m.start < pos || m.end > end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:m.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[m.start:m.end]))
		b.WriteString("</mark>")
		pos = m.end
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	return b.String()
}
