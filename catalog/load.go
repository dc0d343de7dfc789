package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Layout names how a catalogue folder is organised.
type Layout string

// The two supported layouts.
const (
	// LayoutYAML is the project's own: apis/<slug>.yaml and producers/<slug>.yaml.
	LayoutYAML Layout = "yaml"
	// LayoutAPIGouv is the national catalogue's: api/, producteurs/ and service/ folders of
	// Markdown files with YAML front matter.
	LayoutAPIGouv Layout = "apigouv"
)

// ErrNoCatalog means a folder holds neither layout.
var ErrNoCatalog = errors.New("no catalogue here: expected a folder apis/ (YAML layout) or api/ (national catalogue layout)")

// DetectLayout tells which layout the folder uses, from its entries' folder or, when that
// folder is missing (deleted while a checkout re-creates it), from its producers' folder.
func DetectLayout(fsys fs.FS) (Layout, error) {
	switch yaml, gouv := isDir(fsys, "apis"), isDir(fsys, "api"); {
	case yaml && gouv:
		// A folder made by mistake beside a catalogue's (mkdir apis in a checkout of the
		// national catalogue) must not hide it: the one that holds entries is the catalogue.
		switch yamlEntries, gouvEntries := holdsEntries(fsys, "apis"), holdsEntries(fsys, "api"); {
		case yamlEntries && gouvEntries:
			return "", errors.New("both apis/ (YAML layout) and api/ (national catalogue layout) hold entries: keep one")
		case gouvEntries:
			return LayoutAPIGouv, nil
		}
		return LayoutYAML, nil
	case yaml:
		return LayoutYAML, nil
	case gouv:
		return LayoutAPIGouv, nil
	case isDir(fsys, "producers"):
		return LayoutYAML, nil
	case isDir(fsys, "producteurs"):
		return LayoutAPIGouv, nil
	}
	return "", ErrNoCatalog
}

// holdsEntries reports whether the folder dir holds an entry file.
func holdsEntries(fsys fs.FS, dir string) bool {
	items, _ := fs.ReadDir(fsys, dir)
	for _, it := range items {
		if !it.IsDir() && IsEntryFile(it.Name()) {
			return true
		}
	}
	return false
}

func isDir(fsys fs.FS, name string) bool {
	info, err := fs.Stat(fsys, name)
	return err == nil && info.IsDir()
}

// Load reads a whole catalogue folder. A file that cannot be used is reported in the catalogue's
// Problems and skipped; the rest loads. The error is for a folder that is not a catalogue at all,
// or one of whose folders cannot be listed: a catalogue read without them would lose entries.
func Load(fsys fs.FS) (*Catalog, error) {
	return load(fsys, nil)
}

// Reload loads the folder again after prev was loaded from it. An entry whose file is still
// there but can no longer be used (half-written, broken, or its producer file broken) keeps
// its previous version, with a warning, so that a bad save never drops an entry from search;
// a deleted file removes its entry.
func Reload(fsys fs.FS, prev *Catalog) (*Catalog, error) {
	return load(fsys, prev)
}

// load reads a catalogue folder, keeping the entries of prev that Reload keeps when prev is not nil.
func load(fsys fs.FS, prev *Catalog) (*Catalog, error) {
	layout, err := DetectLayout(fsys)
	if err != nil {
		return nil, err
	}
	l := &loader{fsys: fsys, producers: make(map[string]*Producer), bySlug: make(map[string]*Entry), failed: make(map[string]string),
		sums: make(fileSums)}
	dirs := layoutDirs[layout]
	for _, p := range l.files(dirs.producers) {
		l.file(p, func() { l.loadProducer(layout, p) })
	}
	for _, p := range l.files(dirs.apis) {
		l.file(p, func() { l.loadEntry(layout, p) })
	}
	if dirs.services != "" {
		for _, p := range l.files(dirs.services) {
			l.file(p, func() { l.loadServiceFile(p) })
		}
	}
	if l.unlisted != nil {
		return nil, l.unlisted
	}
	c := &Catalog{Layout: layout, Producers: l.producers}
	l.file(SynonymsFile, func() { c.Synonyms = l.loadSynonyms(prev) })
	c.Version = l.sums.version()
	if cf, ok := fsys.(CommitFS); ok {
		c.Commit = cf.GitCommit()
	}
	c.Entries = l.entries
	canonicalThemes(c.Entries)
	// Kept entries are prev's, served as they are: their themes are already canonical.
	c.Entries = append(c.Entries, l.lastGood(prev)...)
	sort.Slice(c.Entries, func(i, j int) bool { return c.Entries[i].Slug < c.Entries[j].Slug })
	c.Problems, c.ProblemsOmitted, c.counts = l.problems.list()
	return c, nil
}

// layoutDirs are the folders of each layout.
var layoutDirs = map[Layout]struct{ apis, producers, services string }{
	LayoutYAML:    {apis: "apis", producers: "producers"},
	LayoutAPIGouv: {apis: "api", producers: "producteurs", services: "service"},
}

// loader accumulates what Load reads.
type loader struct {
	fsys      fs.FS
	producers map[string]*Producer
	entries   []*Entry
	bySlug    map[string]*Entry // entries already loaded, to refuse a second file for a slug
	failed    map[string]string // the first file of each entry that could not be used, by slug
	unlisted  error             // a folder that exists but cannot be listed
	sums      fileSums          // every file read, usable or not, for the catalogue's Version
	current   fileProblems      // the problems of the file being read
	problems  problemList
}

// readFile reads a catalogue file (see readFile) and counts it in the catalogue's Version.
func (l *loader) readFile(p string) (text string, warnings []string, err error) {
	text, raw, warnings, err := readFile(l.fsys, p)
	l.sums.add(p, raw)
	return text, warnings, err
}

// file reads one file with read and lists its problems.
func (l *loader) file(p string, read func()) {
	read()
	l.current.flush(p, &l.problems)
}

// maxMessage is how many characters of a message a problem keeps: messages quote values from the
// file, cut already, but yaml.v3's may hold more (an anchor's name).
const maxMessage = 500

// report records a problem of the file p being read, for the entry slug when there is one: an
// error for an entry marks its file as failed, for Reload.
func (l *loader) report(p string, sev Severity, slug string, err error) {
	line := 0
	var fe *fileError
	if errors.As(err, &fe) {
		line = fe.line
	}
	if _, seen := l.failed[slug]; sev == SeverityError && slug != "" && !seen {
		l.failed[slug] = p
	}
	msg := escape(err.Error())
	if cut := cutAt(msg, maxMessage); cut < len(msg) {
		msg = msg[:cut] + "…"
	}
	l.current.add(Problem{Path: p, Line: line, Severity: sev, Slug: slug, Message: msg})
}

// files lists the entry files of a folder, sorted; a missing folder has none.
func (l *loader) files(dir string) []string {
	items, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && l.unlisted == nil {
			l.unlisted = fmt.Errorf("cannot list folder %s: %w", dir, err)
		}
		return nil
	}
	var out []string
	for _, it := range items {
		if it.IsDir() || !IsEntryFile(it.Name()) {
			continue
		}
		out = append(out, path.Join(dir, it.Name()))
	}
	return out
}

// document is a parsed catalogue file: its fields, the line of each key and, for Markdown, its body.
type document struct {
	root  *yaml.Node
	lines map[string]int
	body  string
}

// read reads a file and its fields, reporting non-fatal problems; ok is false when the file
// cannot be used. For Markdown files, body is the text after the front matter.
func (l *loader) read(p, slug string, known map[string]bool) (doc document, ok bool) {
	text, warnings, err := l.readFile(p)
	for _, w := range warnings {
		l.report(p, SeverityWarning, slug, errors.New(w))
	}
	if err != nil {
		l.report(p, SeverityError, slug, err)
		return doc, false
	}
	front, firstLine := text, 1
	if strings.EqualFold(path.Ext(p), ".md") {
		if front, doc.body, err = splitFrontMatter(text); err != nil {
			l.report(p, SeverityError, slug, err)
			return doc, false
		}
		firstLine = 2
	}
	doc.root, err = decodeYAML(front, firstLine)
	if err != nil {
		l.report(p, SeverityError, slug, err)
		return doc, false
	}
	lines, typos, dup := fields(doc.root, known)
	for _, w := range typos {
		l.report(p, SeverityWarning, slug, w)
	}
	if dup != nil {
		l.report(p, SeverityError, slug, dup)
		return doc, false
	}
	if large := largeMapping(doc.root); large != nil {
		l.report(p, SeverityError, slug, large)
		return doc, false
	}
	doc.lines = lines
	return doc, true
}

// decode fills v from the document's fields, reporting a type error with its line.
func (l *loader) decode(p, slug string, doc document, v any) bool {
	if err := doc.root.Decode(v); err != nil {
		l.report(p, SeverityError, slug, yamlError(err))
		return false
	}
	return true
}

func slugOf(p string) string {
	base := path.Base(p)
	return strings.TrimSuffix(base, path.Ext(base))
}

func (l *loader) loadProducer(layout Layout, p string) {
	slug := slugOf(p)
	if !slugPattern.MatchString(slug) {
		l.report(p, SeverityError, "", fmt.Errorf("file name %s is not a valid slug (letters, digits, '.', '_' and '-')", quote(slug)))
		return
	}
	if prev, dup := l.producers[slug]; dup {
		l.report(p, SeverityError, "", fmt.Errorf("producer %q is already defined in %s", slug, prev.Path))
		return
	}
	var prod *Producer
	var ok bool
	if layout == LayoutAPIGouv {
		prod, ok = l.apigouvProducer(p)
	} else {
		prod, ok = l.yamlProducer(p)
	}
	if !ok {
		return
	}
	prod.Slug, prod.Path = slug, p
	if prod.Name == "" {
		l.report(p, SeverityError, "", errors.New("producer has no name"))
		return
	}
	l.producers[slug] = prod
}

func (l *loader) loadEntry(layout Layout, p string) {
	slug := slugOf(p)
	if !slugPattern.MatchString(slug) {
		l.report(p, SeverityError, "", fmt.Errorf("file name %s is not a valid slug (letters, digits, '.', '_' and '-')", quote(slug)))
		return
	}
	if e, dup := l.bySlug[slug]; dup {
		l.report(p, SeverityError, slug, fmt.Errorf("entry %q is already defined in %s", slug, e.Path))
		return
	}
	var e *Entry
	var doc document
	var ok bool
	if layout == LayoutAPIGouv {
		e, doc, ok = l.apigouvEntry(p, slug)
	} else {
		e, doc, ok = l.yamlEntry(p, slug)
	}
	if !ok {
		return
	}
	e.Slug, e.Path = slug, p
	// What readers see, as search indexes and shows it: Markdown and components turned into
	// their text, once per entry.
	if e.Title = InlineText(strings.TrimSpace(e.Title)); e.Title == "" {
		l.report(p, SeverityError, slug, errorAt(doc.lines["title"], "entry has no title"))
		return
	}
	prod, found := l.producers[e.Producer.Slug]
	if !found {
		line := doc.lines["producer"]
		if e.Producer.Slug == "" {
			l.report(p, SeverityError, slug, errorAt(line, "entry has no producer"))
		} else {
			l.report(p, SeverityError, slug, errorAt(line, "producer %s does not exist (no file for it among the producers)", quote(e.Producer.Slug)))
		}
		return
	}
	e.Producer = prod.Ref()
	e.Tagline = InlineText(e.Tagline)
	e.Text = PlainText(e.Description)
	if why := MarkdownCost(e.Description); why != "" {
		l.report(p, SeverityWarning, slug, errorAt(doc.lines["description"], "the description %s: read as plain text, its Markdown signs shown as written", why))
	}
	if e.LastUpdate != "" {
		date, err := parseDate(e.LastUpdate)
		if err != nil {
			l.report(p, SeverityWarning, slug, errorAt(doc.lines["last_update"], "last_update %s is not a date (YYYY-MM-DD or DD/MM/YYYY); ignored", quote(e.LastUpdate)))
		}
		e.LastUpdate = date
	}
	if e.Visits < 0 {
		// Popularity orders results: a negative count would sort an entry below those never
		// visited, and differently in the two orders that read it.
		line := max(doc.lines["visits"], doc.lines["visits_2019"])
		l.report(p, SeverityWarning, slug, errorAt(line, "visits %d is negative: counted as 0", e.Visits))
		e.Visits = 0
	}
	e.Partners = clean(e.Partners)
	e.Keywords = clean(e.Keywords)
	if e.Services == nil {
		e.Services = []Service{}
	}
	l.entries = append(l.entries, e)
	l.bySlug[slug] = e
	for _, problem := range Check(e) {
		l.current.add(problem)
	}
}

// parseDate accepts ISO dates and the national catalogue's DD/MM/YYYY, and returns YYYY-MM-DD.
func parseDate(s string) (string, error) {
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", fmt.Errorf("not a date: %q", s)
}

// clean trims the items of a list and drops empty ones and repeats, keeping the order.
func clean(list []string) []string {
	out := []string{}
	seen := make(map[string]bool)
	for _, s := range list {
		s = strings.TrimSpace(s)
		if k := Fold(s); s != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// lastGood returns the entries of prev whose file is still there but could not be used this
// time, and reports that they are still served.
func (l *loader) lastGood(prev *Catalog) []*Entry {
	if prev == nil {
		return nil
	}
	slugs := make([]string, 0, len(l.failed))
	for slug := range l.failed {
		slugs = append(slugs, slug)
	}
	sort.Strings(slugs)
	var kept []*Entry
	for _, slug := range slugs {
		if l.bySlug[slug] != nil {
			continue
		}
		old := prev.Entry(slug)
		if old == nil {
			continue
		}
		if _, err := fs.Stat(l.fsys, old.Path); err != nil {
			continue
		}
		kept = append(kept, old)
		l.problems.add(Problem{Path: l.failed[slug], Severity: SeverityWarning, Slug: slug,
			Message: "the last good version of this entry is still served until the file is fixed"}, false)
	}
	return kept
}
