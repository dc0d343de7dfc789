package catalog

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// hostileKeys is a national-catalogue entry whose front matter holds n unknown keys of width
// bytes each, after its valid fields: about n*(width+4) bytes.
func hostileKeys(n, width int) string {
	var b strings.Builder
	b.WriteString("---\ntitle: API X\ntagline: Chercher.\nproducer: dinum\nis_open: 1\n")
	for i := range n {
		fmt.Fprintf(&b, "k%05d%s: v\n", i, strings.Repeat("x", width-6))
	}
	b.WriteString("---\nCorps.\n")
	return b.String()
}

// BenchmarkLoadHostileKeys loads a catalogue of one file just under the size cap made of 4 900
// unknown keys of 200 bytes, the shape that made the near-miss field-name check cost seconds.
func BenchmarkLoadHostileKeys(b *testing.B) {
	data := hostileKeys(4900, 200)
	if len(data) > MaxFileSize {
		b.Fatalf("hostile file is %d bytes, over the cap", len(data))
	}
	fsys := fstest.MapFS{
		"producteurs/dinum.md": {Data: []byte("---\n" + goodProducer + "---\n")},
		"api/hostile.md":       {Data: []byte(data)},
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadHostileKeysCost guards the loader's cost on a file of many unknown keys: the near-miss
// check of field names must not allocate per key and known field pair, and the keys must still
// be reported (as far as the per-file cap lets them be listed).
func TestLoadHostileKeysCost(t *testing.T) {
	const keys = 1000
	fsys := fstest.MapFS{
		"producteurs/dinum.md": {Data: []byte("---\n" + goodProducer + "---\n")},
		"api/hostile.md":       {Data: []byte(hostileKeys(keys, 200))},
	}
	var c *Catalog
	allocs := testing.AllocsPerRun(1, func() {
		var err error
		if c, err = Load(fsys); err != nil {
			t.Fatal(err)
		}
	})
	if perKey := allocs / keys; perKey > 40 {
		t.Errorf("loading a file of %d unknown keys made %.0f allocations per key, want at most 40", keys, perKey)
	}
	if c.Entry("hostile") == nil {
		t.Errorf("the entry with unknown keys was not loaded: %v", c.Problems[:min(3, len(c.Problems))])
	}
	if n := c.Count(SeverityWarning); n < keys {
		t.Errorf("%d warnings counted, want one per unknown key (%d)", n, keys)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"title", "title", 0},
		{"tagilne", "tagline", 1},
		{"extrenal_site", "external_site", 1},
		{"visit_2019", "visits_2019", 1},
		{"titel", "title", 1},
		{"prodcuers", "producer", 2},
		{"été", "ete", 2},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{strings.Repeat("a", 40), strings.Repeat("a", 39) + "b", 1},
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := EditDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { EditDistance("rate_limiting_description", "rate_limting_descripton") }); allocs != 0 {
		t.Errorf("EditDistance of two field names allocates %.0f times, want 0", allocs)
	}
}

// TestLoadHostileKeysTime compares the time to load a file of many long unknown keys with the
// time to load a file of the same size that is one long description: the keys must cost no
// more than a few times as much (the near-miss check of field names and yaml.v3's comparison of
// every key with every other once cost thirty times as much).
func TestLoadHostileKeysTime(t *testing.T) {
	hostile := hostileKeys(4900, 200)
	benign := "---\ntitle: API X\ntagline: Chercher.\nproducer: dinum\nis_open: 1\n---\n" + strings.Repeat("Corps du texte, un peu long.\n", len(hostile)/29)
	fastest := func(data string) time.Duration {
		fsys := fstest.MapFS{
			"producteurs/dinum.md": {Data: []byte("---\n" + goodProducer + "---\n")},
			"api/x.md":             {Data: []byte(data)},
		}
		best := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			c, err := Load(fsys)
			if err != nil || c.Entry("x") == nil {
				t.Fatalf("Load: %v, entry %v", err, c.Entry("x"))
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	h, b := fastest(hostile), fastest(benign)
	if h > 5*b {
		t.Errorf("a file of unknown keys took %v to load, over 5 times a file of the same size (%v)", h, b)
	}
}

// manyKeys is n keys of no value, a few bytes each.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%x:\n", i)
	}
	return b.String()
}

// TestLoadAliases checks that the alias-bomb check counts what aliases add, not the values
// written in the file (those are bounded by the size cap), and that files of many values still
// load in a time linear in their size.
func TestLoadAliases(t *testing.T) {
	fanOut := func(width, copies int) string {
		return "a: &a [" + strings.Repeat("x, ", width-1) + "x]\nb: [" + strings.Repeat("*a, ", copies-1) + "*a]\n"
	}
	keywords := "keywords:\n" + strings.Repeat("  - mot\n", 100000)
	tests := []struct {
		name    string
		content string
		loaded  bool
		line    int
		message string // of the file's first error, when it does not load
	}{
		{"100 000 unknown keys", goodEntry + manyKeys(100000), true, 0, ""},
		{"100 000 keywords", goodEntry + keywords, true, 0, ""},
		{"aliases adding 9 900 values", goodEntry + fanOut(98, 100), true, 0, ""},
		{"aliases adding 10 100 values", goodEntry + fanOut(100, 100), false, 0, "alias bomb"},
		{"alias of an alias", goodEntry + "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", true, 0, ""},
		{"alias to its own parent", goodEntry + "a: &a [*a]\n", false, 0, "alias bomb"},
		{"merge key", "d: &d {tagline: Chercher., producer: dinum}\n<<: *d\ntitle: T\naccess: open\n", true, 0, ""},
		{"a link mapping of 50 000 keys", strings.Replace(goodEntry, "links:\n", "links:\n"+strings.ReplaceAll(manyKeys(50000), "k", "  k"), 1), false, 7, "mapping of 50002 keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.content) > MaxFileSize {
				t.Fatalf("test file is %d bytes, over the cap", len(tt.content))
			}
			fsys := fstest.MapFS{
				"producers/dinum.yaml": {Data: []byte(goodProducer)},
				"apis/x.yaml":          {Data: []byte(tt.content)},
			}
			start := time.Now()
			c, err := Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("load took %v", took)
			}
			if (c.Entry("x") != nil) != tt.loaded {
				t.Errorf("entry loaded = %v, want %v; problems: %v", !tt.loaded, tt.loaded, c.Problems[:min(3, len(c.Problems))])
			}
			if tt.loaded {
				return
			}
			for _, p := range c.Problems {
				if p.Severity == SeverityError {
					if p.Path != "apis/x.yaml" || p.Line != tt.line || !strings.Contains(p.Message, tt.message) {
						t.Errorf("error = %s (line %d), want apis/x.yaml line %d containing %q", p, p.Line, tt.line, tt.message)
					}
					return
				}
			}
			t.Errorf("no error reported")
		})
	}
}

// TestYAMLSyntaxErrorLines checks that a YAML syntax error names the line an editor would look at,
// the same in a YAML file and in the front matter of a Markdown file (one line further down).
func TestYAMLSyntaxErrorLines(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		line    int
		message string
	}{
		{"unclosed list on the first line", "title: [unclosed\naccess: open\n", 1, "did not find expected ',' or ']'"},
		{"unclosed list", "title: T\nkeywords: [a, b\naccess: open\nproducer: dinum\n", 2, "did not find expected ',' or ']'"},
		{"unclosed mapping", "title: T\nlinks: {doc_tech: https://x\naccess: open\n", 2, "did not find expected ',' or '}'"},
		{"list item among fields", "title: T\ntagline: x\n- item\n", 3, "did not find expected key"},
		{"list item after a nested mapping", "title: T\nlinks:\n  doc_tech: x\n - bad\n", 4, "did not find expected key"},
		{"field indented under a value", "title: T\ntagline: x\n  access: open\n", 3, "mapping values are not allowed in this context"},
		{"colon in a plain value", "title: T\ntagline: a: b\naccess: open\n", 2, "mapping values are not allowed in this context"},
		{"tab before a field", "title: T\n\ttagline: x\n", 2, "found a tab character"},
		{"unclosed quote", "title: T\ntagline: \"unclosed\naccess: open\n", 2, "found unexpected end of stream"},
		{"reserved character", "title: T\nproducer: @dinum\n", 2, "found character that cannot start any token"},
		{"undefined tag on the first line", "title: !e!x T\n", 1, "found undefined tag handle"},
		{"unclosed list at the end of the text", "title: T\nkeywords: [", 2, "did not find expected node content"},
		{"unclosed list before blank lines", "title: T\nkeywords: [\n\n  \n", 2, "did not find expected node content"},
	}
	for _, tt := range tests {
		for _, layout := range []struct{ file, content string }{
			{"apis/bad.yaml", tt.yaml},
			{"apis/bad.md", "---\n" + strings.TrimSuffix(tt.yaml, "\n") + "\n---\nCorps.\n"},
		} {
			t.Run(tt.name+" in "+layout.file, func(t *testing.T) {
				c, err := Load(fstest.MapFS{
					"producers/dinum.yaml": {Data: []byte(goodProducer)},
					layout.file:            {Data: []byte(layout.content)},
				})
				if err != nil {
					t.Fatal(err)
				}
				want := tt.line
				if strings.HasSuffix(layout.file, ".md") {
					want++
				}
				if len(c.Problems) != 1 {
					t.Fatalf("problems = %v, want one", c.Problems)
				}
				p := c.Problems[0]
				if p.Path != layout.file || p.Severity != SeverityError || p.Line != want || !strings.Contains(p.Message, tt.message) {
					t.Errorf("problem = %s (line %d), want an error at %s:%d containing %q", p, p.Line, layout.file, want, tt.message)
				}
			})
		}
	}
}
