// Package catalog reads the catalogue of public APIs: the entry model, loading from a folder in
// either supported layout, and validation against the national catalogue's criteria.
package catalog

import (
	"fmt"
	"sort"
)

// Access says what a reuser needs before calling an API.
type Access string

// The three access types of the national catalogue.
const (
	AccessOpen       Access = "open"       // no account, no conditions
	AccessAccount    Access = "account"    // a free account or key, no conditions
	AccessRestricted Access = "restricted" // an habilitation (DataPass or similar)
)

// Accesses lists every access type, in the order they are shown to people.
var Accesses = []Access{AccessOpen, AccessAccount, AccessRestricted}

// Valid reports whether a is one of the three access types.
func (a Access) Valid() bool {
	return a == AccessOpen || a == AccessAccount || a == AccessRestricted
}

// Label is the French label of an access type, as shown in facets.
func (a Access) Label() string {
	switch a {
	case AccessOpen:
		return "Ouverte"
	case AccessAccount:
		return "Sur compte"
	case AccessRestricted:
		return "Sur habilitation"
	}
	return string(a)
}

// Entry is one API of the catalogue, as indexed and served.
type Entry struct {
	Slug          string      `json:"slug"`
	Title         string      `json:"title"`       // as text (InlineText)
	Tagline       string      `json:"tagline"`     // as text (InlineText)
	Description   string      `json:"description"` // Markdown: intro and body
	Text          string      `json:"-"`           // Description as readers see it (PlainText), for indexing and snippets
	Producer      ProducerRef `json:"producer"`
	Partners      []string    `json:"partners"`
	Themes        []string    `json:"themes"` // canonical labels
	Keywords      []string    `json:"keywords"`
	Access        Access      `json:"access"`
	FranceConnect bool        `json:"france_connect"`
	Links         Links       `json:"links"`
	RateLimit     string      `json:"rate_limit,omitempty"`
	Uptime        *float64    `json:"uptime,omitempty"`
	LastUpdate    string      `json:"last_update,omitempty"` // YYYY-MM-DD
	Visits        int         `json:"visits"`
	Services      []Service   `json:"services"`
	Path          string      `json:"path"` // file the entry was read from, relative to the catalogue folder
}

// ProducerRef is the producer of an entry, resolved from its slug.
type ProducerRef struct {
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Acronym     string   `json:"acronym,omitempty"`
	Type        string   `json:"type,omitempty"`
	FormerNames []string `json:"former_names,omitempty"`
}

// Links are the useful addresses of an entry.
type Links struct {
	DocTech     string `json:"doc_tech,omitempty" yaml:"doc_tech"`         // technical documentation
	OpenAPI     string `json:"openapi,omitempty" yaml:"openapi"`           // OpenAPI document
	DocExternal string `json:"doc_external,omitempty" yaml:"doc_external"` // other documentation
	Access      string `json:"access,omitempty" yaml:"access"`             // account creation or DataPass
	Contact     string `json:"contact,omitempty" yaml:"contact"`
	Site        string `json:"site,omitempty" yaml:"site"`
	Monitoring  string `json:"monitoring,omitempty" yaml:"monitoring"`
	Stats       string `json:"stats,omitempty" yaml:"stats"`     // public statistics page
	Sandbox     string `json:"sandbox,omitempty" yaml:"sandbox"` // test environment or tokens
}

// Service is a service that reuses an API.
type Service struct {
	Name        string `json:"name" yaml:"name"`
	URL         string `json:"url,omitempty" yaml:"url"`
	Description string `json:"description,omitempty" yaml:"description"`
}

// Producer is an administration that produces APIs.
type Producer struct {
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Acronym     string   `json:"acronym,omitempty"`
	Type        string   `json:"type,omitempty"`
	Site        string   `json:"site,omitempty"`
	FormerNames []string `json:"former_names,omitempty"`
	Path        string   `json:"path"`
}

// Ref is the short form of a producer that entries carry.
func (p *Producer) Ref() ProducerRef {
	return ProducerRef{Slug: p.Slug, Name: p.Name, Acronym: p.Acronym, Type: p.Type, FormerNames: p.FormerNames}
}

// Severity grades a Problem.
type Severity string

// Severities, from the most to the least serious.
const (
	// SeverityError means the file could not be used: its entry is not indexed.
	SeverityError Severity = "error"
	// SeverityWarning means the entry is indexed but misses a criterion of the national catalogue.
	SeverityWarning Severity = "warning"
	// SeverityHint points at a good practice the entry does not follow yet.
	SeverityHint Severity = "hint"
)

// Problem is something wrong with one file of the catalogue.
type Problem struct {
	Path     string   `json:"path"`
	Line     int      `json:"line,omitempty"`
	Severity Severity `json:"severity"`
	Slug     string   `json:"slug,omitempty"` // the entry concerned, when there is one
	Message  string   `json:"message"`
}

// String is the problem as a line of a report, "path:line: severity: message", with the
// characters of the path and the message that are not graphic escaped, so that a file's name or
// content can neither forge a line nor reach a terminal.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", Printable(p.Path), p.Line, p.Severity, escape(p.Message))
	}
	return fmt.Sprintf("%s: %s: %s", Printable(p.Path), p.Severity, escape(p.Message))
}

// Catalog is a loaded catalogue: its entries, its producers, its own synonyms and what was
// wrong with its files.
type Catalog struct {
	Layout    Layout               `json:"layout"`
	Entries   []*Entry             `json:"entries"` // sorted by slug
	Producers map[string]*Producer `json:"producers"`
	// Synonyms are the folder's own (SynonymsFile), added to the built-in ones; nil when it
	// has none.
	Synonyms *Synonyms `json:"synonyms,omitempty"`
	// Problems are the most serious problems, at most MaxFileProblems a file (then one saying how
	// many more) and MaxProblems in all, sorted by path and line.
	Problems        []Problem `json:"problems"`
	ProblemsOmitted int       `json:"problems_omitted"` // problems not in Problems
	// Version identifies the files the catalogue was read from: hex digits of a SHA-256 of their
	// paths and contents, unusable files included, so that replicas reading the same folder
	// agree whatever they loaded before.
	Version string `json:"version"`
	// Commit is the Git commit of the checkout the folder belongs to (see OpenDir); "" when
	// it is not known.
	Commit string           `json:"commit,omitempty"`
	counts map[Severity]int // problems by severity, listed or not, for Count
}

// Entry returns the entry with that slug, or nil.
func (c *Catalog) Entry(slug string) *Entry {
	i := sort.Search(len(c.Entries), func(i int) bool { return c.Entries[i].Slug >= slug })
	if i < len(c.Entries) && c.Entries[i].Slug == slug {
		return c.Entries[i]
	}
	return nil
}

// Count returns how many problems have the given severity, listed in Problems or not.
func (c *Catalog) Count(s Severity) int {
	return c.counts[s]
}
