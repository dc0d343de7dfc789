package index

import (
	"strings"
	"testing"
)

// Search reads the text readers see: over the national catalogue's snapshot, whose files write
// <External href=…> components, <details> and Markdown, no hit's highlighted title, tagline or
// snippet shows markup, whether the query matches a title, words that sat next to components,
// the components' own names or nothing (browsing).
func TestHighlightsHoldNoMarkup(t *testing.T) {
	ix := snapshot(t)
	queries := []string{"", "href", "External", "Button", "details", "summary", "strong", "br",
		"géoportail", "marchés publics", "en savoir plus", "demander un accès", "présentation",
		"conditions d'éligibilité", "annuaire des entreprises", "DV3F"}
	for _, e := range ix.Catalog().Entries {
		queries = append(queries, e.Title)
	}
	hits := 0
	for _, q := range queries {
		res := run(t, ix, Request{Query: q, PerPage: MaxPerPage})
		for _, h := range res.Hits {
			hits++
			for field, s := range map[string]string{"title": h.Highlights.Title, "tagline": h.Highlights.Tagline, "body": h.Highlights.Body} {
				for _, markup := range []string{"<External", "&lt;External", "**", "](", "&lt;details", "&lt;br", "&amp;amp;"} {
					if strings.Contains(s, markup) {
						t.Errorf("%q: %s's %s holds %q: %s", q, h.Slug, field, markup, s)
					}
				}
			}
		}
	}
	if hits < len(ix.Catalog().Entries) {
		t.Errorf("only %d hits checked", hits)
	}
}
