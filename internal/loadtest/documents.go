package loadtest

import "apisearch/catalog"

// Document is a catalogue entry as a flat JSON document, for another search engine to index
// the same entries (Meilisearch's POST /indexes/{index}/documents takes an array of them).
type Document struct {
	ID       string   `json:"id"` // the entry's slug
	Title    string   `json:"title"`
	Tagline  string   `json:"tagline"`
	Keywords []string `json:"keywords"`
	Body     string   `json:"body"`     // the description as readers see it, which apisearch indexes
	Producer string   `json:"producer"` // the producer's name
	Themes   []string `json:"themes"`
	Access   string   `json:"access"` // open, account or restricted
}

// Documents returns the catalogue's entries as documents, in the catalogue's order.
func Documents(c *catalog.Catalog) []Document {
	docs := make([]Document, 0, len(c.Entries))
	for _, e := range c.Entries {
		docs = append(docs, Document{ID: e.Slug, Title: e.Title, Tagline: e.Tagline, Keywords: e.Keywords, Body: e.Text,
			Producer: e.Producer.Name, Themes: e.Themes, Access: string(e.Access)})
	}
	return docs
}
