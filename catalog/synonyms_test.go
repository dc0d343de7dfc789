package catalog

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// withSynonyms is a small catalogue folder with the given synonyms file.
func withSynonyms(synonyms string) fstest.MapFS {
	return fstest.MapFS{
		"producers/dinum.yaml": {Data: []byte(goodProducer)},
		"apis/good.yaml":       {Data: []byte(goodEntry)},
		SynonymsFile:           {Data: []byte(synonyms)},
	}
}

func TestLoadSynonyms(t *testing.T) {
	tests := []struct {
		name, file string
		want       *Synonyms
	}{
		{"every key", "# Nos synonymes.\ngroups:\n  - [caf, \" caisse d'allocations familiales \"]\n  - - pôle emploi\n    - france travail\n" +
			"expansions:\n  siret: [sirene, siren]\nignore: [trouver]\n",
			&Synonyms{Groups: [][]string{{"caf", "caisse d'allocations familiales"}, {"pôle emploi", "france travail"}},
				Expansions: map[string][]string{"siret": {"sirene", "siren"}}, Ignore: []string{"trouver"}}},
		{"keys with nothing yet", "groups:\nexpansions:\nignore: []\n", &Synonyms{Ignore: []string{}}},
		{"comments only", "# groups:\n#   - [a, b]\n\n", &Synonyms{}},
		{"an alias", "groups:\n  - &g [a, b]\n  - *g\n", &Synonyms{Groups: [][]string{{"a", "b"}, {"a", "b"}}}},
		{"numbers are words", "groups:\n  - [c2s, 2024]\n", &Synonyms{Groups: [][]string{{"c2s", "2024"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(withSynonyms(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Problems) > 0 && c.Problems[0].Path == SynonymsFile {
				t.Errorf("problems: %v", c.Problems)
			}
			if !reflect.DeepEqual(c.Synonyms, tt.want) {
				t.Errorf("synonyms = %+v, want %+v", c.Synonyms, tt.want)
			}
		})
	}
	c, err := Load(fstest.MapFS{"producers/dinum.yaml": {Data: []byte(goodProducer)}, "apis/good.yaml": {Data: []byte(goodEntry)}})
	if err != nil || c.Synonyms != nil {
		t.Errorf("without a synonyms file: synonyms = %+v, %v; want nil", c.Synonyms, err)
	}
}

// TestBadSynonymsFile checks that every problem of a synonyms file is an error with the file's
// path and the line to fix, and that the entries load all the same.
func TestBadSynonymsFile(t *testing.T) {
	tests := []struct {
		name, file string
		line       int
		message    string
	}{
		{"a group of one", "groups:\n  - [caf, cnaf]\n  - [seul]\n", 3, "group 2 has 1 member, want at least 2"},
		{"an empty member", "groups:\n  - [caf, '']\n", 2, "a member of group 1 is empty"},
		{"a null member", "groups:\n  - - caf\n    -\n", 3, "a member of group 1 is empty"},
		{"a group that is not a list", "groups:\n  - caf, cnaf\n", 2, "group 1 must be a list such as [a, b]; found a single value"},
		{"a mapping in a group", "groups:\n  - [caf, {a: b}]\n", 2, "a member of group 1 must be a word or phrase; found a mapping"},
		{"groups not a list", "groups: caf\n", 1, "groups must be a list of groups"},
		{"an unknown key", "groups:\n  - [a, b]\ngroupes:\n  - [c, d]\n", 3, `unknown key "groupes": a synonyms file has groups, expansions and ignore`},
		{"a key given twice", "ignore: [a]\nignore: [b]\n", 2, `key "ignore" already given at line 1`},
		{"an expansion to one word", "expansions:\n  siret: sirene\n", 2, `the expansion of "siret" must be a list such as [a, b]; found a single value`},
		{"an expansion to nothing", "expansions:\n  siret: []\n", 2, `the expansion of "siret" has 0 members, want at least 1`},
		{"an expansion given twice", "expansions:\n  siret: [sirene]\n  siret: [siren]\n", 3, `expansion of "siret" already given at line 2`},
		{"an empty expanded word", "expansions:\n  '': [sirene]\n", 2, "an expanded word is empty"},
		{"expansions a list", "expansions:\n  - [a, b]\n", 2, "expansions must be words each followed by the list"},
		{"an empty ignored word", "ignore: [trouver, ' ']\n", 1, "a member of ignore is empty"},
		{"invalid YAML", "groups:\n  - [caf, cnaf\n", 2, "invalid YAML"},
		{"not a mapping", "- [a, b]\n", 1, "expected fields (key: value), found a list"},
		{"too many words", "ignore:\n" + strings.Repeat("  - mot\n", maxSynonymValues+1), maxSynonymValues + 2, "more than 10000 words and phrases"},
		{"an alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n", 0, "alias bomb"},
		{"invalid UTF-8", "groups:\n  - [caf, \xff]\n", 2, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(withSynonyms(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if c.Synonyms != nil {
				t.Errorf("a bad file gave synonyms: %+v", c.Synonyms)
			}
			if c.Entry("good") == nil {
				t.Errorf("the entry was lost: %v", c.Problems)
			}
			var found []Problem
			for _, p := range c.Problems {
				if p.Path == SynonymsFile {
					found = append(found, p)
				}
			}
			if len(found) == 0 || found[0].Severity != SeverityError || found[0].Line != tt.line || !strings.Contains(found[0].Message, tt.message) {
				t.Errorf("problems of %s = %v, want an error at line %d containing %q", SynonymsFile, found, tt.line, tt.message)
			}
		})
	}
}

func TestReloadKeepsLastGoodSynonyms(t *testing.T) {
	fsys := withSynonyms("groups:\n  - [caf, cnaf]\n")
	first, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	good := &Synonyms{Groups: [][]string{{"caf", "cnaf"}}}
	steps := []struct {
		name string
		file string // "" deletes the file
		want *Synonyms
		line int // of the error reported, 0 for none
	}{
		{"broken", "groups:\n  - [caf, cnaf]\n  - [msa]\n", good, 3},
		{"still broken", "groups:\n  - [caf]\n", good, 2},
		{"fixed", "groups:\n  - [caf, cnaf, caisse d'allocations familiales]\n", &Synonyms{Groups: [][]string{{"caf", "cnaf", "caisse d'allocations familiales"}}}, 0},
		{"deleted", "", nil, 0},
		{"broken with no version before", "groups: [", nil, 1},
	}
	prev := first
	for _, s := range steps {
		if s.file == "" {
			delete(fsys, SynonymsFile)
		} else {
			fsys[SynonymsFile] = &fstest.MapFile{Data: []byte(s.file)}
		}
		c, err := Reload(fsys, prev)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Synonyms, s.want) {
			t.Errorf("%s: synonyms = %+v, want %+v", s.name, c.Synonyms, s.want)
		}
		var errLine int
		kept := false
		for _, p := range c.Problems {
			switch {
			case p.Path != SynonymsFile:
			case p.Severity == SeverityError && errLine == 0:
				errLine = p.Line
			case p.Severity == SeverityWarning && strings.Contains(p.Message, "last good version"):
				kept = true
			}
		}
		if errLine != s.line || kept != (s.line > 0 && s.want != nil) {
			t.Errorf("%s: error at line %d, last good version noted %v; want line %d: %v", s.name, errLine, kept, s.line, c.Problems)
		}
		prev = c
	}
}

func TestParseSynonymsNamesTheLine(t *testing.T) {
	_, err := ParseSynonyms([]byte("groups:\n  - [a, b]\n  - [c]\n"))
	if err == nil || err.Error() != "line 3: group 2 has 1 member, want at least 2" {
		t.Errorf("error = %v, want the line and the problem", err)
	}
}

// FuzzLoadSynonyms gives the loader any bytes as the folder's synonyms file: it never fails or
// panics, the entry beside it still loads, every problem of the file names a line inside it and
// prints without control characters, and synonyms that load hold only non-empty words, groups
// of two or more and expansions to at least one word.
func FuzzLoadSynonyms(f *testing.F) {
	f.Add([]byte("groups:\n  - [caf, cnaf]\nexpansions:\n  siret: [sirene]\nignore: [trouver]\n"))
	f.Add([]byte("groups:\n  - [seul]\n"))
	f.Add([]byte("groups:\n  - &g [a, b]\n  - *g\nexpansions: {x: *g}\n"))
	f.Add([]byte("expansions:\n  ? [a, b]\n  : [c]\n"))
	f.Add([]byte("\xef\xbb\xbfignore: [a]\r\n"))
	f.Add([]byte("# rien\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(withSynonyms(string(data)))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if c.Entry("good") == nil {
			t.Fatalf("the entry was lost; problems: %v", c.Problems)
		}
		lines, errs := yamlLines(string(data)), 0
		for _, p := range c.Problems {
			if p.Path != SynonymsFile {
				continue
			}
			if p.Message == "" || p.Line < 0 || p.Line > lines {
				t.Fatalf("problem without a message or a line inside the file (%d lines): %+v", lines, p)
			}
			if s := p.String(); strings.ContainsFunc(s, unicode.IsControl) {
				t.Fatalf("problem prints a control character: %q", s)
			}
			if p.Severity == SeverityError {
				errs++
			}
		}
		if (errs > 0) != (c.Synonyms == nil) {
			t.Fatalf("%d errors, synonyms %+v: want synonyms exactly when the file has no error", errs, c.Synonyms)
		}
		if c.Synonyms == nil {
			return
		}
		words := append([]string(nil), c.Synonyms.Ignore...)
		for _, g := range c.Synonyms.Groups {
			if len(g) < 2 {
				t.Fatalf("a group of %d members loaded: %q", len(g), g)
			}
			words = append(words, g...)
		}
		for from, to := range c.Synonyms.Expansions {
			if len(to) == 0 {
				t.Fatalf("an expansion of %q to nothing loaded", from)
			}
			words = append(append(words, from), to...)
		}
		for _, w := range words {
			if strings.TrimSpace(w) == "" || w != strings.TrimSpace(w) {
				t.Fatalf("an empty or untrimmed word loaded: %q", w)
			}
		}
	})
}
