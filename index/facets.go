package index

import (
	"slices"
	"strings"

	"apisearch/catalog"
)

// The three facets, in the order of the arrays below.
const (
	byProducer = iota
	byTheme
	byAccess
	facetKinds
)

// facetTable gives each facet value an ordinal and each entry the ordinals of its values, so
// that counting the facets of a set of matches costs a few increments per match, with no map
// and no read of bleve's doc values. The ordinals of all entries lie in flat arrays: a search
// that matches a large share of a large catalogue reads them in passing, not through a
// pointer per entry.
type facetTable struct {
	values   [facetKinds][]string         // ordinal → value (producer slug, theme, access)
	ordinal  [facetKinds]map[string]int32 // value → ordinal
	producer []int32                      // entry → its producer
	access   []int32                      // entry → its access type
	themeAt  []int32                      // entry → where its themes start in themes; one more at the end
	themes   []int32                      // the themes of every entry, without repeats, one after the other
}

// newFacetTable reads the facet values of a catalogue's entries.
func newFacetTable(c *catalog.Catalog) *facetTable {
	t := &facetTable{
		producer: make([]int32, len(c.Entries)),
		access:   make([]int32, len(c.Entries)),
		themeAt:  make([]int32, 0, len(c.Entries)+1),
	}
	for k := range facetKinds {
		t.ordinal[k] = make(map[string]int32)
	}
	for i, e := range c.Entries {
		t.producer[i] = t.ordinalOf(byProducer, e.Producer.Slug)
		t.access[i] = t.ordinalOf(byAccess, string(e.Access))
		t.themeAt = append(t.themeAt, int32(len(t.themes)))
		for _, th := range e.Themes {
			if o := t.ordinalOf(byTheme, th); !slices.Contains(t.themes[t.themeAt[i]:], o) {
				t.themes = append(t.themes, o)
			}
		}
	}
	t.themeAt = append(t.themeAt, int32(len(t.themes)))
	return t
}

// ordinalOf returns the ordinal of a facet value, numbering it when new.
func (t *facetTable) ordinalOf(kind int, value string) int32 {
	o, ok := t.ordinal[kind][value]
	if !ok {
		o = int32(len(t.values[kind]))
		t.ordinal[kind][value] = o
		t.values[kind] = append(t.values[kind], value)
	}
	return o
}

// facetCount counts one request's facets over the entries it is shown: results are the
// entries that pass every filter, and each facet is counted over the entries that pass the
// other filters (disjunctive facets: every value shows how many results choosing it gives).
type facetCount struct {
	table    *facetTable
	selected [facetKinds][]bool // ordinal → selected; nil when the facet is not filtered
	counts   [facetKinds][]int
}

// count starts counting with the request's filters, in the index's spelling (a value the
// index does not know is selected but matches nothing).
func (t *facetTable) count(req Request) *facetCount {
	c := &facetCount{table: t}
	for k, values := range [facetKinds][]string{req.Producers, req.Themes, req.Accesses} {
		c.counts[k] = make([]int, len(t.values[k]))
		if len(values) == 0 {
			continue
		}
		c.selected[k] = make([]bool, len(t.values[k]))
		for _, v := range values {
			if o, ok := t.ordinal[k][v]; ok {
				c.selected[k][o] = true
			}
		}
	}
	return c
}

// add counts an entry and says whether it passes every filter.
func (c *facetCount) add(entry int) bool {
	t := c.table
	producer, access := t.producer[entry], t.access[entry]
	themes := t.themes[t.themeAt[entry]:t.themeAt[entry+1]]
	okProducer := c.selected[byProducer] == nil || c.selected[byProducer][producer]
	okAccess := c.selected[byAccess] == nil || c.selected[byAccess][access]
	okTheme := c.selected[byTheme] == nil
	for _, th := range themes {
		okTheme = okTheme || c.selected[byTheme][th]
	}
	// Each facet counts the entries that pass the two other filters.
	if okTheme && okAccess {
		c.counts[byProducer][producer]++
	}
	if okProducer && okAccess {
		for _, th := range themes {
			c.counts[byTheme][th]++
		}
	}
	if okProducer && okTheme {
		c.counts[byAccess][access]++
	}
	return okProducer && okTheme && okAccess
}

// facets lists the counted values of each facet, with the request's selections.
func (c *facetCount) facets(req Request, producerName func(string) string) Facets {
	return Facets{
		Producer: c.values(byProducer, req.Producers, producerName),
		Theme:    c.values(byTheme, req.Themes, func(v string) string { return v }),
		Access:   c.values(byAccess, req.Accesses, func(v string) string { return catalog.Access(v).Label() }),
	}
}

// values lists the maxFacetValues most frequent values of a facet (ties by value, as bleve's
// facets did), by count then label; selected values are listed even at count zero.
func (c *facetCount) values(kind int, selected []string, label func(string) string) []FacetValue {
	var top []int32
	for o, n := range c.counts[kind] {
		if n > 0 {
			top = append(top, int32(o))
		}
	}
	names := c.table.values[kind]
	counts := c.counts[kind]
	slices.SortFunc(top, func(a, b int32) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(names[a], names[b])
	})
	top = top[:min(len(top), maxFacetValues)]

	out := make([]FacetValue, 0, len(top)+len(selected))
	for _, o := range top {
		out = append(out, FacetValue{Value: names[o], Label: label(names[o]), Count: counts[o], Selected: slices.Contains(selected, names[o])})
	}
	for _, s := range selected {
		if !slices.ContainsFunc(out, func(v FacetValue) bool { return v.Value == s }) {
			out = append(out, FacetValue{Value: s, Label: label(s), Selected: true})
		}
	}
	// Labels are folded once, not at each comparison.
	keys := make(map[string]string, len(out))
	for _, v := range out {
		keys[v.Value] = catalog.Fold(v.Label)
	}
	slices.SortStableFunc(out, func(a, b FacetValue) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(keys[a.Value], keys[b.Value])
	})
	return out
}
