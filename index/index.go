// Package index owns the bleve index of the catalogue: its mapping and French analysis, search
// with facets and highlights, and suggestions.
package index

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/searcher"
)

// Fields of the bleve documents. Text fields are analysed in French; f_* fields hold the exact
// values that filters and facets use.
const (
	fieldTitle     = "title"
	fieldKeywords  = "keywords"
	fieldProducer  = "producer"
	fieldTagline   = "tagline"
	fieldThemes    = "themes"
	fieldBody      = "body"
	facetProducer  = "f_producer"
	facetTheme     = "f_theme"
	facetAccess    = "f_access"
	fieldVisits    = "visits"
	fieldTitleSort = "title_sort"
)

// textFields are the searched fields with their boosts: a word in the title counts most, one in
// the body least.
var textFields = []struct {
	name  string
	boost float64
}{
	{fieldTitle, 6},
	{fieldKeywords, 4},
	{fieldProducer, 3},
	{fieldTagline, 2.5},
	{fieldThemes, 2},
	{fieldBody, 1},
}

// maxClauses bounds the clauses of one query, so that no request can make a search slow.
const maxClauses = 4096

// Config tunes an index.
type Config struct {
	// Synonyms expand queries; nil means the default list (synonyms.yaml).
	Synonyms *Synonyms
	// Analysis turns parts of the French chain off, for measurements.
	Analysis Analysis
	// NoFuzzy, NoPrefix and NoSynonyms turn typo tolerance, prefix matching and synonyms off,
	// for measurements.
	NoFuzzy, NoPrefix, NoSynonyms bool
}

// Index is one immutable generation of the search index over one catalogue.
type Index struct {
	bleve    bleve.Index
	catalog  *catalog.Catalog
	cfg      Config
	analyzer analysis.Analyzer
	themes   map[string]string // theme key → canonical label
	rules    map[string][]rule // synonyms, by the first term they apply to
	ignored  map[string]bool   // folded words left out of long queries
	terms    *termList         // indexed terms, for prefix expansion
	vocab    *vocabulary       // catalogue words, for typos and "did you mean"
	suggest  *suggester        // autocomplete, built from the same catalogue
}

// Build indexes a catalogue in memory.
func Build(ctx context.Context, c *catalog.Catalog, cfg Config) (*Index, error) {
	if cfg.Synonyms == nil {
		syn, err := DefaultSynonyms()
		if err != nil {
			return nil, err
		}
		cfg.Synonyms = syn
	}
	// A process-wide bleve setting: no query may expand to more clauses than this.
	searcher.DisjunctionMaxClauseCount = maxClauses

	m, err := newMapping(cfg.Analysis)
	if err != nil {
		return nil, err
	}
	// Scorch, bleve's current index format, kept in memory: far faster than NewMemOnly's
	// upsidedown store.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	batch := idx.NewBatch()
	for _, e := range c.Entries {
		if err := ctx.Err(); err != nil {
			idx.Close()
			return nil, err
		}
		if err := batch.Index(e.Slug, document(e)); err != nil {
			idx.Close()
			return nil, fmt.Errorf("index entry %s: %w", e.Slug, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("index catalogue: %w", err)
	}
	ix := &Index{
		bleve:    idx,
		catalog:  c,
		cfg:      cfg,
		analyzer: m.AnalyzerNamed(frenchAnalyzer),
		themes:   make(map[string]string),
	}
	if ix.vocab, err = newVocabulary(c, ix.analyze); err != nil {
		idx.Close()
		return nil, err
	}
	if ix.terms, err = readTerms(idx); err != nil {
		idx.Close()
		return nil, err
	}
	ix.suggest = ix.newSuggester(c)
	ix.rules = cfg.Synonyms.compile(ix.analyze)
	ix.ignored = cfg.Synonyms.ignored()
	for _, t := range c.Themes() {
		ix.themes[catalog.ThemeKey(t.Value)] = t.Value
	}
	return ix, nil
}

// Close releases the index.
func (ix *Index) Close() error { return ix.bleve.Close() }

// Catalog returns the catalogue this index was built from.
func (ix *Index) Catalog() *catalog.Catalog { return ix.catalog }

func newMapping(a Analysis) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addFrenchAnalyzer(m, a); err != nil {
		return nil, fmt.Errorf("French analyzer: %w", err)
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range textFields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = frenchAnalyzer
		fm.Store = false
		fm.IncludeTermVectors = true
		fm.DocValues = false
		doc.AddFieldMappingsAt(f.name, fm)
	}
	for _, f := range []string{facetProducer, facetTheme, facetAccess, fieldTitleSort} {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(f, fm)
	}
	visits := bleve.NewNumericFieldMapping()
	visits.Store = false
	visits.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldVisits, visits)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = frenchAnalyzer
	return m, nil
}

// document is what bleve indexes of an entry.
func document(e *catalog.Entry) map[string]any {
	producer := []string{e.Producer.Name, e.Producer.Acronym}
	producer = append(producer, e.Producer.FormerNames...)
	keywords := strings.Join(e.Keywords, " ; ")
	producers := strings.Join(producer, " ; ")
	themes := strings.Join(e.Themes, " ; ")
	return map[string]any{
		fieldTitle:     e.Title,
		fieldKeywords:  keywords,
		fieldProducer:  producers,
		fieldTagline:   e.Tagline,
		fieldThemes:    themes,
		fieldBody:      e.Text,
		facetProducer:  e.Producer.Slug,
		facetTheme:     e.Themes,
		facetAccess:    string(e.Access),
		fieldVisits:    float64(e.Visits),
		fieldTitleSort: catalog.Fold(e.Title),
	}
}

// termList is the sorted list of terms of the text fields, with how many documents have each
// (summed over fields), and the terms so common that they tell documents apart no more than a
// stop word ("api" in a catalogue of APIs).
type termList struct {
	terms  []string
	df     []uint64
	common map[string]bool
}

// commonShare is the share of documents a term must be in, in one field, to be common, in a
// catalogue of at least minDocsForCommon entries (in a smaller one, shares mean little).
const (
	commonShare      = 0.4
	minDocsForCommon = 20
)

func readTerms(idx bleve.Index) (*termList, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("read terms: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("read terms: %w", err)
	}
	defer r.Close()
	df := make(map[string]uint64)
	common := make(map[string]bool)
	docs, err := idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("read terms: %w", err)
	}
	for _, f := range textFields {
		dict, err := r.FieldDict(f.name)
		if err != nil {
			return nil, fmt.Errorf("read terms of %s: %w", f.name, err)
		}
		for de, err := dict.Next(); de != nil && err == nil; de, err = dict.Next() {
			df[de.Term] += de.Count
			if docs >= minDocsForCommon && float64(de.Count) > commonShare*float64(docs) {
				common[de.Term] = true
			}
		}
		dict.Close()
	}
	tl := &termList{terms: make([]string, 0, len(df)), common: common}
	for t := range df {
		tl.terms = append(tl.terms, t)
	}
	sort.Strings(tl.terms)
	tl.df = make([]uint64, len(tl.terms))
	for i, t := range tl.terms {
		tl.df[i] = df[t]
	}
	return tl, nil
}

// withPrefix returns at most limit terms that start with prefix, the most frequent first.
func (tl *termList) withPrefix(prefix string, limit int) []string {
	i := sort.SearchStrings(tl.terms, prefix)
	j := i
	for j < len(tl.terms) && strings.HasPrefix(tl.terms[j], prefix) {
		j++
	}
	idx := make([]int, 0, j-i)
	for k := i; k < j; k++ {
		idx = append(idx, k)
	}
	sort.SliceStable(idx, func(a, b int) bool { return tl.df[idx[a]] > tl.df[idx[b]] })
	if len(idx) > limit {
		idx = idx[:limit]
	}
	out := make([]string, len(idx))
	for k, x := range idx {
		out[k] = tl.terms[x]
	}
	return out
}
