// Package index owns the bleve index of the catalogue: its mapping and French analysis, search
// with facets and highlights, and suggestions.
package index

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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
	fieldTitleSort = "title_sort"
	sortPopular    = "s_popular"
	sortRank       = "s_rank"
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

// buildBatch is how many entries a full build gives bleve at a time.
const buildBatch = 2000

// Config tunes an index.
type Config struct {
	// Synonyms expand queries; nil means the default list (synonyms.yaml). A catalogue's own
	// synonyms (catalog.SynonymsFile) add to them.
	Synonyms *Synonyms
	// Thesaurus maps everyday and English words to the catalogue's; nil means the default
	// one (thesaurus.yaml).
	Thesaurus *Thesaurus
	// NoThesaurus leaves the thesaurus out, and NoDerivation the words of the same family
	// ("localisation" for "localiser"), for measurements.
	NoThesaurus, NoDerivation bool
	// Analysis turns parts of the French chain off, for measurements.
	Analysis Analysis
	// NoFuzzy, NoPrefix and NoSynonyms turn typo tolerance, prefix matching and synonyms off,
	// for measurements.
	NoFuzzy, NoPrefix, NoSynonyms bool
	// Disk keeps the index on disk; nil keeps it in memory.
	Disk *Disk
}

// withDefaults fills what cfg leaves out: the repository's synonyms.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Synonyms == nil {
		syn, err := DefaultSynonyms()
		if err != nil {
			return cfg, err
		}
		cfg.Synonyms = syn
	}
	if cfg.Thesaurus == nil {
		th, err := DefaultThesaurus()
		if err != nil {
			return cfg, err
		}
		cfg.Thesaurus = th
	}
	return cfg, nil
}

// Index is one generation of the search index over one catalogue: what every search and
// suggestion of a request reads. Nothing in it changes once built: a change to the catalogue
// builds a new generation (see Live), so that what a search answers never depends on the
// history of edits.
type Index struct {
	store        *store
	bleve        bleve.Index
	generation   uint64
	refs         atomic.Int64 // references: the creator's, then one per search in flight
	catalog      *catalog.Catalog
	cfg          Config
	analyzer     analysis.Analyzer
	themes       map[string]string        // theme key → canonical label
	producers    map[string]string        // folded producer slug or acronym → slug
	rules        map[string][]rule        // synonyms, by the first term they apply to
	ignored      map[string]bool          // folded words left out of long queries
	ignoredTerms map[string]bool          // their analysed terms, to leave out their other forms ("cherche")
	terms        *termList                // indexed terms, for prefix expansion
	vocab        *vocabulary              // catalogue words, for typos and "did you mean"
	suggest      *suggester               // autocomplete, built from the same catalogue
	order        browseOrder              // the catalogue's order when nothing is typed
	facets       *facetTable              // each entry's facet values, for counting
	ranks        rankTable                // each entry's place in each sort order
	docTable     atomic.Pointer[docTable] // bleve's document numbers → entries, for the last reader
}

// store is the bleve index of one generation and, on disk, its folder: a store replaced by
// another is deleted once closed; the store in service is marked clean when it closes, so that
// the next run can reopen it.
type store struct {
	idx         bleve.Index
	disk        *Disk
	path        string
	fingerprint string // of the catalogue it holds, on disk

	mu       sync.Mutex
	obsolete bool // replaced by another generation, or never finished
}

// close closes the bleve index, then deletes its folder or marks it clean.
func (s *store) close() {
	s.idx.Close()
	if s.disk == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.obsolete {
		_ = os.RemoveAll(s.path)
		return
	}
	_ = writeMeta(s.path, diskMeta{Format: formatVersion, Fingerprint: s.fingerprint, Clean: true})
}

// retire marks a store that is no longer the one in service.
func (s *store) retire() {
	s.mu.Lock()
	s.obsolete = true
	s.mu.Unlock()
}

// setBleveLimits sets bleve's process-wide search settings, once.
var setBleveLimits sync.Once

// Build indexes a catalogue, as generation 1. Close releases it.
func Build(ctx context.Context, c *catalog.Catalog, cfg Config) (*Index, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	// Process-wide bleve settings, set once before the first index exists: searches read them,
	// and a rebuild beside a serving index must not write them under them. No query may expand
	// to more clauses than maxClauses. Disjunctions are always scanned in clause order: bleve's
	// heap of clauses, taken over from eleven clauses on, sums a document's clause scores in an
	// order that depends on how documents were laid out in the index, and scores that differ in
	// their last bits reorder hits that tie.
	setBleveLimits.Do(func() {
		searcher.DisjunctionMaxClauseCount = maxClauses
		searcher.DisjunctionHeapTakeover = math.MaxInt
	})

	m, err := newMapping(cfg.Analysis)
	if err != nil {
		return nil, err
	}
	// Scorch, bleve's current index format, in memory (far faster than NewMemOnly's upsidedown
	// store) or in a new subfolder of the disk folder.
	path := ""
	if cfg.Disk != nil {
		path = cfg.Disk.newPath()
	}
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		if path != "" {
			_ = os.RemoveAll(path) // a full disk may have left a partial folder
		}
		return nil, fmt.Errorf("create index: %w", err)
	}
	st := &store{idx: idx, disk: cfg.Disk, path: path}
	built := false
	defer func() {
		if !built {
			st.retire() // a failed build leaves no folder behind
			st.close()
		}
	}()
	// Batches of a bounded size keep the memory of a large catalogue's build in check; bleve
	// analyses the documents of a batch on every core.
	batch := idx.NewBatch()
	for i, e := range c.Entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := batch.Index(e.Slug, document(e)); err != nil {
			return nil, fmt.Errorf("index entry %s: %w", e.Slug, err)
		}
		if batch.Size() == buildBatch || i == len(c.Entries)-1 {
			if err := idx.Batch(batch); err != nil {
				return nil, fmt.Errorf("index catalogue: %w", err)
			}
			batch.Reset()
		}
	}
	if cfg.Disk != nil {
		st.fingerprint = fingerprint(c, cfg)
		if err := writeMeta(path, diskMeta{Format: formatVersion, Fingerprint: st.fingerprint}); err != nil {
			return nil, fmt.Errorf("index folder: %w", err)
		}
	}
	ix, err := newGeneration(st, c, cfg, 1)
	if err != nil {
		return nil, err
	}
	if cfg.Disk != nil {
		// Named in service last: a build that fails before this leaves the previous one there.
		if err := cfg.Disk.setCurrent(filepath.Base(path)); err != nil {
			return nil, fmt.Errorf("index folder: %w", err)
		}
	}
	built = true
	return ix, nil
}

// newGeneration builds what a generation needs beside its bleve index, which must already hold
// the catalogue's entries. The generation owns the store from then on.
func newGeneration(st *store, c *catalog.Catalog, cfg Config, generation uint64) (*Index, error) {
	ix := &Index{
		store:      st,
		bleve:      st.idx,
		generation: generation,
		catalog:    c,
		cfg:        cfg,
		analyzer:   st.idx.Mapping().AnalyzerNamed(frenchAnalyzer),
		themes:     make(map[string]string),
		producers:  make(map[string]string),
	}
	var err error
	if ix.vocab, err = newVocabulary(c, ix.analyze); err != nil {
		return nil, err
	}
	if ix.terms, err = readTerms(st.idx); err != nil {
		return nil, err
	}
	ix.suggest = ix.newSuggester(c)
	ix.order = newBrowseOrder(c)
	ix.facets = newFacetTable(c)
	ix.ranks = newRankTable(c)
	th := cfg.Thesaurus
	if cfg.NoThesaurus {
		th = nil
	}
	syn := cfg.Synonyms.with(c.Synonyms)
	ix.rules = syn.compile(th, ix.analyze)
	ix.ignored = syn.ignored()
	ix.ignoredTerms = make(map[string]bool, len(ix.ignored))
	for w := range ix.ignored {
		if t := firstTerm(ix.analyze(w)); t != "" {
			ix.ignoredTerms[t] = true
		}
	}
	for _, t := range c.Themes() {
		ix.themes[catalog.ThemeKey(t.Value)] = t.Value
	}
	for _, e := range c.Entries {
		p := e.Producer
		ix.producers[catalog.Fold(p.Slug)] = p.Slug
		if p.Acronym != "" {
			if _, taken := ix.producers[catalog.Fold(p.Acronym)]; !taken {
				ix.producers[catalog.Fold(p.Acronym)] = p.Slug
			}
		}
	}
	// The first search would otherwise map bleve's documents to entries while people wait.
	if err := ix.mapDocuments(); err != nil {
		return nil, err
	}
	ix.refs.Store(1)
	return ix, nil
}

// Close releases the creator's reference; the index is closed once no search uses it.
func (ix *Index) Close() error {
	ix.release()
	return nil
}

// retain takes a reference, unless the index is already released by everyone.
func (ix *Index) retain() bool {
	for {
		n := ix.refs.Load()
		if n <= 0 {
			return false
		}
		if ix.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (ix *Index) release() {
	if ix.refs.Add(-1) == 0 {
		ix.store.close()
	}
}

// Catalog returns the catalogue this index was built from.
func (ix *Index) Catalog() *catalog.Catalog { return ix.catalog }

// Generation numbers the index: every batch of changes and every full reindex adds one.
func (ix *Index) Generation() uint64 { return ix.generation }

func newMapping(a Analysis) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addFrenchAnalyzer(m, a); err != nil {
		return nil, fmt.Errorf("french analyzer: %w", err)
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range textFields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = frenchAnalyzer
		fm.Store = false
		fm.IncludeTermVectors = true // positions for phrases, offsets for highlights
		fm.DocValues = false
		fm.IncludeInAll = false // no "_all" field: queries name their fields
		doc.AddFieldMappingsAt(f.name, fm)
	}
	for _, f := range []string{facetProducer, facetTheme, facetAccess, fieldTitleSort, sortPopular, sortRank} {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = frenchAnalyzer
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	return m, nil
}

// document is what bleve indexes of an entry.
func document(e *catalog.Entry) map[string]any {
	producer := []string{e.Producer.Name, e.Producer.Acronym}
	producer = append(producer, e.Producer.FormerNames...)
	keywords := strings.Join(e.Keywords, " ; ")
	producers := strings.Join(producer, " ; ")
	themes := strings.Join(e.Themes, " ; ")
	title, popular, rank := sortKeys(e)
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
		fieldTitleSort: title,
		sortPopular:    popular,
		sortRank:       rank,
	}
}

// sortKeys are an entry's keys for the sorts: its folded title; its visits, as a key that
// orders the most visited first; and its rank, visits then title then slug. Sorting on keys
// that order like the wanted order costs one short term per hit; a numeric field would cost
// its sixteen prefix-coded terms.
func sortKeys(e *catalog.Entry) (title, popular, rank string) {
	title = catalog.Fold(e.Title)
	// The bits of visits are inverted so that more visits sort first.
	popular = fmt.Sprintf("%016x", ^uint64(max(e.Visits, 0)))
	return title, popular, popular + " " + title[:min(len(title), rankTitleBytes)] + " " + e.Slug
}

// rankTitleBytes is how much of the folded title the rank key keeps: enough to order titles,
// short enough that reading the key of every hit stays cheap. The slug after it settles the
// rare ties, so that the order never depends on how documents were laid out in the index.
const rankTitleBytes = 40

// termList is the sorted list of terms of the text fields, with how many documents have each
// (summed over fields), and the terms so common that they tell documents apart no more than a
// stop word ("api" in a catalogue of APIs).
type termList struct {
	terms  []string
	df     []uint64
	fields []uint8 // the text fields that hold each term: bit i for textFields[i]
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
	fields := make(map[string]uint8)
	for i, f := range textFields {
		dict, err := r.FieldDict(f.name)
		if err != nil {
			return nil, fmt.Errorf("read terms of %s: %w", f.name, err)
		}
		for de, err := dict.Next(); de != nil && err == nil; de, err = dict.Next() {
			df[de.Term] += de.Count
			fields[de.Term] |= 1 << i
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
	tl.fields = make([]uint8, len(tl.terms))
	for i, t := range tl.terms {
		tl.df[i], tl.fields[i] = df[t], fields[t]
	}
	return tl, nil
}

// inField reports whether a term is indexed in the text field at index field of textFields.
func (tl *termList) inField(term string, field int) bool {
	i, ok := slices.BinarySearch(tl.terms, term)
	return ok && tl.fields[i]&(1<<field) != 0
}

// has reports whether a term is indexed in some text field.
func (tl *termList) has(term string) bool {
	_, ok := slices.BinarySearch(tl.terms, term)
	return ok
}

// withPrefix returns at most limit terms that start with prefix, the most frequent first (in
// term order when as frequent). One pass keeps the best limit: a short prefix has thousands of
// terms, which a sort would order in full for a handful.
func (tl *termList) withPrefix(prefix string, limit int) []string {
	if limit <= 0 {
		return nil
	}
	best := make([]int, 0, limit+1)
	for k := sort.SearchStrings(tl.terms, prefix); k < len(tl.terms) && strings.HasPrefix(tl.terms[k], prefix); k++ {
		if len(best) == limit && tl.df[k] <= tl.df[best[limit-1]] {
			continue
		}
		// After the last kept term at least as frequent: ties keep term order.
		at := sort.Search(len(best), func(i int) bool { return tl.df[best[i]] < tl.df[k] })
		best = slices.Insert(best, at, k)
		if len(best) > limit {
			best = best[:limit]
		}
	}
	out := make([]string, len(best))
	for i, k := range best {
		out[i] = tl.terms[k]
	}
	return out
}
