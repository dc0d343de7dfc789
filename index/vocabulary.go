package index

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"apisearch/catalog"

	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
	lru "github.com/hashicorp/golang-lru/v2"
)

// vocabulary holds the words of the catalogue, folded, with how often each occurs and their
// analysed term, in an FST that finds the words a few typos away from a misspelt one without
// scanning them all.
type vocabulary struct {
	count map[string]int
	term  map[string]string // folded word → its term; "" for a stop word
	// names maps a name written with punctuation inside ("Mir@bel", "Hub'Eau", "data.bnf.fr"),
	// folded and written without it, to its words as the index holds them: "mirabel" and
	// "mirbel" → "mir bel".
	names map[string]string
	fst   *vellum.FST
	lev   [3]*levenshtein.LevenshteinAutomatonBuilder // by edit distance; transpositions count as one
	// nearby remembers the near words of the words looked up last: people type the same
	// words again and again, and each lookup builds an automaton. Bounded: nearbyWords
	// entries, each a looked-up word (maxTypoLength letters at most) and fuzzyWords words.
	nearby *lru.Cache[nearKey, []nearWord]
}

// nearbyWords bounds the lookups the vocabulary remembers.
const nearbyWords = 4096

// nearKey is a lookup: a word, within k edits, limit results.
type nearKey struct {
	word     string
	k, limit int
}

func newVocabulary(c *catalog.Catalog, analyze func(string) []string) (*vocabulary, error) {
	nearby, err := lru.New[nearKey, []nearWord](nearbyWords)
	if err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	v := &vocabulary{count: make(map[string]int), term: make(map[string]string), names: make(map[string]string), nearby: nearby}
	for _, e := range c.Entries {
		for _, text := range []string{e.Title, e.Tagline, strings.Join(e.Keywords, " "), e.Producer.Name, e.Producer.Acronym, strings.Join(e.Themes, " "), e.Text} {
			v.addNames(text)
			eachWord(text, func(start, end int) {
				w := stripElision(catalog.Fold(text[start:end]))
				if _, ok := v.term[w]; !ok {
					v.term[w] = firstTerm(analyze(w))
				}
				if utf8.RuneCountInString(w) >= 3 {
					v.count[w]++
				}
			})
		}
	}
	words := make([]string, 0, len(v.count))
	for w := range v.count {
		words = append(words, w)
	}
	sort.Strings(words)
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	for _, w := range words {
		if err := b.Insert([]byte(w), uint64(v.count[w])); err != nil {
			return nil, fmt.Errorf("vocabulary: %w", err)
		}
	}
	if err := b.Close(); err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	if v.fst, err = vellum.Load(buf.Bytes()); err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	for k := 1; k <= 2; k++ {
		if v.lev[k], err = levenshtein.NewLevenshteinAutomatonBuilder(uint8(k), true); err != nil {
			return nil, fmt.Errorf("vocabulary: %w", err)
		}
	}
	return v, nil
}

// isNamePunctuation says whether r is a character that names hold inside them; "@" and "€"
// stand for letters ("Mir@bel", "Simul'Aid€s").
func isNamePunctuation(r rune) bool {
	switch r {
	case '-', '.', '\'', '’', '@', '€', '_', '/', '+', '&':
		return true
	}
	return false
}

// asLetters writes "@" and "€" as the letters they stand for in a name.
func asLetters(r rune) rune {
	switch r {
	case '@':
		return 'a'
	case '€':
		return 'e'
	}
	return r
}

// addNames records the names of text written with punctuation inside, under the spellings
// people type them with.
func (v *vocabulary) addNames(text string) {
	// Every word of every body passes here: the common case, no punctuation inside, is kept
	// cheap (no slice of words, no set built per word).
	for field := range strings.FieldsSeq(text) {
		field = strings.TrimFunc(field, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if !strings.ContainsFunc(field, isNamePunctuation) || strings.Contains(field, "://") || utf8.RuneCountInString(field) > maxSplitLength {
			continue
		}
		var words []string
		eachWord(field, func(start, end int) { words = append(words, catalog.Fold(field[start:end])) })
		if len(words) < 2 && !strings.ContainsAny(field, "'’") {
			continue
		}
		phrase := strings.Join(words, " ")
		folded := catalog.Fold(field)
		for _, spelling := range []string{folded, strings.Map(asLetters, folded)} {
			alias := strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					return r
				}
				return -1
			}, spelling)
			if alias != "" && alias != phrase {
				v.names[alias] = phrase
			}
		}
	}
}

// nearWord is a catalogue word found a few edits away from a query's word.
type nearWord struct {
	word string
	dist int
}

// near returns at most limit catalogue words within k edits of w (w itself excluded), the
// closest first, then the most frequent; remembered lookups are answered at once, so the slice
// may be shared: it is read only.
func (v *vocabulary) near(w string, k, limit int) []nearWord {
	if k < 1 || k > 2 {
		return nil
	}
	key := nearKey{w, k, limit}
	if found, ok := v.nearby.Get(key); ok {
		return found
	}
	out := v.lookUp(w, k, limit)
	v.nearby.Add(key, out)
	return out
}

// lookUp finds the catalogue words within k edits of w in the vocabulary's automaton.
func (v *vocabulary) lookUp(w string, k, limit int) []nearWord {
	dfa, err := v.lev[k].BuildDfa(w, uint8(k))
	if err != nil {
		return nil
	}
	type candidate struct {
		nearWord
		count uint64
	}
	var found []candidate
	it, err := v.fst.Search(dfa, nil, nil)
	for err == nil {
		key, count := it.Current()
		if word := string(key); word != w {
			_, dist := dfa.MatchAndDistance(word)
			found = append(found, candidate{nearWord{word, int(dist)}, count})
		}
		err = it.Next()
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.count != b.count {
			return a.count > b.count
		}
		return a.word < b.word
	})
	out := make([]nearWord, 0, min(limit, len(found)))
	for _, c := range found[:min(limit, len(found))] {
		out = append(out, c.nearWord)
	}
	return out
}

// minCorrected is the length from which an unknown word may be corrected.
const minCorrected = 4

// correct returns the query's words with every unknown word that was looked up replaced by the
// closest and most frequent catalogue word (within one edit, two from eight letters), its
// phrases kept; or "" when it has nothing to correct. It reuses parse's lookups: a correction
// costs no more vocabulary work than the search did.
func (ix *Index) correct(p parsed) string {
	changed := false
	words := make([]string, 0, len(p.words)+len(p.phrases))
	for _, ph := range p.phrases {
		words = append(words, `"`+ph+`"`)
	}
	for _, w := range p.words {
		if ix.vocab.count[w.raw] == 0 && len(w.near) > 0 {
			words = append(words, w.near[0].word)
			changed = true
			continue
		}
		words = append(words, w.raw)
	}
	if !changed {
		return ""
	}
	return strings.Join(words, " ")
}

func firstTerm(terms []string) string {
	if len(terms) == 0 {
		return ""
	}
	return terms[0]
}

// eachWord calls fn with the byte offsets of every word of text: runs of letters and digits,
// with apostrophes inside them, as the index's tokenizer cuts them.
func eachWord(text string, fn func(start, end int)) {
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '\'' || r == '’') && start >= 0
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			fn(start, trimApostrophe(text, start, i))
			start = -1
		}
	}
	if start >= 0 {
		fn(start, trimApostrophe(text, start, len(text)))
	}
}

// trimApostrophe moves end before apostrophes that close a word ("l'" alone is no word).
func trimApostrophe(text string, start, end int) int {
	for end > start {
		switch {
		case strings.HasSuffix(text[start:end], "'"):
			end--
		case strings.HasSuffix(text[start:end], "’"):
			end -= len("’")
		default:
			return end
		}
	}
	return end
}

// Bounds on joining and splitting words: a word is split in at most maxSplitParts catalogue
// words, each at least minSplitPart letters, and only words up to maxSplitLength letters are
// tried (each try looks up every cut of the word).
const (
	maxSplitParts  = 3
	minSplitPart   = 2
	maxSplitLength = 30
)

// split cuts a word that the catalogue does not hold into catalogue words ("databnf" → "data
// bnf", "labonnealternance" → "la bonne alternance"), or a name written with signs inside
// ("mirabel" → "mir bel"): the cut into the fewest parts, then with the longest first part;
// "" when there is none.
func (v *vocabulary) split(w string) string {
	if name, ok := v.names[w]; ok {
		// A name's words, even where the catalogue also writes them as one.
		return name
	}
	if n := utf8.RuneCountInString(w); n < 2*minSplitPart || n > maxSplitLength || v.count[w] > 0 {
		return ""
	}
	for parts := 2; parts <= maxSplitParts; parts++ {
		if cut := v.cut(w, parts); cut != nil {
			return strings.Join(cut, " ")
		}
	}
	return ""
}

// cut returns w as exactly parts catalogue words, the longest first part first; nil when it
// cannot be cut so.
func (v *vocabulary) cut(w string, parts int) []string {
	if parts == 1 {
		if _, ok := v.term[w]; ok && len(w) >= minSplitPart {
			return []string{w}
		}
		return nil
	}
	for i := len(w) - minSplitPart; i >= minSplitPart; i-- {
		if !utf8.RuneStart(w[i]) {
			continue
		}
		if _, ok := v.term[w[:i]]; !ok {
			continue
		}
		if rest := v.cut(w[i:], parts-1); rest != nil {
			return append([]string{w[:i]}, rest...)
		}
	}
	return nil
}

// join returns the catalogue word that words make written together ("open fisca" →
// "openfisca"), or "".
func (v *vocabulary) join(words []word) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(w.raw)
	}
	j := b.String()
	if name, ok := v.names[j]; ok {
		return name
	}
	if v.count[j] > 0 {
		return j
	}
	return ""
}
