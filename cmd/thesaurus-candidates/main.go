// Command thesaurus-candidates helps maintain index/thesaurus.yaml. It reads the catalogue's
// entries and, for each word of their titles, taglines, keywords and themes, prints the words
// that general-purpose resources installed on this machine relate to it: French synonyms from
// Debian's mythes-fr thesaurus, and English words from Debian's FreeDict English–French and
// French–English dictionaries. Its output is a list of candidates for a person to read and
// choose from; nothing of it is meant to be pasted into the repository (docs/thesaurus.md says
// why). With -check it instead verifies that every target of a thesaurus file occurs in the
// catalogue's entries.
//
//	apt-get install -y mythes-fr dict-freedict-eng-fra dict-freedict-fra-eng
//	go run ./cmd/thesaurus-candidates --catalog ../shared/catalogs/apigouv > /tmp/candidates.txt
//	go run ./cmd/thesaurus-candidates --catalog ../shared/catalogs/apigouv --check index/thesaurus.yaml
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

func main() {
	catalogDir := flag.String("catalog", "../shared/catalogs/apigouv", "catalogue folder (its api/*.md entries are read)")
	mythes := flag.String("mythes", "/usr/share/mythes/thes_fr.dat", "mythes-fr thesaurus data file")
	engFra := flag.String("eng-fra", "/usr/share/dictd/freedict-eng-fra", "FreeDict English–French dictionary (path without .index/.dict.dz)")
	fraEng := flag.String("fra-eng", "/usr/share/dictd/freedict-fra-eng", "FreeDict French–English dictionary (path without .index/.dict.dz)")
	minDocs := flag.Int("min", 1, "only catalogue words found in at least this many entries' headings")
	only := flag.String("words", "", "comma-separated catalogue words to look up instead of the whole vocabulary")
	check := flag.String("check", "", "thesaurus YAML file whose targets are checked against the catalogue")
	flag.Parse()

	cat, err := readCatalog(filepath.Join(*catalogDir, "api"))
	if err != nil {
		fatal(err)
	}
	if *check != "" {
		missing, total, err := checkThesaurus(*check, cat)
		if err != nil {
			fatal(err)
		}
		for _, m := range missing {
			fmt.Println("not in the catalogue:", m)
		}
		fmt.Printf("%d targets, %d not found in the catalogue\n", total, len(missing))
		if len(missing) > 0 {
			os.Exit(1)
		}
		return
	}

	th, err := readMythes(*mythes)
	if err != nil {
		fatal(err)
	}
	ef, err := readDictd(*engFra)
	if err != nil {
		fatal(err)
	}
	fe, err := readDictd(*fraEng)
	if err != nil {
		fatal(err)
	}
	// English words whose translation is a given French word.
	toEnglish := map[string]map[string]bool{}
	for en, frs := range ef {
		for _, fr := range frs {
			add(toEnglish, fold(fr), en)
		}
	}
	for fr, ens := range fe {
		for _, en := range ens {
			add(toEnglish, fold(fr), en)
		}
	}

	words := cat.headingWords(*minDocs)
	if *only != "" {
		words = strings.Split(*only, ",")
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, word := range words {
		k := fold(strings.TrimSpace(word))
		var fr []string
		for _, s := range th.related(k) {
			if !cat.words[fold(s)] {
				fr = append(fr, s)
			}
		}
		var en []string
		for e := range toEnglish[k] {
			if fold(e) != k {
				en = append(en, e)
			}
		}
		sort.Strings(en)
		if len(fr) == 0 && len(en) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s (%d)\n", word, cat.headingDocs[k])
		if len(fr) > 0 {
			fmt.Fprintf(w, "  fr: %s\n", strings.Join(fr, ", "))
		}
		if len(en) > 0 {
			fmt.Fprintf(w, "  en: %s\n", strings.Join(en, ", "))
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "thesaurus-candidates:", err)
	os.Exit(1)
}

func add(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][v] = true
}

// fold lowercases s and removes its accents, the way the catalogue is matched.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// words splits folded text into runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// stem removes a plural or feminine ending, enough to match "bancaires" with "bancaire" or
// "véhicules" with "véhicule".
func stem(w string) string {
	if len(w) > 3 && (strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x")) {
		w = w[:len(w)-1]
	}
	if len(w) > 3 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

// catalog is what the tool needs of the catalogue: the folded words of every entry, the
// number of entries whose headings (title, tagline, keywords, themes) hold each word, and the
// stemmed text of each entry for the check.
type catalog struct {
	words       map[string]bool
	headingDocs map[string]int
	texts       [][]string
}

func readCatalog(dir string) (*catalog, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no entry in %s", dir)
	}
	c := &catalog{words: map[string]bool{}, headingDocs: map[string]int{}}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		c.addEntry(data)
	}
	return c, nil
}

func (c *catalog) addEntry(data []byte) {
	ws := words(string(data))
	stems := make([]string, len(ws))
	for i, w := range ws {
		c.words[w] = true
		stems[i] = stem(w)
	}
	c.texts = append(c.texts, stems)

	var fm struct {
		Title    string   `yaml:"title"`
		Tagline  string   `yaml:"tagline"`
		Keywords []string `yaml:"keywords"`
		Themes   []string `yaml:"themes"`
	}
	if front, ok := frontMatter(data); ok {
		_ = yaml.Unmarshal(front, &fm) // a malformed entry only loses its headings
	}
	seen := map[string]bool{}
	heading := append([]string{fm.Title, fm.Tagline}, append(fm.Keywords, fm.Themes...)...)
	for _, w := range words(strings.Join(heading, " ")) {
		if !seen[w] && len([]rune(w)) > 2 && !stopWords[w] {
			seen[w] = true
			c.headingDocs[w]++
		}
	}
}

func frontMatter(data []byte) ([]byte, bool) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(data, []byte("---\n")) {
		return nil, false
	}
	rest := data[4:]
	end := bytes.Index(rest, []byte("\n---"))
	if end < 0 {
		return nil, false
	}
	return rest[:end], true
}

// headingWords returns the heading words found in at least min entries, most frequent first.
func (c *catalog) headingWords(min int) []string {
	var ws []string
	for w, n := range c.headingDocs {
		if n >= min {
			ws = append(ws, w)
		}
	}
	sort.Slice(ws, func(i, j int) bool {
		if c.headingDocs[ws[i]] != c.headingDocs[ws[j]] {
			return c.headingDocs[ws[i]] > c.headingDocs[ws[j]]
		}
		return ws[i] < ws[j]
	})
	return ws
}

// contains reports whether the phrase occurs in an entry, word after word, accents, case and
// plural or feminine endings aside.
func (c *catalog) contains(phrase string) bool {
	p := words(phrase)
	if len(p) == 0 {
		return false
	}
	for i := range p {
		p[i] = stem(p[i])
	}
	for _, t := range c.texts {
	next:
		for i := 0; i+len(p) <= len(t); i++ {
			for j := range p {
				if t[i+j] != p[j] {
					continue next
				}
			}
			return true
		}
	}
	return false
}

// checkThesaurus returns the targets of a thesaurus file that no entry contains, each with its
// key, and the number of targets checked.
func checkThesaurus(path string, c *catalog) ([]string, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var sections map[string]map[string][]string
	if err := yaml.Unmarshal(data, &sections); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	var missing []string
	total := 0
	names := make([]string, 0, len(sections))
	for name := range sections {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		keys := make([]string, 0, len(sections[name]))
		for k := range sections[name] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, t := range sections[name][k] {
				total++
				if !c.contains(t) {
					missing = append(missing, fmt.Sprintf("%s: %s → %s", name, k, t))
				}
			}
		}
	}
	return missing, total, nil
}

// thesaurus maps a folded word to its synonyms, and a folded synonym to the words that list it.
type thesaurus struct {
	syn, rev map[string]map[string]bool
}

// related returns the words that the thesaurus relates to k in either direction, those related
// both ways first.
func (t *thesaurus) related(k string) []string {
	var both, one []string
	seen := map[string]bool{}
	for s := range t.syn[k] {
		seen[s] = true
		if t.rev[k][s] {
			both = append(both, s)
		} else {
			one = append(one, s)
		}
	}
	for s := range t.rev[k] {
		if !seen[s] {
			one = append(one, s)
		}
	}
	sort.Strings(both)
	sort.Strings(one)
	return append(both, one...)
}

// readMythes reads a MyThes data file: a first line naming the encoding, then for each word a
// line "word|count" followed by count lines "(part of speech)|synonym|synonym|…".
func readMythes(path string) (*thesaurus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMythes(f)
}

func parseMythes(r io.Reader) (*thesaurus, error) {
	t := &thesaurus{syn: map[string]map[string]bool{}, rev: map[string]map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("mythes: empty file")
	}
	if enc := strings.TrimSpace(sc.Text()); !strings.EqualFold(enc, "UTF-8") {
		return nil, fmt.Errorf("mythes: encoding %q, want UTF-8", enc)
	}
	head, written := "", "" // the current headword, folded and as written
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Split(line, "|")
		if strings.HasPrefix(line, "(") || strings.HasPrefix(line, "-|") {
			for _, s := range fields[1:] {
				if s = strings.TrimSpace(s); s != "" && head != "" && fold(s) != head {
					add(t.syn, head, s)
					add(t.rev, fold(s), written)
				}
			}
			continue
		}
		head, written = fold(fields[0]), fields[0]
	}
	return t, sc.Err()
}

// readDictd reads a dictd dictionary (name.index and name.dict.dz, a gzip-compatible dictzip
// file) and returns each headword's translations.
func readDictd(name string) (map[string][]string, error) {
	idx, err := os.Open(name + ".index")
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	dz, err := os.Open(name + ".dict.dz")
	if err != nil {
		return nil, err
	}
	defer dz.Close()
	zr, err := gzip.NewReader(dz)
	if err != nil {
		return nil, fmt.Errorf("%s.dict.dz: %w", name, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s.dict.dz: %w", name, err)
	}
	return parseDictd(idx, body)
}

func parseDictd(index io.Reader, body []byte) (map[string][]string, error) {
	out := map[string][]string{}
	sc := bufio.NewScanner(index)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 3 || strings.HasPrefix(f[0], "00database") {
			continue
		}
		off, err1 := dictdNumber(f[1])
		n, err2 := dictdNumber(f[2])
		if err1 != nil || err2 != nil || off < 0 || n < 0 || off+n > len(body) {
			return nil, fmt.Errorf("dictd index: bad entry %q", sc.Text())
		}
		lines := strings.Split(strings.TrimSpace(string(body[off:off+n])), "\n")
		head := strings.TrimSpace(f[0])
		for _, l := range lines[1:] { // the first line repeats the headword and its pronunciation
			l = strings.TrimSpace(l)
			if i := strings.Index(l, ". "); i > 0 && i <= 3 && strings.Trim(l[:i], "0123456789") == "" {
				l = l[i+2:] // "1. sense"
			}
			for _, tr := range strings.Split(l, ",") {
				if tr = strings.TrimSpace(tr); tr != "" {
					out[head] = append(out[head], tr)
				}
			}
		}
	}
	return out, sc.Err()
}

// dictdNumber decodes a dictd index number, written in base 64 with the alphabet A–Z a–z 0–9 + /.
func dictdNumber(s string) (int, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	n := 0
	for _, r := range s {
		d := strings.IndexRune(alphabet, r)
		if d < 0 {
			return 0, fmt.Errorf("dictd number %q", s)
		}
		n = n*64 + d
	}
	return n, nil
}

// stopWords are French function words and the catalogue's boilerplate, left out of the
// headings' vocabulary.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`les des aux une sur par pour dans avec que qui est son ses
		vos votre vous nous leur leurs tous toutes tout tant sont ont peut plus sous vers via
		etc dont ainsi afin entre elles ils eux pas api data`) {
		stopWords[w] = true
	}
}
