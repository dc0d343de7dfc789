package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tree is what a query says before any lookup: its free text, its quoted phrases and what it
// excludes. Parsing is pure: the same string always gives the same tree, whatever the index.
type Tree struct {
	Text     string   // the words outside phrases and exclusions, as typed
	Phrases  []string // "quoted phrases", each matched as a whole
	Excluded []string // -word and -"phrase": results must not hold them
	Typing   bool     // the query ends inside a word: its last word may be unfinished
}

// String prints a tree, for tests and explanations.
func (t Tree) String() string {
	var parts []string
	if s := strings.Join(strings.Fields(t.Text), " "); s != "" {
		parts = append(parts, "text("+s+")")
	}
	for _, p := range t.Phrases {
		parts = append(parts, fmt.Sprintf("phrase(%q)", p))
	}
	for _, x := range t.Excluded {
		parts = append(parts, fmt.Sprintf("not(%q)", x))
	}
	if t.Typing {
		parts = append(parts, "typing")
	}
	return strings.Join(parts, " ")
}

// ParseQuery reads a query: a double quote opens a phrase and the next one closes it (an
// unclosed quote is ignored); a minus at the start of a word or a phrase excludes it, a minus
// inside a word ("loire-atlantique") is part of it. Nothing else is syntax: bleve's query
// language is never interpreted.
func ParseQuery(q string) Tree {
	var t Tree
	var text strings.Builder
	excludedLast := false // the query ends with an exclusion, not with a word being typed
	i := 0
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		atStart := i == 0 || isSpace(lastRune(q[:i]))
		switch {
		case r == '-' && atStart && i+1 < len(q) && q[i+1] == '"':
			if phrase, next, ok := quoted(q, i+1); ok {
				if phrase != "" {
					t.Excluded = append(t.Excluded, phrase)
				}
				i = next
				continue
			}
			i++ // an unclosed quote: the minus and the quote are ignored
		case r == '-' && atStart && i+1 < len(q) && isWordRune(q[i+1:]):
			end := i + 1
			for end < len(q) && !isSpace(firstRune(q[end:])) && q[end] != '"' {
				_, n := utf8.DecodeRuneInString(q[end:]) // 1 for a byte that is not UTF-8
				end += n
			}
			t.Excluded = append(t.Excluded, q[i+1:end])
			excludedLast = true
			i = end
			text.WriteByte(' ')
		case r == '"':
			if phrase, next, ok := quoted(q, i); ok {
				if phrase != "" {
					t.Phrases = append(t.Phrases, phrase)
				}
				text.WriteByte(' ')
				i = next
				continue
			}
			text.WriteByte(' ') // an unclosed quote is ignored
			i++
		default:
			if !isSpace(r) {
				excludedLast = false
			}
			text.WriteString(q[i : i+size])
			i += size
		}
	}
	t.Text = text.String()
	// The last word may be unfinished when the query ends with it: not with a space, a quote
	// or an exclusion.
	last := lastRune(q)
	t.Typing = (unicode.IsLetter(last) || unicode.IsDigit(last)) && !excludedLast
	return t
}

// quoted reads the phrase whose opening quote is at q[open]: its trimmed text and the index
// after its closing quote; ok is false when the quote is never closed.
func quoted(q string, open int) (phrase string, next int, ok bool) {
	j := strings.IndexByte(q[open+1:], '"')
	if j < 0 {
		return "", 0, false
	}
	return strings.TrimSpace(q[open+1 : open+1+j]), open + 2 + j, true
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// isWordRune reports whether s starts with a letter or a digit.
func isWordRune(s string) bool {
	r := firstRune(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }
func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
