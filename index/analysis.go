package index

import (
	"sync"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // the "custom" analyzer type
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of the analysis components this package adds to bleve.
const (
	foldFilterName = "apisearch_fold"
	tokenizerName  = "apisearch_words"
	frenchAnalyzer = "apisearch_fr"
)

// Analysis says which parts of the French analysis chain are on. The zero value turns them all
// on; the relevance suite turns them off one at a time to measure what each brings.
type Analysis struct {
	NoElision   bool // keep "l'annuaire" as one word
	NoStopWords bool // index "le", "de", "les"…
	NoFolding   bool // keep accents: "geographie" does not find "géographie"
	NoStemming  bool // "entreprises" does not find "entreprise"
	// Stemmer names bleve's French stemmer used; "" is the light stemmer.
	Stemmer string
}

// filters returns the token filters of the chain, in the order that keeps accented stop words
// and stems right: stop words are removed while they still have their accents ("à", "été"),
// then accents are folded so that queries typed without them match, then words are stemmed.
func (a Analysis) filters() []string {
	out := []string{lowercase.Name}
	if !a.NoElision {
		out = append(out, fr.ElisionName)
	}
	if !a.NoStopWords {
		out = append(out, fr.StopName)
	}
	if !a.NoFolding {
		out = append(out, foldFilterName)
	}
	if !a.NoStemming {
		stemmer := fr.LightStemmerName
		if a.Stemmer != "" {
			stemmer = a.Stemmer
		}
		out = append(out, stemmer)
	}
	return out
}

// registerOnce adds the folding filter to bleve's registry, which is global: once per process.
var registerOnce sync.Once

func registerAnalysis() {
	registerOnce.Do(func() {
		err := registry.RegisterTokenFilter(foldFilterName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			return foldFilter{}, nil
		})
		if err != nil {
			panic(err)
		}
		err = registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
			return wordTokenizer{}, nil
		})
		if err != nil {
			panic(err)
		}
	})
}

// wordTokenizer cuts text into words as eachWord does: the index, the vocabulary and queries
// see the same words. Dots, hyphens and other signs inside names separate words
// ("data.gouv.fr", "Transparence-Santé", "Mir@bel"); apostrophes inside words do not, for the
// elision filter to read "l'adresse".
type wordTokenizer struct{}

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	text := string(input)
	eachWord(text, func(start, end int) {
		out = append(out, &analysis.Token{Start: start, End: end, Term: input[start:end:end], Position: len(out) + 1, Type: analysis.AlphaNumeric})
	})
	return out
}

// foldFilter removes accents and ligatures, leaving byte offsets untouched for highlighting.
type foldFilter struct{}

func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if !isASCII(t.Term) {
			t.Term = []byte(catalog.Fold(string(t.Term)))
		}
	}
	return input
}

// addFrenchAnalyzer declares the French analyzer in an index mapping.
func addFrenchAnalyzer(m *mapping.IndexMappingImpl, a Analysis) error {
	registerAnalysis()
	return m.AddCustomAnalyzer(frenchAnalyzer, map[string]any{
		"type":          "custom",
		"tokenizer":     tokenizerName,
		"token_filters": a.filters(),
	})
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
