package catalog

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
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

// markdown parses the catalogue's Markdown, tables included.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// PlainText renders Markdown as plain text for indexing: the words people read, without markup,
// link targets, raw HTML or code blocks.
func PlainText(md string) string {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	space := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
			b.WriteByte(' ')
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				b.Write(n.Segment.Value(src))
				if n.SoftLineBreak() || n.HardLineBreak() {
					space()
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(src))
			}
		case *extast.TableCell:
			space()
		default:
			if n.Type() == ast.TypeBlock {
				space()
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
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
