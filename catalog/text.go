package catalog

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s in lower case, without accents and with runs of spaces collapsed: the key under
// which two spellings of a theme, a title or a query word are the same.
func Fold(s string) string {
	return string(AppendFold(make([]byte, 0, len(s)), s))
}

// AppendFold appends Fold(s) to dst: for callers that fold many words into one buffer.
func AppendFold(dst []byte, s string) []byte {
	space := false
	start := len(dst)
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = len(dst) > start
			continue
		case space:
			dst = append(dst, ' ')
			space = false
		}
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
		case r == '’' || r == '‘' || r == 'ʼ':
			dst = append(dst, '\'')
		case r >= latinStart && r < latinStart+rune(len(latinFolds)):
			dst = append(dst, latinFolds[r-latinStart]...)
		default:
			dst = append(dst, foldRune(r)...)
		}
	}
	return dst
}

// latinFolds holds the folded form of the Latin-1 and Latin Extended-A letters, which are
// nearly all the non-ASCII letters of French text.
const latinStart = 0xC0

var latinFolds = func() [0x180 - latinStart]string {
	var t [0x180 - latinStart]string
	for i := range t {
		t[i] = foldRune(rune(latinStart + i))
	}
	return t
}()

// foldRune lowers a rune, spells out its ligature or removes its accents.
func foldRune(r rune) string {
	switch r {
	case 'œ', 'Œ':
		return "oe"
	case 'æ', 'Æ':
		return "ae"
	case 'ß':
		return "ss"
	}
	var b strings.Builder
	for _, d := range norm.NFD.String(string(unicode.ToLower(r))) {
		if !unicode.Is(unicode.Mn, d) {
			b.WriteRune(d)
		}
	}
	return b.String()
}

// Printable returns s for a line of a report: unchanged when every character is graphic (so that
// ordinary paths stay readable), else quoted with Go escapes, so that a file name holding a line
// end or a terminal escape sequence can neither forge a line nor reach the terminal.
func Printable(s string) string {
	if isGraphic(s) {
		return s
	}
	return strconv.QuoteToGraphic(s)
}

// escape replaces the characters of s that are not graphic, and bytes that are not UTF-8, with
// their Go escapes ("\n", "\x1b", "\u202e"), and keeps the rest as it is.
func escape(s string) string {
	if isGraphic(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !strconv.IsGraphic(r) {
			// Within its quotes, QuoteToGraphic escapes the rune, or the invalid byte.
			q := strconv.QuoteToGraphic(s[i : i+size])
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isGraphic reports whether s is valid UTF-8 made of graphic characters only.
func isGraphic(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !strconv.IsGraphic(r) {
			return false
		}
		i += size
	}
	return true
}
