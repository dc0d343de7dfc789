package catalog

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ThemeKey is the key under which two spellings of a theme are the same theme, whatever their
// case or accents.
func ThemeKey(theme string) string { return Fold(theme) }

// canonicalThemes replaces every theme of the entries by one label per theme: among the
// spellings in use, the one with accents, then with a capital, then the most frequent, with its
// first letter in upper case, not all in capitals.
func canonicalThemes(entries []*Entry) {
	counts := make(map[string]map[string]int)
	for _, e := range entries {
		for _, t := range e.Themes {
			t = strings.TrimSpace(t)
			k := ThemeKey(t)
			if counts[k] == nil {
				counts[k] = make(map[string]int)
			}
			counts[k][t]++
		}
	}
	label := make(map[string]string, len(counts))
	for k, spellings := range counts {
		var all []string
		for s := range spellings {
			all = append(all, s)
		}
		sort.Slice(all, func(i, j int) bool {
			a, b := all[i], all[j]
			if x, y := Fold(a) != strings.ToLower(a), Fold(b) != strings.ToLower(b); x != y {
				return x
			}
			if x, y := startsUpper(a), startsUpper(b); x != y {
				return x
			}
			if x, y := a == strings.ToUpper(a), b == strings.ToUpper(b); x != y {
				return y
			}
			if spellings[a] != spellings[b] {
				return spellings[a] > spellings[b]
			}
			return a < b
		})
		label[k] = capitalize(all[0])
	}
	for _, e := range entries {
		for i, t := range e.Themes {
			e.Themes[i] = label[ThemeKey(strings.TrimSpace(t))]
		}
		e.Themes = clean(e.Themes)
	}
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// Themes returns the canonical themes of the catalogue, sorted, with how many entries have each.
func (c *Catalog) Themes() []Count {
	return countBy(c.Entries, func(e *Entry) []string { return e.Themes })
}

// Count is a value and how many entries have it.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

func countBy(entries []*Entry, values func(*Entry) []string) []Count {
	n := make(map[string]int)
	for _, e := range entries {
		for _, v := range values(e) {
			n[v]++
		}
	}
	out := make([]Count, 0, len(n))
	for v, c := range n {
		out = append(out, Count{Value: v, Count: c})
	}
	sort.Slice(out, func(i, j int) bool { return Fold(out[i].Value) < Fold(out[j].Value) })
	return out
}
