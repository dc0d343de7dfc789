package catalog

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"
)

// The national catalogue's components and HTML, as its files write them, turned into text.
func TestPlainTextOfComponents(t *testing.T) {
	tests := []struct{ name, md, want string }{
		{"External", `Voir <External href="https://entreprise.api.gouv.fr/">le site</External>.`, "Voir le site."},
		{"Button", `<Button href="/les-api/x/demande-acces">Demander un accès</Button>`, "Demander un accès"},
		{"self-closing components", "Avant\n\n<NextSteps />\n<QuestionTree tree='a' question='b' />\n\nAprès", "Avant Après"},
		{"details and summary, Markdown inside", "<details>\n    <summary>Présentation</summary>\n    <p>\n    **Gras** et [lien](https://x.fr).\n</details>", "Présentation Gras et lien."},
		{"br", "un<br>deux<br/>trois", "un deux trois"},
		{"script block", "Avant\n\n<script>alert(1)</script>\n\nAprès", "Avant Après"},
		{"inline script", "a <script>alert(1)</script> b", "a b"},
		{"iframe", "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n\nTexte", "Texte"},
		{"an unclosed emphasis", "**DV3F - Géomutations : ** Retourne les mutations", "DV3F - Géomutations : Retourne les mutations"},
		{"href without =", `sur le <External href"https://www.geoportail.gouv.fr/carte">Géoportail</External> ainsi`, "sur le Géoportail ainsi"},
		{"entities and escapes", `a &amp; b \*c\* &#233;`, "a & b *c* é"},
		{"image: its description", "![Schéma du flux](/images/flux.png)", "Schéma du flux"},
		{"comment", "a <!-- caché --> b", "a b"},
		{"indented text", "Liste :\n\n    - un\n    - deux", "Liste : - un - deux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.md); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.md, got, tt.want)
			}
		})
	}
}

func TestInlineText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"API Entreprise", "API Entreprise"},
		{"API Quotient familial MSA & CAF", "API Quotient familial MSA & CAF"},
		{"1. Calculer le quotient", "1. Calculer le quotient"},
		{"- tirets", "- tirets"},
		{"Accéder aux **données** de <External href=\"https://x.fr\">X</External>", "Accéder aux données de X"},
		{"API_Ingres_Noyau", "API_Ingres_Noyau"},
		{"Titre <script>alert(1)</script>", "Titre"},
	}
	for _, tt := range tests {
		if got := InlineText(tt.in); got != tt.want {
			t.Errorf("InlineText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDescriptionHTML(t *testing.T) {
	c := &Catalog{Layout: LayoutAPIGouv, Entries: []*Entry{{Slug: "api-particulier"}}}
	yaml := &Catalog{Layout: LayoutYAML}
	page := func(slug string) string { return "/les-api/" + slug }
	tests := []struct {
		name     string
		c        *Catalog
		md, want string
	}{
		{"a Markdown link", c, "[la BAN](https://adresse.data.gouv.fr)", `<p><a href="https://adresse.data.gouv.fr">la BAN</a></p>`},
		{"External", c, `Voir <External href="https://x.fr/a?b=1&amp;c=2">le site</External>.`, `<p>Voir <a href="https://x.fr/a?b=1&amp;c=2">le site</a>.</p>`},
		{"a mail address", c, "<a href='mailto:simulaides@ademe.fr'>simulaides@ademe.fr</a>", `<p><a href="mailto:simulaides@ademe.fr">simulaides@ademe.fr</a></p>`},
		{"a javascript: link: its text", c, "[x](javascript:alert(1))", `<p>x</p>`},
		{"a javascript: component: its text", c, `<External href="javascript:alert(1)">x</External>`, `<p>x</p>`},
		{"a javascript: autolink: its text", c, "<javascript:alert(1)>", `<p>javascript:alert(1)</p>`},
		{"a data: link", c, "[x](data:text/html,<script>alert(1)</script>)", `<p>x</p>`},
		{"an ftp: link", c, "[x](ftp://a.fr/b)", `<p>x</p>`},
		{"a bare address", c, "Voir www.data.gouv.fr", `<p>Voir <a href="http://www.data.gouv.fr">www.data.gouv.fr</a></p>`},
		{"raw HTML is never rendered", c, "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <b onclick=\"x()\">gras</b>", `<p> gras</p>`},
		{"an image: its description", c, "![logo](https://x.fr/logo.png)", `<p>logo</p>`},
		{"the page of an API the catalogue holds", c, "[API Particulier](/les-api/api-particulier)", `<p><a href="/les-api/api-particulier">API Particulier</a></p>`},
		{"another page of the national catalogue", c, `<Button href="/les-api/api-particulier/demande-acces">Demander</Button>`, `<p><a href="https://api.gouv.fr/les-api/api-particulier/demande-acces">Demander</a></p>`},
		{"an API it does not hold", c, "[Sirene](/les-api/sirene_v3)", `<p><a href="https://api.gouv.fr/les-api/sirene_v3">Sirene</a></p>`},
		{"a site-relative link of the project's layout", yaml, "[x](/ailleurs)", `<p>x</p>`},
		{"no link in a link", c, "<External href='https://a.fr'>https://a.fr</External>", `<p><a href="https://a.fr">https://a.fr</a></p>`},
		{"headings start at h3", c, "## Usages\n\n### Données", "<h3>Usages</h3>\n<h4>Données</h4>"},
		{"details", c, "<details>\n<summary>En savoir plus</summary>\n\n- un\n</details>", "<p>En savoir plus</p>\n<ul>\n<li>un</li>\n</ul>"},
		{"a table, without style attributes", c, "| a | b |\n|:--|--:|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"},
		{"line breaks", c, "un<br>deux", "<p>un<br>\ndeux</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.TrimSpace(string(tt.c.DescriptionHTML(&Entry{Description: tt.md}, page)))
			if got != tt.want {
				t.Errorf("DescriptionHTML(%q) =\n%s\nwant\n%s", tt.md, got, tt.want)
			}
		})
	}
}

// checkSafeHTML fails unless out is HTML whose only elements are those Markdown makes, without
// event or style attributes, and whose links are http, https, mailto or this site's pages.
func checkSafeHTML(t *testing.T, in, out string) {
	t.Helper()
	allowed := set("p", "a", "em", "strong", "del", "code", "pre", "ul", "ol", "li", "blockquote",
		"h3", "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td")
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			if tt == html.CommentToken || tt == html.DoctypeToken {
				t.Fatalf("%q gave a comment or doctype: %s", in, out)
			}
			continue
		}
		name, more := z.TagName()
		if !allowed[string(name)] {
			t.Fatalf("%q gave a <%s> element: %s", in, name, out)
		}
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			switch key, val := string(k), strings.ToLower(string(v)); {
			case key == "href":
				if !strings.HasPrefix(val, "http://") && !strings.HasPrefix(val, "https://") &&
					!strings.HasPrefix(val, "mailto:") && !(strings.HasPrefix(val, "/") && !strings.HasPrefix(val, "//")) {
					t.Fatalf("%q gave a link to %q: %s", in, v, out)
				}
			case key == "title" || key == "start" || (key == "class" && strings.HasPrefix(val, "language-")):
			default:
				t.Fatalf("%q gave an attribute %s=%q: %s", in, k, v, out)
			}
		}
	}
}

// FuzzDescriptionHTML renders any description: the HTML holds only Markdown's elements, no
// event handler, style or script, and links only to http, https, mailto or this site's pages.
func FuzzDescriptionHTML(f *testing.F) {
	for _, s := range []string{
		"[x](javascript:alert(1))", "<script>alert(1)</script>", "<External href=\"javascript:x\">a</External>",
		"<details>\n<summary>a</summary>\n<a href='vbscript:x'>b</a>\n</details>", "a <img src=x onerror=alert(1)> b",
		"<a href=\"https://x.fr\" onclick=\"x()\">y</a>", "[a](<java\tscript:x>)", "<svg><script>x</script></svg>",
		"<<b>x>", "<Button href=/les-api/a>b</Button>", "```\n<script>\n```", "<![CDATA[<script>]]>",
		"  <a href=\"https://x.fr\">\n  lien\n  </a>", "> <details>\n> **a**\n> </details>\n",
		"[a <b>x</b> <External href='https://x.fr'>y</External>](javascript:x)", "![a <External href='https://x.fr'>b</External>](x)",
		"<a href='https://a.fr'>x <External href='https://b.fr'>y</a> z</External>",
	} {
		f.Add(s)
	}
	c := &Catalog{Layout: LayoutAPIGouv, Entries: []*Entry{{Slug: "a"}}}
	f.Fuzz(func(t *testing.T, md string) {
		out := string(c.DescriptionHTML(&Entry{Description: md}, func(slug string) string { return "/les-api/" + slug }))
		checkSafeHTML(t, md, out)
		_ = PlainText(md) // never panics
	})
}

// Every description of the national catalogue's snapshot renders to safe HTML, and its text
// holds none of the markup its files use.
func TestSnapshotDescriptions(t *testing.T) {
	if _, err := os.Stat(snapshotDir); err != nil {
		t.Skipf("no snapshot of the national catalogue at %s: %v", snapshotDir, err)
	}
	c, err := Load(os.DirFS(snapshotDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Entries {
		if why := MarkdownCost(e.Description); why != "" {
			t.Errorf("%s: the description %s: it would be read as plain text", e.Slug, why)
		}
		checkSafeHTML(t, e.Slug, string(c.DescriptionHTML(e, func(slug string) string { return "/les-api/" + slug })))
		for _, s := range []string{e.Title, e.Tagline, e.Text} {
			for _, markup := range []string{"<External", "</External", "<Button", "<details", "<br", "**", "](", "&amp;", "&#"} {
				if strings.Contains(s, markup) {
					t.Errorf("%s: %q in %q", e.Slug, markup, s)
				}
			}
		}
	}
}

// The cost of a description is linear in its size, whatever its tags, unclosed ones included:
// counted in allocations, which do not depend on how busy the machine is.
func TestDescriptionCostIsLinear(t *testing.T) {
	c := &Catalog{Layout: LayoutAPIGouv}
	allocs := func(n int) uint64 {
		// Within the bounds of MarkdownCost: read as Markdown.
		md := strings.Repeat(`<External href="https://x.fr">a <b>`, 400*n) + "\n\n" + strings.Repeat("<details>\n<p>x\n\n", 100*n)
		if why := MarkdownCost(md); why != "" {
			t.Fatalf("the test's description %s", why)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_ = PlainText(md)
		_ = c.DescriptionHTML(&Entry{Description: md}, nil)
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	// Three times the text: three times the work when linear, nine when quadratic.
	if one, three := allocs(1), allocs(3); three > 9*one/2 {
		t.Errorf("a description three times as long took %d allocations, %.1f times as many", three, float64(three)/float64(one))
	}
}

// costlyMarkdown are descriptions under the file size cap whose Markdown costs goldmark work
// that grows with the square of their size: blocks nested on one line, brackets left open.
var costlyMarkdown = map[string]string{
	"quotes nested":           strings.Repeat("> ", 400_000),
	"lists nested":            strings.Repeat("1. ", 300_000),
	"quoted lists":            strings.Repeat("> - ", 200_000),
	"links left open":         strings.Repeat("[a](", 200_000),
	"long, nested in bits":    strings.Repeat("> > > > > > > > x\n", 50_000),
	"emphasis left open":      strings.Repeat("*a_ ", 16_384),
	"nested inside HTML":      "<div>" + strings.Repeat("> ", 32_000),
	"table of many columns":   strings.Repeat("a|", 2000) + "\n" + strings.Repeat("-|", 2000) + "\n" + strings.Repeat("a\n", 2000),
	"strikethrough left open": strings.Repeat("~a ", 17_000) + strings.Repeat("a* ", 1990),
	"table of many rows":      strings.Repeat("a|", 60) + "\n" + strings.Repeat("-|", 60) + "\n" + strings.Repeat("a\n", 30_000),
}

// TestCostlyMarkdownReadAsPlainText loads entries whose description would cost goldmark
// minutes: each is read as plain text and its file warned about, and its words are still
// searchable. BenchmarkCostlyMarkdown measures what reading them costs now.
func TestCostlyMarkdownReadAsPlainText(t *testing.T) {
	for name, md := range costlyMarkdown {
		t.Run(name, func(t *testing.T) {
			c, err := Load(fstest.MapFS{
				"producers/dinum.yaml": {Data: []byte(goodProducer)},
				"apis/deep.yaml":       {Data: []byte("title: API Profonde\nproducer: dinum\naccess: open\ndescription: |\n  " + strings.ReplaceAll(md, "\n", "\n  ") + "\n\n  motrepere\n")},
			})
			if err != nil {
				t.Fatal(err)
			}
			e := c.Entry("deep")
			if e == nil || !strings.Contains(e.Text, "motrepere") {
				t.Fatalf("entry %v: its text is lost", e != nil)
			}
			var warned bool
			for _, p := range c.Problems {
				warned = warned || p.Path == "apis/deep.yaml" && strings.Contains(p.Message, "read as plain text") && p.Line == 4
			}
			if !warned {
				t.Errorf("no warning at the description's line that it is read as plain text: %v", c.Problems)
			}
		})
	}
	// What the national catalogue writes is read as Markdown.
	for _, md := range []string{"> quote\n> - item\n>   1. sub\n", "[lien](https://x.fr) et [autre](https://y.fr)", strings.Repeat("- a\n  - b\n    - c\n", 100),
		"```json\n" + strings.Repeat(" ", 40) + "{\"deep\": 1}\n```\n", "**gras** et _api_hubeau_", "| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n", "~~barré~~"} {
		if why := MarkdownCost(md); why != "" {
			t.Errorf("%.30q %s", md, why)
		}
	}
}

func BenchmarkCostlyMarkdown(b *testing.B) {
	for name, md := range costlyMarkdown {
		b.Run(strings.ReplaceAll(name, " ", "-"), func(b *testing.B) {
			for b.Loop() {
				_ = PlainText(md)
			}
		})
	}
}
