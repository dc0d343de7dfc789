package catalog

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
)

// The national catalogue writes its descriptions for its own site, whose renderer reads
// components (<External href=…>text</External>, <Button href=…>, <NextSteps />, <QuestionTree …/>)
// and HTML (<details>, <summary>, <p>, <br>) with Markdown inside it. One conversion turns them
// into what a reader sees: goldmark parses the Markdown, the HTML blocks are turned into the
// Markdown they hold and parsed again, then the tree is cleaned: link components become links,
// every other tag goes (the text between tags stays, a script's or a frame's does not), links
// whose scheme is not http, https or mailto become their text. The same tree gives the plain
// text that is indexed and the HTML that an API's page shows, so what search finds is what the
// page shows, and no raw HTML of a catalogue file ever reaches a page.

// markdown parses descriptions; table alignments are dropped rather than written as style
// attributes, which the pages' content security policy refuses.
var markdown = goldmark.New(goldmark.WithExtensions(
	extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)),
	extension.Strikethrough, extension.Linkify))

// inlineMarkdown parses one-line texts, titles and taglines, as the inside of a paragraph: a
// tagline that starts with "1." or "- " is not a list.
var inlineMarkdown = goldmark.New(
	goldmark.WithParser(parser.NewParser(
		parser.WithBlockParsers(util.Prioritized(parser.NewParagraphParser(), 1000)),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...))),
	goldmark.WithExtensions(extension.Strikethrough, extension.Linkify))

// Tags, by what becomes of them.
var (
	// linkTags are the components and tags that link their content to their href.
	linkTags = set("a", "external", "button")
	// dropTags lose their content with them: code, styles, frames, media, forms' lists.
	dropTags = set("script", "style", "iframe", "textarea", "noscript", "template", "object",
		"svg", "math", "select", "title", "xmp", "noembed", "noframes", "plaintext", "video",
		"audio", "canvas", "head")
	// blockTags end a paragraph where they stand.
	blockTags = set("address", "article", "aside", "blockquote", "br", "caption", "center", "dd",
		"details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
		"form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
		"p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul")
)

// PlainText returns the text a reader sees of a Markdown description, for indexing and
// snippets: words only, without markup, components, link targets or fenced code.
func PlainText(md string) string {
	return parseMarkdown(markdown, md, nil).text()
}

// InlineText returns the text a reader sees of a one-line Markdown text (a title, a tagline):
// a text without markup characters is returned as it is.
func InlineText(s string) string {
	if !strings.ContainsAny(s, "*_`[]<>&\\~") {
		return s
	}
	return parseMarkdown(inlineMarkdown, s, nil).text()
}

// DescriptionHTML renders an entry's description as HTML for its page: its headings start at
// <h3>, under the page's sections; links lead to http, https and mailto addresses only, a
// site-relative link of the national catalogue to its site, or to the page of the API it
// names (page(slug)) when this catalogue holds that API.
func (c *Catalog) DescriptionHTML(e *Entry, page func(slug string) string) template.HTML {
	site := ""
	if c.Layout == LayoutAPIGouv {
		site = apiGouvSite
	}
	link := func(dest string) string {
		u, err := cleanLink(dest, site)
		if err != nil {
			return ""
		}
		if slug, ok := strings.CutPrefix(u, apiGouvSite+"/les-api/"); ok && page != nil &&
			!strings.ContainsAny(slug, "/?#") && c.Entry(slug) != nil {
			return page(slug)
		}
		return u
	}
	t := parseMarkdown(markdown, e.Description, link)
	t.shiftHeadings(3)
	var b bytes.Buffer
	if err := markdown.Renderer().Render(&b, t.src, t.doc); err != nil {
		// Rendering writes to memory: it cannot fail. Show the text if it ever does.
		return template.HTML(template.HTMLEscapeString(t.text()))
	}
	// Safe as HTML: the cleaned tree holds no raw HTML, and goldmark escapes text and addresses.
	return template.HTML(b.String())
}

// Bounds on the Markdown of a text, past which it is read as plain text: goldmark's work grows
// with the square of how deeply containers nest on a line ("> > > …", "1. 1. 1. …") and of how
// many brackets and emphasis signs stay open, to minutes for a file under the size cap. The
// national catalogue's descriptions stay far within them (12 KB; 21 brackets, 133 emphasis
// signs, 4 levels, 7 table columns by 300 lines at most).
const (
	maxMarkdownBytes   = 64 << 10
	maxMarkdownNesting = 16
	maxMarkdownSigns   = 2000
	// maxMarkdownCells bounds the cells a table may have, taken as the most "|" on a line
	// times the lines: goldmark gives every row as many cells as the header has, and 2 000
	// columns by 2 000 rows are millions of cells.
	maxMarkdownCells = 20_000
)

// MarkdownCost says why md is too costly to read as Markdown ("" when it is not): it is then
// read as plain text, its signs shown as they are written.
func MarkdownCost(md string) string {
	if len(md) > maxMarkdownBytes {
		return fmt.Sprintf("is %d bytes long, over %d", len(md), maxMarkdownBytes)
	}
	if n := strings.Count(md, "[") + strings.Count(md, "*") + strings.Count(md, "_") + strings.Count(md, "~"); n > maxMarkdownSigns {
		return fmt.Sprintf("holds %d brackets and emphasis signs, over %d", n, maxMarkdownSigns)
	}
	columns, lines := 0, 0
	for line := range strings.Lines(md) {
		if n := nesting(line); n > maxMarkdownNesting {
			return fmt.Sprintf("nests %d blocks on a line, over %d", n, maxMarkdownNesting)
		}
		columns, lines = max(columns, strings.Count(line, "|")+1), lines+1
	}
	if columns > 1 && columns*lines > maxMarkdownCells {
		return fmt.Sprintf("may make a table of %d columns by %d lines, over %d cells", columns, lines, maxMarkdownCells)
	}
	return ""
}

// nesting counts the containers a line of Markdown opens before its text: quote and list
// markers, spaces and HTML tags around them aside. Indentation alone is not counted: lists
// nested line by line cost goldmark linear work, and code examples are indented deeply.
func nesting(line string) int {
	n := 0
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '<' && strings.IndexByte(line[i:], '>') > 0:
			// A tag: flattenHTMLBlocks reads what follows it as Markdown.
			i += strings.IndexByte(line[i:], '>') + 1
		case c == '>':
			n++
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			n++
			i += 2
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j+1 >= len(line) || (line[j] != '.' && line[j] != ')') || (line[j+1] != ' ' && line[j+1] != '\t') {
				return n
			}
			n++
			i = j + 2
		default:
			return n
		}
	}
	return n
}

// escapeMarkdown escapes every ASCII punctuation sign of src with a backslash, so that
// Markdown reads it as the sign itself.
func escapeMarkdown(src []byte) []byte {
	const signs = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	out := make([]byte, 0, len(src)+len(src)/4)
	for _, c := range src {
		if strings.IndexByte(signs, c) >= 0 {
			out = append(out, '\\')
		}
		out = append(out, c)
	}
	return out
}

// hrefWithoutEquals finds a tag's href written without its "=" (<External href"https://…">,
// as an entry of the national catalogue does), which would leave the whole tag as text.
var hrefWithoutEquals = regexp.MustCompile(`(<[A-Za-z]+\s[^<>]*?\bhref)(["'])`)

// mdTree is a Markdown text parsed and cleaned: it holds no raw HTML, and its links lead only
// where the link function of parseMarkdown let them.
type mdTree struct {
	doc ast.Node
	src []byte
}

// parseMarkdown parses md with m and cleans its tree. link maps a link's destination to the
// address it leads to, "" for none (the link becomes its text); nil keeps no link.
func parseMarkdown(m goldmark.Markdown, md string, link func(string) string) mdTree {
	src := []byte(md)
	if MarkdownCost(md) != "" {
		// Read as plain text: every sign escaped, goldmark's work is linear again.
		src = escapeMarkdown(src)
	}
	if bytes.Contains(src, []byte(`href"`)) || bytes.Contains(src, []byte(`href'`)) {
		src = hrefWithoutEquals.ReplaceAll(src, []byte("$1=$2"))
	}
	doc := m.Parser().Parse(text.NewReader(src))
	if flat, ok := flattenHTMLBlocks(doc, src); ok {
		// What the HTML blocks held is Markdown read now: bounded as the text was.
		if src = flat; MarkdownCost(string(flat)) != "" {
			src = escapeMarkdown(flat)
		}
		doc = m.Parser().Parse(text.NewReader(src))
	}
	c := cleaner{src: src, link: link}
	c.children(doc, false)
	return mdTree{doc: doc, src: src}
}

// flattenHTMLBlocks rewrites md with its HTML blocks turned into the Markdown they hold (see
// htmlToMarkdown), each of their lines without its indentation, so that the Markdown the
// national catalogue writes inside <details> is read as such. It reports false when md has no
// HTML block.
func flattenHTMLBlocks(doc ast.Node, src []byte) ([]byte, bool) {
	type edit struct {
		start, stop int
		text        []byte
	}
	var edits []edit
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		b, ok := n.(*ast.HTMLBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		segs := make([]text.Segment, 0, b.Lines().Len()+1)
		for i := 0; i < b.Lines().Len(); i++ {
			segs = append(segs, b.Lines().At(i))
		}
		if b.HasClosure() {
			segs = append(segs, b.ClosureLine)
		}
		if len(segs) == 0 {
			return ast.WalkSkipChildren, nil
		}
		var raw []byte
		for _, s := range segs {
			raw = append(raw, s.Value(src)...)
		}
		// Lines after the first keep what their container puts before them ("> ", a list
		// item's indentation), which lies between the segments.
		var prefix []byte
		if len(segs) > 1 {
			start := bytes.LastIndexByte(src[:segs[1].Start], '\n') + 1
			prefix = src[start:segs[1].Start]
		}
		var out []byte
		for i, line := range bytes.Split(htmlToMarkdown(raw), []byte("\n")) {
			if i > 0 {
				out = append(out, '\n')
				out = append(out, prefix...)
			}
			out = append(out, bytes.TrimLeft(line, " \t")...)
		}
		edits = append(edits, edit{segs[0].Start, segs[len(segs)-1].Stop, out})
		return ast.WalkSkipChildren, nil
	})
	if len(edits) == 0 {
		return nil, false
	}
	out := make([]byte, 0, len(src))
	last := 0
	for _, e := range edits {
		out = append(out, src[last:e.start]...)
		out = append(out, e.text...)
		if e.stop > e.start && src[e.stop-1] == '\n' && !bytes.HasSuffix(e.text, []byte("\n")) {
			out = append(out, '\n')
		}
		last = e.stop
	}
	return append(out, src[last:]...), true
}

// htmlToMarkdown returns the Markdown an HTML block holds: its text as written, a blank line
// for each block tag, the link tags as they are (the second parse makes them links), nothing
// of other tags, comments, or the content of dropTags.
func htmlToMarkdown(raw []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(raw))
	var out []byte
	skip, depth := "", 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		tok := append([]byte(nil), z.Raw()...)
		switch tt {
		case html.TextToken:
			if skip == "" {
				out = append(out, tok...)
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b, _ := z.TagName()
			name := string(b)
			switch {
			case skip != "":
				if name == skip && tt == html.StartTagToken {
					depth++
				} else if name == skip && tt == html.EndTagToken {
					if depth--; depth == 0 {
						skip = ""
					}
				}
			case dropTags[name] && tt == html.StartTagToken:
				skip, depth = name, 1
			case blockTags[name]:
				out = append(out, "\n\n"...)
			case linkTags[name]:
				out = append(out, tok...)
			}
		}
	}
}

// htmlText returns the text of an HTML fragment, decoded, without the content of dropTags.
func htmlText(raw []byte) string {
	z := html.NewTokenizer(bytes.NewReader(raw))
	var b strings.Builder
	skip, depth := "", 0
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			if skip == "" {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch {
			case skip != "":
				if string(name) == skip && tt == html.StartTagToken {
					depth++
				} else if string(name) == skip && tt == html.EndTagToken {
					if depth--; depth == 0 {
						skip = ""
					}
				}
			case dropTags[string(name)] && tt == html.StartTagToken:
				skip, depth = string(name), 1
			default:
				b.WriteByte(' ')
			}
		}
	}
}

// cleaner removes from a parsed tree what must not reach a page.
type cleaner struct {
	src  []byte
	link func(string) string
}

// dest is where a link leads, "" for nowhere.
func (c *cleaner) dest(raw string) string {
	if c.link == nil {
		return ""
	}
	return c.link(raw)
}

// children cleans the children of parent; inLink is true inside a link, where no other link
// may start.
func (c *cleaner) children(parent ast.Node, inLink bool) {
	tags := c.tags(parent)
	for n := parent.FirstChild(); n != nil; {
		next := n.NextSibling()
		switch v := n.(type) {
		case *ast.HTMLBlock:
			// Left by the second parse (a link tag alone on its line): its text only.
			var raw []byte
			for i := 0; i < v.Lines().Len(); i++ {
				seg := v.Lines().At(i)
				raw = append(raw, seg.Value(c.src)...)
			}
			if v.HasClosure() {
				raw = append(raw, v.ClosureLine.Value(c.src)...)
			}
			if t := htmlText(raw); t != "" {
				p := ast.NewParagraph()
				p.AppendChild(p, rawString(t))
				parent.ReplaceChild(parent, v, p)
			} else {
				parent.RemoveChild(parent, v)
			}
		case *ast.RawHTML:
			next = c.rawHTML(parent, v, tags[v], inLink)
		case *ast.Link:
			dest := c.dest(string(v.Destination))
			c.children(v, true)
			if dest != "" && !inLink {
				v.Destination = []byte(dest)
			} else {
				unwrap(parent, v)
			}
		case *ast.AutoLink:
			url := string(v.URL(c.src))
			if v.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(url), "mailto:") {
				url = "mailto:" + url
			}
			if dest := c.dest(url); dest == "" || inLink {
				parent.ReplaceChild(parent, v, rawString(string(v.Label(c.src))))
			}
		case *ast.Image:
			// Its description, as text: no image from elsewhere.
			c.children(v, true)
			unwrap(parent, v)
		case *ast.Text:
			// Emphasis marks that close nothing ("**Titre : **"): markup, not text.
			value := v.Segment.Value(c.src)
			if _, code := parent.(*ast.CodeSpan); code {
				break
			}
			if isDelimiterRun(value) {
				parent.RemoveChild(parent, v)
			} else if bytes.Contains(value, []byte("**")) {
				s := rawString(string(starRuns.ReplaceAll(unescape(value), nil)))
				if v.SoftLineBreak() || v.HardLineBreak() {
					s.Value = append(s.Value, ' ')
				}
				parent.ReplaceChild(parent, v, s)
			}
		default:
			c.children(n, inLink)
		}
		n = next
	}
}

// tag is an inline tag, read once.
type tag struct {
	name  string
	kind  html.TokenType
	href  string
	close ast.Node // the sibling that closes the element a start tag opens, or nil
}

// tags reads the inline tags among parent's children and pairs each start tag with the tag
// that closes it, in one pass.
func (c *cleaner) tags(parent ast.Node) map[ast.Node]*tag {
	var tags map[ast.Node]*tag
	var open map[string][]ast.Node
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		r, ok := n.(*ast.RawHTML)
		if !ok {
			continue
		}
		if tags == nil {
			tags, open = make(map[ast.Node]*tag), make(map[string][]ast.Node)
		}
		var raw []byte
		for i := 0; i < r.Segments.Len(); i++ {
			seg := r.Segments.At(i)
			raw = append(raw, seg.Value(c.src)...)
		}
		t := parseTag(raw)
		tags[n] = t
		switch stack := open[t.name]; {
		case t.kind == html.StartTagToken:
			open[t.name] = append(stack, n)
		case t.kind == html.EndTagToken && len(stack) > 0:
			tags[stack[len(stack)-1]].close = n
			open[t.name] = stack[:len(stack)-1]
		}
	}
	return tags
}

// rawHTML cleans an inline tag and returns the node to clean next: a link tag with an allowed
// href and a closing tag among the following siblings becomes a link around what is between;
// a dropTags tag goes with everything up to its closing tag; <br> becomes a line break; any
// other tag goes, its content staying.
func (c *cleaner) rawHTML(parent ast.Node, v *ast.RawHTML, t *tag, inLink bool) ast.Node {
	next := v.NextSibling()
	end := t.close
	if end != nil && end.Parent() != parent {
		end = nil // moved into a link that closed first: tags that cross
	}
	switch {
	case t.kind == html.StartTagToken && linkTags[t.name] && end != nil:
		after := end.NextSibling()
		dest := c.dest(t.href)
		if dest == "" || inLink {
			parent.RemoveChild(parent, v)
			parent.RemoveChild(parent, end)
			if next == end {
				return after
			}
			return next
		}
		l := ast.NewLink()
		l.Destination = []byte(dest)
		for n := next; n != end; {
			following := n.NextSibling()
			l.AppendChild(l, n)
			n = following
		}
		parent.ReplaceChild(parent, v, l)
		parent.RemoveChild(parent, end)
		c.children(l, true)
		return after
	case t.kind == html.StartTagToken && dropTags[t.name]:
		for n := next; n != nil && n != end; {
			following := n.NextSibling()
			parent.RemoveChild(parent, n)
			n = following
		}
		next = nil
		if end != nil {
			next = end.NextSibling()
			parent.RemoveChild(parent, end)
		}
	case t.name == "br":
		if text, ok := v.PreviousSibling().(*ast.Text); ok {
			text.SetHardLineBreak(true)
		} else {
			parent.InsertBefore(parent, v, rawString(" "))
		}
	}
	parent.RemoveChild(parent, v)
	return next
}

// parseTag reads one tag: its name in lower case, whether it opens, closes or is a whole
// element, and its href. A comment or a declaration has no name.
func parseTag(raw []byte) *tag {
	z := html.NewTokenizer(bytes.NewReader(raw))
	t := &tag{kind: z.Next()}
	if t.kind != html.StartTagToken && t.kind != html.EndTagToken && t.kind != html.SelfClosingTagToken {
		return t
	}
	b, more := z.TagName()
	t.name = string(b)
	for more {
		var k, val []byte
		k, val, more = z.TagAttr()
		if string(k) == "href" {
			t.href = string(val)
		}
	}
	return t
}

// unwrap puts n's children in its place.
func unwrap(parent, n ast.Node) {
	for ch := n.FirstChild(); ch != nil; {
		following := ch.NextSibling()
		parent.InsertBefore(parent, n, ch)
		ch = following
	}
	parent.RemoveChild(parent, n)
}

// starRuns are runs of "*" that emphasise nothing, left in a text.
var starRuns = regexp.MustCompile(`\*\*+`)

// unescape resolves the entities and backslash escapes of Markdown text.
func unescape(v []byte) []byte {
	return util.UnescapePunctuations(util.ResolveNumericReferences(util.ResolveEntityNames(v)))
}

// isDelimiterRun reports whether v is two or more "*" or "_" and nothing else.
func isDelimiterRun(v []byte) bool {
	return len(v) >= 2 && (len(bytes.Trim(v, "*")) == 0 || len(bytes.Trim(v, "_")) == 0)
}

// rawString is a text node holding s as it is: the renderer escapes it, without reading
// Markdown escapes or entities in it.
func rawString(s string) *ast.String {
	n := ast.NewString([]byte(s))
	n.SetRaw(true)
	return n
}

// shiftHeadings moves the headings so that the highest is at level top, none below 6.
func (t mdTree) shiftHeadings(top int) {
	highest := 7
	_ = ast.Walk(t.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			highest = min(highest, h.Level)
		}
		return ast.WalkContinue, nil
	})
	_ = ast.Walk(t.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level-highest+top, 6)
		}
		return ast.WalkContinue, nil
	})
}

// text is the tree's text: words separated by single spaces, without fenced code.
func (t mdTree) text() string {
	var b strings.Builder
	space := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
			b.WriteByte(' ')
		}
	}
	_ = ast.Walk(t.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.FencedCodeBlock:
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			// Indented text: in the catalogue, prose indented by mistake (a list under
			// <details>), which readers see.
			if entering {
				space()
				for i := 0; i < n.Lines().Len(); i++ {
					seg := n.Lines().At(i)
					b.Write(seg.Value(t.src))
					space()
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				v := n.Segment.Value(t.src)
				if _, code := n.Parent().(*ast.CodeSpan); !code {
					v = unescape(v)
				}
				b.Write(v)
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
				b.Write(n.Label(t.src))
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
