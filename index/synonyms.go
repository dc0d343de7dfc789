package index

import (
	"bytes"
	_ "embed"
	"fmt"

	"apisearch/catalog"

	"gopkg.in/yaml.v3"
)

//go:embed synonyms.yaml
var defaultSynonyms []byte

// Synonyms are the words and phrases that a query expands to: groups of true synonyms, found
// from any of their members, and one-way expansions from a word to narrower ones.
type Synonyms struct {
	Groups     [][]string          `yaml:"groups"`
	Expansions map[string][]string `yaml:"expansions"`
	// Ignore lists words left out of queries of three words or more: what people want to do
	// ("trouver", "savoir") rather than what about.
	Ignore []string `yaml:"ignore"`
}

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
	var s Synonyms
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	for i, g := range s.Groups {
		if len(g) < 2 {
			return nil, fmt.Errorf("synonyms: group %d has %d member, want at least 2", i+1, len(g))
		}
	}
	return &s, nil
}

// DefaultSynonyms returns the synonyms kept in the repository, in index/synonyms.yaml.
func DefaultSynonyms() (*Synonyms, error) { return ParseSynonyms(defaultSynonyms) }

// rule rewrites a sequence of analysed query terms into other words or phrases.
type rule struct {
	from []string
	to   []string
}

// compile analyses every word of the synonyms with the index's analyzer, keyed by the first
// term of what a query must contain.
func (s *Synonyms) compile(analyze func(string) []string) map[string][]rule {
	rules := make(map[string][]rule)
	add := func(from string, to []string) {
		f := analyze(from)
		if len(f) == 0 {
			return
		}
		r := rule{from: f}
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
	for from, to := range s.Expansions {
		add(from, to)
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
