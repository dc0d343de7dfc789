package catalog

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestCleanLink(t *testing.T) {
	tests := []struct {
		raw, site string
		want      string // "" with an error
		err       string
	}{
		{"https://example.org/doc", "", "https://example.org/doc", ""},
		{"  http://example.org  ", "", "http://example.org", ""},
		{"HTTPS://EXAMPLE.ORG", "", "HTTPS://EXAMPLE.ORG", ""},
		{"mailto:contact@example.org", "", "mailto:contact@example.org", ""},
		{"", "", "", ""},
		{"contact@example.org", "", "mailto:contact@example.org", ""},
		{"a@example.org, b@example.fr", "", "mailto:a@example.org,b@example.fr", ""},
		{"/swaggers/api.json", "https://api.gouv.fr", "https://api.gouv.fr/swaggers/api.json", ""},
		{"/swaggers/api.json", "", "", "not a full address"},
		{"www.example.org", "https://api.gouv.fr", "", "not a full address"},
		{"//example.org/x", "https://api.gouv.fr", "", "not a full address"},
		{"javascript:alert(1)", "", "", `scheme "javascript" is not allowed`},
		{"JaVaScRiPt:alert(1)", "", "", `scheme "javascript" is not allowed`},
		{" javascript:alert(1)", "", "", `scheme "javascript" is not allowed`},
		{"\x01javascript:alert(1)", "", "", `scheme "javascript" is not allowed`},
		{"java\tscript:alert(1)", "", "", `scheme "javascript" is not allowed`},
		{"java\nscript:alert(1)", "", "", `scheme "javascript" is not allowed`},
		{"java\x00script:alert(1)", "", "", `scheme "javascript" is not allowed`},
		{"data:text/html,<script>alert(1)</script>", "", "", `scheme "data" is not allowed`},
		{"vbscript:msgbox(1)", "", "", `scheme "vbscript" is not allowed`},
		{"tel:+33100000000", "", "", `scheme "tel" is not allowed`},
		{"https://exa\tmple.org", "", "", "control character"},
		{"https:example.org", "", "", "no host"},
		{"https://exa mple.org/", "", "", `not a valid address: invalid character " " in host name`},
	}
	for _, tt := range tests {
		got, err := cleanLink(tt.raw, tt.site)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("cleanLink(%q, %q) = %q, %v; want %q", tt.raw, tt.site, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("cleanLink(%q, %q) = %q, %v; want an error containing %q", tt.raw, tt.site, got, err, tt.err)
		}
	}
}

// TestLoadLinks checks every field the loaders read as an address, in both layouts: a link of
// another scheme than http, https or mailto is an error at its line and its file is not used.
func TestLoadLinks(t *testing.T) {
	apigouvEntry := "---\ntitle: API X\ntagline: Chercher.\nproducer: dinum\nis_open: -1\n"
	tests := []struct {
		name    string
		file    string
		content string
		line    int    // of the error, 0 for none
		message string // of the error
		check   func(*Catalog) string
	}{
		{"doc_tech", "apis/x.yaml", strings.Replace(goodEntry, "https://example.org/doc", "javascript:alert(1)", 1), 7, `doc_tech "javascript:alert(1)": scheme "javascript" is not allowed`, nil},
		{"contact in capitals", "apis/x.yaml", strings.Replace(goodEntry, "https://example.org/contact", "JaVaScRiPt:alert(1)", 1), 8, `contact "JaVaScRiPt:alert(1)": scheme "javascript"`, nil},
		{"link with a tab", "apis/x.yaml", strings.Replace(goodEntry, "https://example.org/doc", `"java\tscript:alert(1)"`, 1), 7, `doc_tech "java\tscript:alert(1)": scheme "javascript"`, nil},
		{"link in a flow mapping", "apis/x.yaml", strings.Replace(goodEntry, "links:\n  doc_tech: https://example.org/doc\n  contact: https://example.org/contact\n", "links: {doc_tech: 'https://example.org/doc', contact: 'https://example.org/contact', sandbox: ' data:text/html,x'}\n", 1), 6, `sandbox " data:text/html,x": scheme "data"`, nil},
		{"service url", "apis/x.yaml", goodEntry + "services:\n  - name: S\n    url: https://ok.fr\n  - name: T\n    url: vbscript:x\n", 15, `url "vbscript:x": scheme "vbscript"`, nil},
		{"producer site", "producers/dinum.yaml", goodProducer + "site: javascript:x\n", 4, `site "javascript:x": scheme "javascript"`, nil},
		{"mailto and bare address", "apis/x.yaml", strings.Replace(strings.Replace(goodEntry, "https://example.org/contact", "contact@example.org", 1), "https://example.org/doc", "MAILTO:doc@example.org", 1), 0, "",
			func(c *Catalog) string {
				if l := c.Entry("x").Links; l.Contact != "mailto:contact@example.org" || l.DocTech != "MAILTO:doc@example.org" {
					return "links = " + l.Contact + " " + l.DocTech
				}
				return ""
			}},
		{"site-relative link", "apis/x.yaml", strings.Replace(goodEntry, "https://example.org/doc", "/doc", 1), 7, `doc_tech "/doc": not a full address`, nil},
		{"national: doc_tech_link", "api/x.md", apigouvEntry + "doc_tech_link: javascript:alert(1)\n---\n", 6, `doc_tech_link "javascript:alert(1)": scheme "javascript"`, nil},
		{"national: datapass_link", "api/x.md", apigouvEntry + "datapass_link: ' javascript:alert(1)'\n---\n", 6, `datapass_link " javascript:alert(1)": scheme "javascript"`, nil},
		{"national: stat link", "api/x.md", apigouvEntry + "stat:\n  lastXdays: 30\n  link: data:x\n---\n", 8, `link "data:x": scheme "data"`, nil},
		{"national: service link", "service/s.md", "---\ntitle: S\nlink: javascript:x\napi:\n  - API X\n---\n", 3, `link "javascript:x": scheme "javascript"`, nil},
		{"national: producer site", "producteurs/dinum.md", "---\n" + goodProducer + "site: javascript:x\n---\n", 5, `site "javascript:x"`, nil},
		{"national: site-relative and addresses", "api/x.md", apigouvEntry + "doc_tech_link: /swaggers/x.json\ncontact_link: a@x.fr, b@y.fr\n---\n", 0, "",
			func(c *Catalog) string {
				if l := c.Entry("x").Links; l.DocTech != "https://api.gouv.fr/swaggers/x.json" || l.Contact != "mailto:a@x.fr,b@y.fr" {
					return "links = " + l.DocTech + " " + l.Contact
				}
				return ""
			}},
		{"national: access page link", "api/x.md", apigouvEntry + "access_page:\n  - is_eligible: 1\n    description: \"Voir https://x.fr/\\vjavascript:alert(1) ou https://acces.gouv.fr/demande\"\n---\n", 0, "",
			func(c *Catalog) string {
				if a := c.Entry("x").Links.Access; a != "https://acces.gouv.fr/demande" {
					return "access link = " + a
				}
				return ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"producers/dinum.yaml": {Data: []byte(goodProducer)},
				"apis/x.yaml":          {Data: []byte(goodEntry)},
			}
			if strings.HasPrefix(tt.file, "api/") || strings.Contains(tt.file, ".md") {
				fsys = fstest.MapFS{
					"producteurs/dinum.md": {Data: []byte("---\n" + goodProducer + "---\n")},
					"api/x.md":             {Data: []byte(apigouvEntry + "---\n")},
				}
			}
			fsys[tt.file] = &fstest.MapFile{Data: []byte(tt.content)}
			c, err := Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			var errs []Problem
			for _, p := range c.Problems {
				if p.Severity == SeverityError && p.Path == tt.file {
					errs = append(errs, p)
				}
			}
			if tt.line == 0 {
				if len(errs) > 0 || c.Entry("x") == nil {
					t.Fatalf("errors %v, entry %v; want the entry loaded", errs, c.Entry("x"))
				}
				if msg := tt.check(c); msg != "" {
					t.Error(msg)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("no error; entry %+v", c.Entry("x"))
			}
			if p := errs[0]; p.Path != tt.file || p.Line != tt.line || !strings.Contains(p.Message, tt.message) {
				t.Errorf("error = %s, want %s:%d containing %q", p, tt.file, tt.line, tt.message)
			}
			if tt.file != "service/s.md" && c.Entry("x") != nil {
				t.Errorf("the entry was loaded with a bad link: %+v", c.Entry("x").Links)
			}
		})
	}
}
