package index

import (
	"bytes"
	"html"
	"strings"
	"unicode/utf8"

	"apisearch/catalog"
)

// snippetLength is the length in bytes, about, of the body snippet of a hit.
const snippetLength = 200

// matcher tells which words of a text a query matched, the way the search matched them:
// exactly, through a synonym or a typo, or as a prefix.
type matcher struct {
	ix       *Index
	exact    map[string]bool
	prefixes []string
}

func (ix *Index) newMatcher(p parsed) *matcher {
	m := &matcher{ix: ix, exact: make(map[string]bool)}
	for _, ph := range p.phrases {
		for _, t := range ix.analyze(ph) {
			m.exact[t] = true
		}
	}
	for i, w := range p.words {
		last := i == len(p.words)-1 && p.prefix && !ix.cfg.NoPrefix
		if last && len(w.raw) >= 2 {
			m.prefixes = append(m.prefixes, w.raw)
			if w.term != "" {
				m.prefixes = append(m.prefixes, w.term)
			}
		}
		if w.term == "" {
			continue
		}
		m.exact[w.term] = true
		for _, t := range w.typos {
			m.exact[t] = true
		}
		if !ix.cfg.NoSynonyms {
			for _, r := range ix.rules[w.term] {
				for _, to := range r.to {
					for _, t := range ix.analyze(to) {
						m.exact[t] = true
					}
				}
			}
		}
	}
	return m
}

func (m *matcher) empty() bool {
	return len(m.exact) == 0 && len(m.prefixes) == 0
}

// matches tells whether a word of a text, as analysed (term) and as written (word, folded),
// matches the query.
func (m *matcher) matches(term string, word []byte) bool {
	if m.exact[term] {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(term, p) || bytes.HasPrefix(word, []byte(p)) {
			return true
		}
	}
	return false
}

// token is a word of a text, by its byte offsets.
type token struct{ start, end int }

// marked returns the words of text and which of them match. Words are analysed through the
// vocabulary, which knows the term of every catalogue word, so that highlighting a long body
// costs a scan, not a run of the analyzer.
func (m *matcher) marked(text string) ([]token, []bool) {
	if m.empty() || text == "" {
		return nil, nil
	}
	var tokens []token
	var marks []bool
	var buf []byte
	eachWord(text, func(start, end int) {
		buf = catalog.AppendFold(buf[:0], text[start:end])
		word := stripElisionBytes(buf)
		term, ok := m.ix.vocab.term[string(word)]
		if !ok {
			term = firstTerm(m.ix.analyze(string(word)))
		}
		tokens = append(tokens, token{start, end})
		marks = append(marks, term != "" && m.matches(term, word))
	})
	return tokens, marks
}

// highlight returns text as HTML with the matched words in <mark>.
func (m *matcher) highlight(text string) string {
	tokens, marks := m.marked(text)
	return render(text, 0, len(text), tokens, marks)
}

// snippet returns about snippetLength bytes of text around its best match, as HTML with the
// matched words in <mark>; the start of the text when nothing matches.
func (m *matcher) snippet(text string) string {
	tokens, marks := m.marked(text)
	if len(text) <= snippetLength {
		return render(text, 0, len(text), tokens, marks)
	}
	// The best window is the one that starts at a match and holds the most matches.
	best, bestCount := -1, 0
	for i := range tokens {
		if !marks[i] {
			continue
		}
		n := 0
		for j := i; j < len(tokens) && tokens[j].end <= tokens[i].start+snippetLength; j++ {
			if marks[j] {
				n++
			}
		}
		if n > bestCount {
			best, bestCount = i, n
		}
	}
	start := 0
	if best > 0 {
		// Show a little context before the match.
		from := max(best-3, 0)
		start = tokens[from].start
		if tokens[best].start-start > snippetLength/3 {
			start = tokens[best].start
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
	out := render(text, start, end, tokens, marks)
	if start > 0 {
		out = "…" + out
	}
	if end < len(text) {
		out += "…"
	}
	return out
}

// render returns text[start:end] as HTML with the marked tokens in <mark>.
func render(text string, start, end int, tokens []token, marks []bool) string {
	var b strings.Builder
	pos := start
	for i, t := range tokens {
		if !marks[i] || t.start < pos || t.end > end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:t.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[t.start:t.end]))
		b.WriteString("</mark>")
		pos = t.end
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	return b.String()
}
