package catalog

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// snapshotDir is the real national catalogue, kept beside the repository.
const snapshotDir = "../../shared/catalogs/apigouv"

// loadSnapshot loads the national catalogue's snapshot, or skips the test when it is absent.
func loadSnapshot(t testing.TB) *Catalog {
	t.Helper()
	if _, err := os.Stat(snapshotDir); err != nil {
		t.Skipf("snapshot of the national catalogue not found at %s: skipping", snapshotDir)
	}
	root, err := os.OpenRoot(snapshotDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	c, err := Load(root.FS())
	if err != nil {
		t.Fatalf("Load(%s): %v", snapshotDir, err)
	}
	return c
}

func TestLoadSnapshot(t *testing.T) {
	c := loadSnapshot(t)
	if c.Layout != LayoutAPIGouv {
		t.Errorf("layout = %q, want %q", c.Layout, LayoutAPIGouv)
	}
	files, err := filepath.Glob(filepath.Join(snapshotDir, "api", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		want = append(want, strings.TrimSuffix(filepath.Base(f), ".md"))
	}
	var got []string
	for _, e := range c.Entries {
		got = append(got, e.Slug)
	}
	slices.Sort(want)
	if len(got) != 170 || !slices.Equal(got, want) {
		t.Errorf("loaded %d entries, want the 170 files of api/; missing: %v", len(got), missing(want, got))
	}
	for _, p := range c.Problems {
		if p.Severity == SeverityError {
			t.Errorf("unexpected error: %s", p)
		}
	}
	access := map[Access]int{}
	for _, e := range c.Entries {
		access[e.Access]++
		if e.Producer.Name == "" {
			t.Errorf("%s: producer %q not resolved", e.Slug, e.Producer.Slug)
		}
		if e.Text == "" {
			t.Errorf("%s: no plain-text description", e.Slug)
		}
	}
	if access[AccessOpen] != 95 || access[AccessAccount] != 24 || access[AccessRestricted] != 51 {
		t.Errorf("access counts = %v, want 95 open, 24 account, 51 restricted", access)
	}

	producers := []struct{ entry, slug, name, acronym string }{
		{"api-entreprise", "dinum", "Direction Interministérielle du Numérique", "DINUM"},
		{"DILA_api_Legifrance", "dila", "Direction de l'information légale et administrative", "DILA"},
		{"api-aides-territoires", "dgaln", "", ""},
	}
	for _, p := range producers {
		e := c.Entry(p.entry)
		if e == nil {
			t.Errorf("entry %s missing", p.entry)
			continue
		}
		if e.Producer.Slug != p.slug || (p.name != "" && e.Producer.Name != p.name) || e.Producer.Acronym != p.acronym && p.acronym != "" {
			t.Errorf("%s: producer = %+v, want slug %q name %q acronym %q", p.entry, e.Producer, p.slug, p.name, p.acronym)
		}
	}

	var themes []string
	for _, th := range c.Themes() {
		themes = append(themes, th.Value)
	}
	wantThemes := []string{"Administration", "Administration & législation", "Agriculture", "Annuaire",
		"Bibliographie", "Cantine", "Culture", "Droit et Justice", "Eau", "Ecologie", "Education",
		"Emploi", "Energie", "Enseignement", "Enseignement Supérieur", "Entreprise", "Environnement",
		"Géographie", "Immatriculation", "Particulier", "Planification", "Pollution", "Professionnels",
		"Restauration", "Santé", "Sécurité", "Services locaux", "Services publics", "Sport", "Transport",
		"Urbanisme"}
	if !slices.Equal(themes, wantThemes) {
		t.Errorf("themes =\n%q\nwant\n%q", themes, wantThemes)
	}

	// Real-world quirks: a CRLF file, field-name typos and a service naming its APIs by title.
	if e := c.Entry("DILA_api_Legifrance"); e == nil || e.Title != "Légifrance" {
		t.Errorf("CRLF entry DILA_api_Legifrance not read right: %+v", e)
	}
	if e := c.Entry("API_Ingres_Nomenclatures"); e == nil || e.Links.Site == "" {
		t.Errorf("the typo extrenal_site was not read as external_site")
	}
	withServices := 0
	for _, e := range c.Entries {
		if len(e.Services) > 0 {
			withServices++
		}
	}
	if withServices < 10 {
		t.Errorf("only %d entries have reusing services, want at least 10", withServices)
	}
}

func missing(want, got []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	return out
}

func TestDefaultCatalog(t *testing.T) {
	c, err := Load(Default())
	if err != nil {
		t.Fatal(err)
	}
	if c.Layout != LayoutYAML {
		t.Errorf("layout = %q, want %q", c.Layout, LayoutYAML)
	}
	if len(c.Entries) < 40 {
		t.Errorf("default catalogue has %d entries, want at least 40", len(c.Entries))
	}
	for _, p := range c.Problems {
		if p.Severity != SeverityHint {
			t.Errorf("default catalogue: %s", p)
		}
	}
	access := map[Access]int{}
	for _, e := range c.Entries {
		access[e.Access]++
	}
	for _, a := range Accesses {
		if access[a] == 0 {
			t.Errorf("no %s entry in the default catalogue", a)
		}
	}
	if n := len(c.Themes()); n < 12 {
		t.Errorf("default catalogue covers %d themes, want at least 12", n)
	}
}

// goodProducer and goodEntry make a valid catalogue that each bad file is added to.
const goodProducer = "name: Direction interministérielle du numérique\nacronym: DINUM\ntype: Ministère\n"

const goodEntry = `title: API Adresse
tagline: Chercher une adresse.
producer: dinum
themes: [Géographie]
access: open
links:
  doc_tech: https://example.org/doc
  contact: https://example.org/contact
description: |
  Géocoder des **adresses**.
`

func TestLoadBadInput(t *testing.T) {
	aliasBomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n" +
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\ntitle: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	tests := []struct {
		name     string
		file     string // path of the bad file
		content  string
		loaded   bool // whether the bad file's entry is still indexed
		severity Severity
		line     int
		message  string
	}{
		{"does not parse", "apis/bad.yaml", "title: [unclosed\naccess: open\n", false, SeverityError, 1, "invalid YAML"},
		{"wrong type", "apis/bad.yaml", "title: T\nproducer: dinum\naccess: open\nkeywords: {a: b}\n", false, SeverityError, 4, "cannot unmarshal"},
		{"no title", "apis/bad.yaml", "tagline: Sans titre.\nproducer: dinum\naccess: open\n", false, SeverityError, 0, "no title"},
		{"unknown access", "apis/bad.yaml", "title: T\nproducer: dinum\naccess: public\n", false, SeverityError, 3, `unknown access value "public"`},
		{"no access", "apis/bad.yaml", "title: T\nproducer: dinum\n", false, SeverityError, 0, "no access field"},
		{"unknown producer", "apis/bad.yaml", "title: T\nproducer: nobody\naccess: open\n", false, SeverityError, 2, `producer "nobody" does not exist`},
		{"invalid UTF-8", "apis/bad.yaml", "title: T\ntagline: caf\xe9\naccess: open\n", false, SeverityError, 2, "invalid UTF-8"},
		{"BOM", "apis/bad.yaml", "\xef\xbb\xbf" + strings.Replace(goodEntry, "API Adresse", "API BOM", 1), true, SeverityWarning, 0, "byte order mark"},
		{"CRLF", "apis/bad.yaml", strings.ReplaceAll(strings.Replace(goodEntry, "API Adresse", "API CRLF", 1), "\n", "\r\n"), true, SeverityWarning, 0, "CRLF"},
		{"front matter not closed", "apis/bad.md", "---\ntitle: T\naccess: open\n\nCorps du texte.\n", false, SeverityError, 1, "front matter is not closed"},
		{"no front matter", "apis/bad.md", "# Titre\n\nCorps.\n", false, SeverityError, 1, "no front matter"},
		{"alias bomb", "apis/bad.yaml", aliasBomb, false, SeverityError, 0, "alias bomb"},
		{"alias to its own parent", "apis/bad.yaml", "title: &a [*a]\n", false, SeverityError, 0, "alias bomb"},
		{"over the size cap", "apis/bad.yaml", "title: T\naccess: open\nproducer: dinum\ndescription: " + strings.Repeat("x", MaxFileSize) + "\n", false, SeverityError, 0, "over the 1048576-byte cap"},
		{"NUL byte", "apis/bad.yaml", "title: T\x00\n", false, SeverityError, 0, "NUL byte"},
		{"not a mapping", "apis/bad.yaml", "- a\n- b\n", false, SeverityError, 1, "expected fields"},
		{"empty file", "apis/bad.yaml", "", false, SeverityError, 0, "empty document"},
		{"typo in a field name", "apis/bad.yaml", strings.Replace(goodEntry, "tagline:", "tagilne:", 1), true, SeverityWarning, 2, `"tagilne" read as "tagline"`},
		{"negative visits", "apis/bad.yaml", strings.Replace(goodEntry, "API Adresse", "API Négative", 1) + "visits: -5\n", true, SeverityWarning, 11, "visits -5 is negative: counted as 0"},
		{"unknown field", "apis/bad.yaml", goodEntry + "colour: blue\n", true, SeverityWarning, 11, `unknown field "colour" ignored`},
		{"field given twice", "apis/bad.yaml", goodEntry + "title: Autre\n", false, SeverityError, 11, `mapping key "title" already defined at line 1`},
		{"invalid slug", "apis/bad slug.yaml", goodEntry, false, SeverityError, 0, "not a valid slug"},
		{"same slug as another file", "apis/good.yml", strings.Replace(goodEntry, "API Adresse", "API Doublon", 1), false, SeverityError, 0, `entry "good" is already defined in apis/good.yaml`},
		{"producer without name", "producers/nameless.yaml", "acronym: X\n", true, SeverityError, 0, "producer has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"producers/dinum.yaml": {Data: []byte(goodProducer)},
				"apis/good.yaml":       {Data: []byte(goodEntry)},
				tt.file:                {Data: []byte(tt.content)},
			}
			c, err := Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			if c.Entry("good") == nil {
				t.Fatalf("the good entry was lost")
			}
			slug := strings.TrimSuffix(strings.TrimPrefix(tt.file, "apis/"), ".yaml")
			if strings.HasPrefix(tt.file, "apis/") && (c.Entry(strings.TrimSuffix(slug, ".md")) != nil) != tt.loaded {
				t.Errorf("entry loaded = %v, want %v", !tt.loaded, tt.loaded)
			}
			var found []Problem
			for _, p := range c.Problems {
				if p.Path == tt.file && p.Severity != SeverityHint {
					found = append(found, p)
				}
			}
			if len(found) != 1 {
				t.Fatalf("problems for %s = %v, want exactly one", tt.file, found)
			}
			p := found[0]
			if p.Severity != tt.severity || p.Line != tt.line || !strings.Contains(p.Message, tt.message) {
				t.Errorf("problem = %s (line %d), want %s at line %d containing %q", p, p.Line, tt.severity, tt.line, tt.message)
			}
		})
	}
}

func TestLoadSymlinkOutside(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	for name, content := range map[string]string{
		"producers/dinum.yaml": goodProducer,
		"apis/good.yaml":       goodEntry,
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.yaml")
	if err := os.WriteFile(secret, []byte(strings.Replace(goodEntry, "API Adresse", "Secret", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "apis", "escape.yaml")); err != nil {
		t.Fatal(err)
	}
	// A symlink inside the folder is fine.
	if err := os.Symlink("good.yaml", filepath.Join(dir, "apis", "alias.yaml")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	c, err := Load(root.FS())
	if err != nil {
		t.Fatal(err)
	}
	if c.Entry("escape") != nil {
		t.Errorf("an entry was read through a symlink pointing outside the catalogue")
	}
	if c.Entry("good") == nil || c.Entry("alias") == nil {
		t.Errorf("entries inside the folder were lost")
	}
	var msg string
	for _, p := range c.Problems {
		if p.Path == "apis/escape.yaml" && p.Severity == SeverityError {
			msg = p.Message
		}
	}
	if !strings.Contains(msg, "escapes") {
		t.Errorf("no clear error for the escaping symlink, got %q", msg)
	}
}

func TestLoadNoCatalog(t *testing.T) {
	_, err := Load(fstest.MapFS{"README.md": {Data: []byte("hello")}})
	if err != ErrNoCatalog {
		t.Errorf("Load of a folder with no catalogue: err = %v, want ErrNoCatalog", err)
	}
}

// TestExtensionInAnyCase: a file named .MD is read as Markdown, as .md is.
func TestExtensionInAnyCase(t *testing.T) {
	md := "---\n" + goodEntry + "---\n\nLe corps du texte.\n"
	c, err := Load(fstest.MapFS{
		"producers/dinum.yaml": {Data: []byte(goodProducer)},
		"apis/lower.md":        {Data: []byte(md)},
		"apis/upper.MD":        {Data: []byte(md)},
	})
	if err != nil {
		t.Fatal(err)
	}
	lower, upper := c.Entry("lower"), c.Entry("upper")
	if lower == nil || upper == nil || upper.Title != lower.Title || upper.Text != lower.Text {
		t.Errorf("upper = %+v, want what lower = %+v holds; problems %v", upper, lower, c.Problems)
	}
}

// TestDetectLayoutWithAStrayFolder: a folder of the other layout made by mistake beside a
// catalogue's does not hide its entries; two catalogues in one folder are an error.
func TestDetectLayoutWithAStrayFolder(t *testing.T) {
	entry := &fstest.MapFile{Data: []byte("x")}
	dir := &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	for _, tt := range []struct {
		name string
		fsys fstest.MapFS
		want Layout
	}{
		{"an empty apis/ beside api/", fstest.MapFS{"apis": dir, "api/a.md": entry}, LayoutAPIGouv},
		{"an empty api/ beside apis/", fstest.MapFS{"api": dir, "apis/a.yaml": entry}, LayoutYAML},
		{"apis/ holding only a README beside api/", fstest.MapFS{"apis/README.md": entry, "api/a.md": entry}, LayoutAPIGouv},
		{"both holding entries", fstest.MapFS{"apis/a.yaml": entry, "api/a.md": entry}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectLayout(tt.fsys)
			if got != tt.want || (err != nil) != (tt.want == "") {
				t.Errorf("DetectLayout = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCanonicalThemes(t *testing.T) {
	fsys := fstest.MapFS{"producers/dinum.yaml": {Data: []byte(goodProducer)}}
	for i, themes := range []string{"[environnement, Ecologie]", "[Environnement]", "[ecologie, écologie]", "[ENVIRONNEMENT, urbanisme]"} {
		entry := strings.Replace(goodEntry, "[Géographie]", themes, 1)
		fsys["apis/e"+string(rune('a'+i))+".yaml"] = &fstest.MapFile{Data: []byte(entry)}
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, th := range c.Themes() {
		got = append(got, th.Value)
	}
	want := []string{"Écologie", "Environnement", "Urbanisme"}
	if !slices.Equal(got, want) {
		t.Errorf("themes = %q, want %q", got, want)
	}
	if th := c.Entry("ec").Themes; !slices.Equal(th, []string{"Écologie"}) {
		t.Errorf("themes of an entry listing one theme twice = %q, want one", th)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ md, want string }{
		{"Géocoder des **adresses** avec [la BAN](https://adresse.data.gouv.fr).", "Géocoder des adresses avec la BAN."},
		{"### À quoi sert l’API ?\n\n- une\n- deux", "À quoi sert l’API ? une deux"},
		{"| Nom | Description |\n|---|---|\n| SIREN | Identifiant |", "Nom Description SIREN Identifiant"},
		{"Avant\n\n```json\n{\"code\": 1}\n```\n\nAprès <b>gras</b>", "Avant Après gras"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.md); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.md, got, tt.want)
		}
	}
}

func TestIsEntryFile(t *testing.T) {
	tests := map[string]bool{
		"api-adresse.yaml": true, "api-adresse.md": true, "x.yml": true,
		".api-adresse.yaml.swp": false, "api-adresse.yaml~": false, "4913": false,
		"api-adresse.yaml___jb_old___": false, "README.md": false, "template.api.md.example": false,
		".hidden.yaml": false, "notes.txt": false,
	}
	for name, want := range tests {
		if got := IsEntryFile(name); got != want {
			t.Errorf("IsEntryFile(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{"Écologie": "ecologie", "  Santé   publique ": "sante publique", "Œuvre": "oeuvre", "l’État": "l'etat"}
	for in, want := range tests {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReloadKeepsLastGoodVersion(t *testing.T) {
	fsys := fstest.MapFS{
		"producers/dinum.yaml": {Data: []byte(goodProducer)},
		"apis/good.yaml":       {Data: []byte(goodEntry)},
		"apis/other.yaml":      {Data: []byte(strings.Replace(goodEntry, "API Adresse", "API Autre", 1))},
	}
	first, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	// A half-written save of one file, another file deleted.
	fsys["apis/good.yaml"] = &fstest.MapFile{Data: []byte("title: API Adr")}
	delete(fsys, "apis/other.yaml")
	second, err := Reload(fsys, first)
	if err != nil {
		t.Fatal(err)
	}
	if e := second.Entry("good"); e == nil || e.Title != "API Adresse" {
		t.Errorf("broken file: entry = %+v, want its last good version", e)
	}
	if second.Entry("other") != nil {
		t.Errorf("deleted file: its entry is still there")
	}
	if second.Count(SeverityError) != 1 {
		t.Errorf("the broken file is not reported: %v", second.Problems)
	}
	// Fixed: the fix is read.
	fsys["apis/good.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodEntry, "API Adresse", "API Adresse v2", 1))}
	third, err := Reload(fsys, second)
	if err != nil {
		t.Fatal(err)
	}
	if e := third.Entry("good"); e == nil || e.Title != "API Adresse v2" || third.Count(SeverityError) != 0 {
		t.Errorf("fixed file: entry = %+v, problems %v", e, third.Problems)
	}
	// A broken producer keeps its entries too.
	fsys["producers/dinum.yaml"] = &fstest.MapFile{Data: []byte("name: [")}
	fourth, err := Reload(fsys, third)
	if err != nil {
		t.Fatal(err)
	}
	if e := fourth.Entry("good"); e == nil || e.Producer.Name != "Direction interministérielle du numérique" {
		t.Errorf("broken producer: entry = %+v, want its last good version", e)
	}
}

// TestMessagesEscapeFileContent checks that what a message quotes from a file (field names,
// values, file names) can neither forge a line of a report nor reach a terminal, nor make a long
// message.
func TestMessagesEscapeFileContent(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name    string
		file    string
		content string
		message string // the problem's message must contain it
	}{
		{"unknown field with an escape sequence", "apis/x.yaml", goodEntry + "\"\\e[2Jcolour\\nred\": x\n", `unknown field "\x1b[2Jcolour\nred" ignored`},
		{"long unknown field", "apis/x.yaml", goodEntry + long[:1000] + ": x\n", `unknown field "` + strings.Repeat("x", 80) + `"… ignored`},
		{"long access value", "apis/x.yaml", "title: T\nproducer: dinum\naccess: " + long + "\n", `unknown access value "` + strings.Repeat("x", 80) + `"…: expected`},
		{"value in a YAML type error", "apis/x.yaml", goodEntry + "visits: \"\\e[2J\\n\"\n", "cannot unmarshal !!str `\\x1b[2J\\n` into int"},
		{"file name", "apis/\x1b[2Jbad\n.yaml", goodEntry, `file name "\x1b[2Jbad\n" is not a valid slug`},
		{"long anchor name in a YAML error", "apis/x.yaml", goodEntry + "x: *" + long[:2000] + "\n", "invalid YAML: unknown anchor 'xxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(fstest.MapFS{
				"producers/dinum.yaml": {Data: []byte(goodProducer)},
				tt.file:                {Data: []byte(tt.content)},
			})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range c.Problems {
				if strings.ContainsFunc(p.Message, func(r rune) bool { return r < ' ' || r == 0x7f }) || utf8.RuneCountInString(p.Message) > maxMessage+1 {
					t.Errorf("message holds a control character or is long: %q", p.Message)
				}
				found = found || strings.Contains(p.Message, tt.message)
			}
			if !found {
				t.Errorf("no message contains %s; problems: %.300q", tt.message, c.Problems)
			}
		})
	}
}
