package index

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"slices"

	"apisearch/catalog"

	"gopkg.in/yaml.v3"
)

//go:embed synonyms.yaml
var defaultSynonyms []byte

//go:embed thesaurus.yaml
var defaultThesaurus []byte

// Synonyms are the words and phrases that a query expands to, in the format of synonyms.yaml
// (see catalog.Synonyms): the built-in ones and a catalogue folder's own.
type Synonyms catalog.Synonyms

// ignored returns the folded words of the Ignore list.
func (s *Synonyms) ignored() map[string]bool {
	m := make(map[string]bool, len(s.Ignore))
	for _, w := range s.Ignore {
		m[catalog.Fold(w)] = true
	}
	return m
}

// ParseSynonyms reads a synonyms file (the format of synonyms.yaml).
func ParseSynonyms(data []byte) (*Synonyms, error) {
	s, err := catalog.ParseSynonyms(data)
	if err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	return (*Synonyms)(s), nil
}

// with returns s together with a catalogue folder's synonyms (nil for none): its groups,
// expansions and ignored words add to those of s.
func (s *Synonyms) with(more *catalog.Synonyms) *Synonyms {
	if more == nil {
		return s
	}
	out := &Synonyms{
		Groups:     slices.Concat(s.Groups, more.Groups),
		Expansions: maps.Clone(s.Expansions),
		Ignore:     slices.Concat(s.Ignore, more.Ignore),
	}
	if out.Expansions == nil {
		out.Expansions = make(map[string][]string, len(more.Expansions))
	}
	for from, to := range more.Expansions {
		out.Expansions[from] = slices.Concat(out.Expansions[from], to)
	}
	return out
}

// DefaultSynonyms returns the synonyms kept in the repository, in index/synonyms.yaml.
func DefaultSynonyms() (*Synonyms, error) { return ParseSynonyms(defaultSynonyms) }

// Thesaurus maps words people type that the catalogue does not use, everyday French and
// English, one way to words the catalogue uses. A match found through it weighs less than a
// synonym's.
type Thesaurus struct {
	Everyday map[string][]string `yaml:"everyday"`
	English  map[string][]string `yaml:"english"`
}

// ParseThesaurus reads a thesaurus file (the format of thesaurus.yaml).
func ParseThesaurus(data []byte) (*Thesaurus, error) {
	var th Thesaurus
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&th); err != nil {
		return nil, fmt.Errorf("thesaurus: %w", err)
	}
	return &th, nil
}

// DefaultThesaurus returns the thesaurus kept in the repository, in index/thesaurus.yaml.
func DefaultThesaurus() (*Thesaurus, error) { return ParseThesaurus(defaultThesaurus) }

// rule rewrites a sequence of analysed query terms into other words or phrases, matched with
// a boost below the words typed.
type rule struct {
	from  []string
	to    []string
	boost float64
}

// compile analyses every word of the synonyms and of the thesaurus (nil for none) with the
// index's analyzer, keyed by the first term of what a query must contain.
func (s *Synonyms) compile(th *Thesaurus, analyze func(string) []string) map[string][]rule {
	rules := make(map[string][]rule)
	boost := synonymsBoost
	add := func(from string, to []string) {
		f := analyze(from)
		if len(f) == 0 {
			return
		}
		r := rule{from: f, boost: boost}
		for _, t := range to {
			if a := analyze(t); len(a) > 0 && !equal(a, f) {
				r.to = append(r.to, t)
			}
		}
		if len(r.to) > 0 {
			rules[f[0]] = append(rules[f[0]], r)
		}
	}
	for _, g := range s.Groups {
		for i, from := range g {
			others := make([]string, 0, len(g)-1)
			others = append(others, g[:i]...)
			others = append(others, g[i+1:]...)
			add(from, others)
		}
	}
	for _, from := range slices.Sorted(maps.Keys(s.Expansions)) {
		add(from, s.Expansions[from])
	}
	if th != nil {
		boost = thesaurusBoost
		for _, m := range []map[string][]string{th.Everyday, th.English} {
			for _, from := range slices.Sorted(maps.Keys(m)) {
				add(from, m[from])
			}
		}
	}
	return rules
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
