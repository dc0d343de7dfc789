// Package catgen generates synthetic French catalogues of any size, for benchmarks and load
// runs: their vocabulary, producers, themes, access types and body lengths are drawn from a
// real catalogue given as a sample.
package catgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing/fstest"
	"unicode"

	"apisearch/catalog"
)

// model is what a sample catalogue teaches: words with their frequencies, and distributions.
type model struct {
	words      []string // catalogue words, repeated by frequency: drawing one is drawing by frequency
	titleWords []string
	keywords   []string
	themes     []string
	accesses   []catalog.Access
	bodyWords  []int // words in each body of the sample
	producers  []string
}

func learn(sample *catalog.Catalog) model {
	var m model
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' })
	}
	for _, e := range sample.Entries {
		for _, w := range split(e.Title) {
			if len([]rune(w)) > 2 && w != "API" {
				m.titleWords = append(m.titleWords, w)
			}
		}
		body := split(e.Text)
		m.words = append(m.words, body...)
		m.bodyWords = append(m.bodyWords, len(body))
		m.keywords = append(m.keywords, e.Keywords...)
		m.themes = append(m.themes, e.Themes...)
		m.accesses = append(m.accesses, e.Access)
	}
	for _, p := range sample.Producers {
		m.producers = append(m.producers, p.Name)
	}
	sort.Strings(m.producers)
	sort.Ints(m.bodyWords)
	return m
}

// Generate returns a catalogue of n entries in the project's YAML layout, the same for the same
// sample and seed. Producers number about one for twenty entries.
func Generate(sample *catalog.Catalog, n int, seed uint64) fstest.MapFS {
	m := learn(sample)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	fsys := fstest.MapFS{}

	producers := max(20, n/20)
	for i := range producers {
		name := m.producers[i%len(m.producers)]
		if i >= len(m.producers) {
			name = fmt.Sprintf("%s — %s %d", name, pick(m.titleWords), i)
		}
		fsys[fmt.Sprintf("producers/p%05d.yaml", i)] = &fstest.MapFile{Data: fmt.Appendf(nil,
			"name: %q\nacronym: P%d\ntype: Etablissement public\n", name, i)}
	}
	sentence := func(words int) string {
		parts := make([]string, words)
		for i := range parts {
			parts[i] = pick(m.words)
		}
		r := []rune(strings.Join(parts, " "))
		r[0] = unicode.ToUpper(r[0])
		return string(r) + "."
	}
	for i := range n {
		title := "API " + pick(m.titleWords)
		for range rng.IntN(3) {
			title += " " + pick(m.titleWords)
		}
		keywords := make([]string, 3+rng.IntN(5))
		for k := range keywords {
			keywords[k] = fmt.Sprintf("%q", pick(m.keywords))
		}
		themes := []string{fmt.Sprintf("%q", pick(m.themes))}
		if rng.IntN(3) == 0 {
			themes = append(themes, fmt.Sprintf("%q", pick(m.themes)))
		}
		bodyWords := m.bodyWords[rng.IntN(len(m.bodyWords))]
		var body strings.Builder
		for left := bodyWords; left > 0; {
			k := min(left, 8+rng.IntN(16))
			body.WriteString("  " + sentence(k) + "\n")
			left -= k
		}
		visits := int(math.Exp(rng.NormFloat64()*1.5 + 7))
		fsys[fmt.Sprintf("apis/api-%06d.yaml", i)] = &fstest.MapFile{Data: fmt.Appendf(nil,
			"title: %q\ntagline: %q\nproducer: p%05d\nthemes: [%s]\nkeywords: [%s]\naccess: %s\nvisits: %d\n"+
				"links: {doc_tech: 'https://exemple.gouv.fr/doc/%d', contact: 'https://exemple.gouv.fr/contact', access: 'https://exemple.gouv.fr/acces'}\ndescription: |\n%s",
			title, sentence(8+rng.IntN(10)), rng.IntN(producers), strings.Join(themes, ", "), strings.Join(keywords, ", "),
			m.accesses[rng.IntN(len(m.accesses))], visits, i, body.String())}
	}
	return fsys
}
