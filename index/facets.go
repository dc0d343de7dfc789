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
// and no read of bleve's doc values.
type facetTable struct {
	values  [facetKinds][]string         // ordinal → value (producer slug, theme, access)
	ordinal [facetKinds]map[string]int32 // value → ordinal
	entries [facetKinds][][]int32        // entry → its values' ordinals, without repeats
}

// newFacetTable reads the facet values of a catalogue's entries.
func newFacetTable(c *catalog.Catalog) *facetTable {
	t := &facetTable{}
	for k := range facetKinds {
		t.ordinal[k] = make(map[string]int32)
		t.entries[k] = make([][]int32, len(c.Entries))
	}
	for i, e := range c.Entries {
		t.add(byProducer, i, e.Producer.Slug)
		for _, th := range e.Themes {
			t.add(byTheme, i, th)
		}
		t.add(byAccess, i, string(e.Access))
	}
	return t
}

func (t *facetTable) add(kind, entry int, value string) {
	o, ok := t.ordinal[kind][value]
	if !ok {
		o = int32(len(t.values[kind]))
		t.ordinal[kind][value] = o
		t.values[kind] = append(t.values[kind], value)
	}
	if !slices.Contains(t.entries[kind][entry], o) {
		t.entries[kind][entry] = append(t.entries[kind][entry], o)
	}
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
	var pass [facetKinds]bool
	for k := range facetKinds {
		pass[k] = c.passes(k, entry)
	}
	for k := range facetKinds {
		// The entry counts for facet k when it passes the two other filters.
		if pass[(k+1)%facetKinds] && pass[(k+2)%facetKinds] {
			for _, o := range c.table.entries[k][entry] {
				c.counts[k][o]++
			}
		}
	}
	return pass[byProducer] && pass[byTheme] && pass[byAccess]
}

func (c *facetCount) passes(kind, entry int) bool {
	sel := c.selected[kind]
	if sel == nil {
		return true
	}
	for _, o := range c.table.entries[kind][entry] {
		if sel[o] {
			return true
		}
	}
	return false
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
