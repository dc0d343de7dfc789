package catalog

import (
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"
)

// FuzzLoadEntry gives the loader any bytes as one entry file, in both layouts and both formats:
// it never fails or panics, the valid entry beside it still loads, every problem names a file
// and a line inside it and prints without control characters, the file lists at most
// MaxFileProblems problems and a summary, and an entry that loads is usable (title, valid
// access, valid UTF-8, links that are http, https or mailto addresses).
func FuzzLoadEntry(f *testing.F) {
	f.Add([]byte(goodEntry), uint8(0))
	f.Add([]byte("---\n"+goodEntry+"---\n\nCorps **gras**.\n"), uint8(1))
	f.Add([]byte("---\ntitle: API X\ntagline: x\nproducer: dinum\nkeywords: [a, 1, {b: c}]\nvisits_2019: \"12\"\nis_open: -1\n---\nCorps.\n"), uint8(2))
	f.Add([]byte("title: &a [*a]\n"), uint8(0))
	f.Add([]byte("---\n---\n"), uint8(3))
	f.Add([]byte("\xef\xbb\xbftitle: T\r\nproducer: dinum\r\naccess: open\r\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		fsys := fstest.MapFS{}
		name := ""
		switch mode % 4 {
		case 0, 1:
			fsys["producers/dinum.yaml"] = &fstest.MapFile{Data: []byte(goodProducer)}
			fsys["apis/good.yaml"] = &fstest.MapFile{Data: []byte(goodEntry)}
			name = map[uint8]string{0: "apis/fuzz.yaml", 1: "apis/fuzz.md"}[mode%4]
		default:
			fsys["producteurs/dinum.md"] = &fstest.MapFile{Data: []byte("---\n" + goodProducer + "---\n")}
			fsys["api/good.md"] = &fstest.MapFile{Data: []byte("---\ntitle: API Adresse\ntagline: Chercher.\nproducer: dinum\nis_open: 1\n---\nCorps.\n")}
			name = "api/fuzz.md"
		}
		fsys[name] = &fstest.MapFile{Data: data}
		c, err := Load(fsys)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if c.Entry("good") == nil {
			t.Fatalf("the valid entry was lost; problems: %v", c.Problems)
		}
		lines := yamlLines(string(data))
		listed := 0
		for _, p := range c.Problems {
			if p.Path == "" || p.Message == "" || p.Line < 0 || (p.Path == name && p.Line > lines) {
				t.Fatalf("problem without a file, a message or a line inside the file (%d lines): %+v", lines, p)
			}
			if s := p.String(); strings.ContainsFunc(s, unicode.IsControl) {
				t.Fatalf("problem prints a control character: %q", s)
			}
			if p.Path == name {
				listed++
			}
		}
		if listed > MaxFileProblems+1 {
			t.Fatalf("%d problems listed for the file, over the cap", listed)
		}
		e := c.Entry("fuzz")
		if e == nil {
			return
		}
		if strings.TrimSpace(e.Title) == "" || !e.Access.Valid() || e.Producer.Name == "" {
			t.Fatalf("loaded entry is not usable: %+v", e)
		}
		for _, s := range append([]string{e.Title, e.Tagline, e.Description, e.Text}, append(e.Keywords, e.Themes...)...) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("loaded entry holds invalid text %q", s)
			}
		}
		links := []string{e.Links.DocTech, e.Links.OpenAPI, e.Links.DocExternal, e.Links.Access, e.Links.Contact,
			e.Links.Site, e.Links.Monitoring, e.Links.Stats, e.Links.Sandbox}
		for _, svc := range e.Services {
			links = append(links, svc.URL)
		}
		for _, link := range links {
			lower := strings.ToLower(link)
			if link != "" && (!strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "mailto:") ||
				strings.ContainsFunc(link, unicode.IsControl)) {
				t.Fatalf("loaded entry has a link that is not an http, https or mailto address: %q", link)
			}
		}
	})
}

// yamlLines counts the lines of a file as YAML does, and editors with it: a lone CR, NEL, LS and
// PS end a line too.
func yamlLines(s string) int {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	n := 1
	for _, r := range s {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}

// FuzzNormalize gives Normalize any text: the result is valid UTF-8 when the text is, holds no
// fullwidth form or ligature, and is its own normal form, so that a catalogue text and a query
// normalised once or twice compare the same.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"école", "e\u0301cole", "ＡＰＩ", "Ａ\u0301", "ﬁchier", "m²", "\u3000x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Errorf("Normalize(%+q) = %+q, not UTF-8", s, n)
		}
		if strings.ContainsFunc(n, isWideOrLigature) {
			t.Errorf("Normalize(%+q) = %+q still holds a fullwidth form or a ligature", s, n)
		}
		if again := Normalize(n); again != n {
			t.Errorf("Normalize(%+q) = %+q, and again %+q", s, n, again)
		}
	})
}
