package index

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2/search/query"
)

// Bounds on what one query may expand to: the work of the most expensive query a client can
// send stays within a few milliseconds (see BenchmarkHostile).
const (
	maxWords      = 16 // words of a query looked at; the rest are ignored
	maxLookups    = 4  // words of a query looked up in the vocabulary for typos and corrections
	maxTypoLength = 20 // letters from which a word is matched as typed only: a typo search on a long word costs much and finds little
	prefixTerms   = 24 // indexed terms a typed prefix expands to, the most frequent first
	fuzzyBoost    = 0.4
	fuzzyWords    = 5 // catalogue words a misspelt word may stand for, the closest first
	knownWord     = 3 // occurrences in the catalogue from which a word is taken as spelt right
	prefixBoost   = 0.5
	synonymsBoost = 0.8
	// titlePhraseBoost and titleExactBoost reward a title holding the query, or being it.
	titlePhraseBoost = 8
	titleExactBoost  = 8
	// titleAllBoost rewards a title holding every word, the last one maybe as a prefix.
	titleAllBoost = 12
	// exactBoost outweighs any typo match: documents holding every word as typed come first.
	exactBoost = 100
)

// word is one word of a query as typed and as analysed.
type word struct {
	raw   string     // lower case, without accents or elision: what a prefix is matched with
	term  string     // the analysed term; empty for a stop word
	near  []nearWord // catalogue words a few edits away, closest first: for typos and corrections
	typos []string   // the terms of catalogue words within the word's typo tolerance
}

// parsed is a query split into its quoted phrases and its other words.
type parsed struct {
	phrases []string
	text    string // the query without its phrases
	words   []word
	prefix  bool // the last word may be unfinished: the text does not end with a space
	lookups int  // vocabulary lookups made
}

// parse splits a query. A double quote opens a phrase and the next one closes it; an unclosed
// quote is ignored. Every other character is text: bleve's query syntax is never interpreted.
// At most maxLookups unknown words are looked up in the vocabulary, for typos and corrections.
func (ix *Index) parse(q string) parsed {
	return ix.parseWith(q, true)
}

// parseWith is parse, with vocabulary lookups or without (a query made of catalogue words).
func (ix *Index) parseWith(q string, lookup bool) parsed {
	var p parsed
	var rest strings.Builder
	orig := q
	for {
		i := strings.IndexByte(q, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(q[i+1:], '"')
		if j < 0 {
			q = q[:i] + " " + q[i+1:]
			break
		}
		rest.WriteString(q[:i])
		rest.WriteByte(' ')
		if phrase := strings.TrimSpace(q[i+1 : i+1+j]); phrase != "" {
			p.phrases = append(p.phrases, phrase)
		}
		q = q[i+2+j:]
	}
	rest.WriteString(q)
	text := rest.String()
	p.text = text
	// The last word may be unfinished when the text ends with it, not with a space or a quote.
	last, _ := utf8.DecodeLastRuneInString(orig)
	p.prefix = unicode.IsLetter(last) || unicode.IsDigit(last)
	words := splitWords(text)
	if len(words) > maxWords {
		words = words[:maxWords]
	}
	for i, w := range words {
		terms := ix.analyze(w)
		wd := word{raw: stripElision(catalog.Fold(w))}
		if len(words) >= 3 && ix.ignored[wd.raw] && !ix.cfg.NoSynonyms {
			terms = nil
		}
		if n := utf8.RuneCountInString(wd.raw); lookup && p.lookups < maxLookups && n >= minCorrected && n <= maxTypoLength &&
			ix.vocab.count[wd.raw] < knownWord {
			wd.near = ix.vocab.near(wd.raw, max(1, typos(wd.raw)), fuzzyWords)
			p.lookups++
		}
		if len(terms) > 0 {
			wd.term = terms[0]
			if k := typos(wd.raw); k > 0 && !ix.cfg.NoFuzzy {
				wd.typos = ix.typoTerms(wd, k, p.prefix && i == len(words)-1)
			}
		}
		p.words = append(p.words, wd)
	}
	return p
}

// splitWords cuts text into words: runs of letters and digits, with apostrophes inside them.
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	})
}

// stripElision removes a French elided article ("l'", "d'", "qu'"…) from a folded word.
func stripElision(w string) string {
	w = strings.Trim(w, "'")
	if i := strings.IndexByte(w, '\''); i >= 0 && i <= 6 {
		switch w[:i] {
		case "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu":
			return w[i+1:]
		}
	}
	return w
}

// analyze returns the terms the index's analyzer makes of a text.
func (ix *Index) analyze(text string) []string {
	tokens := ix.analyzer.Analyze([]byte(text))
	out := make([]string, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, string(t.Term))
	}
	return out
}

// textClauses are the clauses of a text query: every must clause selects, should clauses only
// rank.
type textClauses struct {
	must, should []query.Query
}

// textQuery builds the clauses of a parsed query; must is empty when it has nothing to match.
// Every word is matched exactly, with typos (growing with its length) and, for the last one,
// as a prefix; synonyms add alternatives; most words must match.
func (ix *Index) textQuery(p parsed) textClauses {
	var t textClauses
	for _, ph := range p.phrases {
		t.must = append(t.must, ix.phraseQuery(ph))
	}
	// Words as common as "api" rank results but do not select them, unless there is no other.
	slots, common := ix.slots(p)
	if len(slots) == 0 {
		slots, common = common, nil
	}
	if len(slots) > 0 {
		d := query.NewDisjunctionQuery(slots)
		d.SetMin(float64(minMatch(len(slots))))
		t.must = append(t.must, d)
	}
	t.should = append(t.should, common...)
	if len(t.must) == 0 {
		return textClauses{}
	}
	// A title that is the query, or holds it as a phrase, is what was asked for.
	if text := strings.TrimSpace(p.text); text != "" && len(ix.analyze(text)) > 0 {
		ph := query.NewMatchPhraseQuery(text)
		ph.SetField(fieldTitle)
		ph.Analyzer = frenchAnalyzer
		ph.SetBoost(titlePhraseBoost)
		exact := query.NewTermQuery(catalog.Fold(text))
		exact.SetField(fieldTitleSort)
		exact.SetBoost(titleExactBoost)
		t.should = append(t.should, ph, exact)
	}
	if all := ix.titleAll(p); all != nil {
		t.should = append(t.should, all)
	}
	if exact := ix.exactAll(p); exact != nil && !ix.cfg.NoFuzzy {
		t.should = append(t.should, exact)
	}
	return t
}

// titleAll matches titles that hold every word of the query, the last one maybe as a prefix.
func (ix *Index) titleAll(p parsed) query.Query {
	var conj []query.Query
	for i, w := range p.words {
		var alts []query.Query
		if w.term != "" {
			for _, term := range append([]string{w.term}, w.typos...) {
				t := query.NewTermQuery(term)
				t.SetField(fieldTitle)
				t.SetBoost(titleAllBoost)
				alts = append(alts, t)
			}
		}
		if i == len(p.words)-1 && p.prefix && !ix.cfg.NoPrefix {
			for _, pre := range []string{w.raw, w.term} {
				for _, term := range ix.terms.withPrefix(pre, prefixTerms) {
					t := query.NewTermQuery(term)
					t.SetField(fieldTitle)
					t.SetBoost(titleAllBoost)
					alts = append(alts, t)
				}
			}
		}
		if len(alts) > 0 {
			conj = append(conj, query.NewDisjunctionQuery(alts))
		}
	}
	if len(conj) == 0 {
		return nil
	}
	return query.NewConjunctionQuery(conj)
}

// exactAll matches documents by the selective, finished words they hold exactly, in any field:
// with a large boost, it ranks exact matches above typo matches.
func (ix *Index) exactAll(p parsed) query.Query {
	var conj []query.Query
	for i, w := range p.words {
		last := i == len(p.words)-1 && p.prefix && !ix.cfg.NoPrefix
		if w.term == "" || ix.terms.common[w.term] || last {
			// A word still being typed is matched by completions, not typos: it does not
			// tell exact matches apart.
			continue
		}
		exact := w
		exact.typos = nil
		conj = append(conj, ix.wordQuery(exact, false, exactBoost))
	}
	if len(conj) == 0 {
		return nil
	}
	// bleve ignores the boost of a disjunction: it is set on each term.
	return query.NewDisjunctionQuery(conj)
}

// minMatch is how many of n words a result must match: all of one or two words, two of three,
// half of a longer one, so that a sentence finds what it means even when some of its words are
// not in the catalogue. Results that match more words still come first.
func minMatch(n int) int {
	switch {
	case n <= 2:
		return n
	case n == 3:
		return 2
	}
	return (n + 1) / 2
}

// slots returns one query per word of p, or per run of words that a synonym rule rewrites;
// those of common words apart.
func (ix *Index) slots(p parsed) (slots, common []query.Query) {
	rules := ix.rules
	for i := 0; i < len(p.words); i++ {
		w := p.words[i]
		last := i == len(p.words)-1 && p.prefix && !ix.cfg.NoPrefix
		if w.term == "" {
			if last && len(w.raw) >= 2 && !ix.ignored[w.raw] {
				// A stop word being typed may be the start of another word ("le" → "légifrance"):
				// it ranks, and selects only when it is alone.
				if q := ix.prefixQuery(w.raw, "", 1); q != nil {
					common = append(common, q)
				}
			}
			continue
		}
		alternatives := []query.Query{ix.wordQuery(w, last, 1)}
		span := 1
		if !ix.cfg.NoSynonyms {
			for _, r := range rules[w.term] {
				n := matchRule(r.from, p.words[i:])
				if n == 0 {
					continue
				}
				if n > span {
					// The rule covers several words: they match together or not at all.
					var conj []query.Query
					for _, x := range p.words[i : i+n] {
						if x.term != "" {
							conj = append(conj, ix.wordQuery(x, false, 1))
						}
					}
					alternatives = []query.Query{query.NewConjunctionQuery(conj)}
					span = n
				}
				for _, to := range r.to {
					alternatives = append(alternatives, ix.textInFields(to, synonymsBoost))
				}
			}
		}
		if span == 1 && !last && ix.terms.common[w.term] {
			common = append(common, disjunction(alternatives))
		} else {
			slots = append(slots, disjunction(alternatives))
		}
		i += span - 1
	}
	return slots, common
}

// matchRule returns how many words (stop words included) the rule's terms cover at the start
// of words, or 0 when they do not all match in order.
func matchRule(from []string, words []word) int {
	k := 0
	for n, w := range words {
		if w.term == "" {
			continue
		}
		if w.term != from[k] {
			return 0
		}
		k++
		if k == len(from) {
			return n + 1
		}
	}
	return 0
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// wordQuery matches one word in every text field: exactly, through the catalogue words it is a
// typo of, and as a prefix of a title, keyword or producer word when it is the last word being
// typed.
func (ix *Index) wordQuery(w word, prefix bool, boost float64) query.Query {
	var qs []query.Query
	for _, f := range textFields {
		t := query.NewTermQuery(w.term)
		t.SetField(f.name)
		t.SetBoost(f.boost * boost)
		qs = append(qs, t)
		for _, typo := range w.typos {
			t := query.NewTermQuery(typo)
			t.SetField(f.name)
			t.SetBoost(f.boost * fuzzyBoost * boost)
			qs = append(qs, t)
		}
	}
	if prefix {
		if q := ix.prefixQuery(w.raw, w.term, boost); q != nil {
			qs = append(qs, q)
		}
	}
	return query.NewDisjunctionQuery(qs)
}

// typos is how many edits a word tolerates: none under five letters, one from five, two from
// eight.
func typos(raw string) int {
	switch n := utf8.RuneCountInString(raw); {
	case n >= 8:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// typoTerms returns the terms of the catalogue words that w may be a misspelling of: whole
// words within k edits (a transposition is one), not their stems, since a typo can change a
// stem beyond recognition ("georsiques" → "geors", "georisques" → "georisqu").
// A word still being typed only stands for words at least as long: "entrep" is the start of
// "entreprise", not a typo of "entre".
func (ix *Index) typoTerms(w word, k int, typing bool) []string {
	var out []string
	for _, near := range w.near {
		if near.dist > k || typing && len(near.word) < len(w.raw) {
			continue
		}
		for _, t := range ix.analyze(near.word) {
			if t != w.term && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// prefixQuery matches the indexed terms that start with the word as typed or with its stem,
// at most prefixTerms of them, the most frequent first: never an expansion over the whole
// dictionary.
func (ix *Index) prefixQuery(raw, term string, boost float64) query.Query {
	seen := make(map[string]bool)
	var terms []string
	for _, p := range []string{raw, term} {
		if p == "" {
			continue
		}
		for _, t := range ix.terms.withPrefix(p, prefixTerms) {
			if !seen[t] && t != term {
				seen[t] = true
				terms = append(terms, t)
			}
		}
	}
	if len(terms) == 0 {
		return nil
	}
	var qs []query.Query
	for _, f := range textFields {
		if f.name != fieldTitle && f.name != fieldKeywords && f.name != fieldProducer {
			// People type toward a name or a keyword; a prefix found elsewhere is mostly noise.
			continue
		}
		for _, t := range terms {
			tq := query.NewTermQuery(t)
			tq.SetField(f.name)
			tq.SetBoost(f.boost * prefixBoost * boost)
			qs = append(qs, tq)
		}
	}
	return query.NewDisjunctionQuery(qs)
}

// textInFields matches a word or a phrase, analysed as the fields are, in any text field.
func (ix *Index) textInFields(text string, boost float64) query.Query {
	var qs []query.Query
	for _, f := range textFields {
		ph := query.NewMatchPhraseQuery(text)
		ph.SetField(f.name)
		ph.Analyzer = frenchAnalyzer
		ph.SetBoost(f.boost * boost)
		qs = append(qs, ph)
	}
	return query.NewDisjunctionQuery(qs)
}

// phraseQuery matches a quoted phrase in any text field.
func (ix *Index) phraseQuery(phrase string) query.Query {
	if len(ix.analyze(phrase)) == 0 {
		return query.NewMatchNoneQuery()
	}
	return ix.textInFields(phrase, 1)
}

// Work units: what a search costs, in ordinary searches, for the rate limit to charge. An
// ordinary search builds a hundred or two clauses and looks nothing up; a vocabulary lookup
// costs about as much as one.
const clausesPerWork = 250

// work estimates what searching a query costs, in ordinary searches: one, plus its vocabulary
// lookups, plus its clauses beyond an ordinary search's.
func work(p parsed, q query.Query) int {
	return 1 + p.lookups + countClauses(q)/clausesPerWork
}

// countClauses counts the leaf clauses of a query: the term searchers bleve will open.
func countClauses(q query.Query) int {
	switch q := q.(type) {
	case *query.BooleanQuery:
		return countClauses(q.Must) + countClauses(q.Should) + countClauses(q.MustNot)
	case *query.ConjunctionQuery:
		n := 0
		for _, c := range q.Conjuncts {
			n += countClauses(c)
		}
		return n
	case *query.DisjunctionQuery:
		n := 0
		for _, c := range q.Disjuncts {
			n += countClauses(c)
		}
		return n
	case *query.MatchPhraseQuery:
		return len(strings.Fields(q.MatchPhrase))
	case nil:
		return 0
	}
	return 1
}

// String prints what a query became, for tests and explanations: its phrases, then each word
// with its analysed term ("-" for a word left out) and its typo alternatives, "…" marking the
// word being typed.
func (p parsed) String() string {
	var b strings.Builder
	for _, ph := range p.phrases {
		fmt.Fprintf(&b, "%q ", ph)
	}
	for i, w := range p.words {
		term := w.term
		if term == "" {
			term = "-"
		}
		fmt.Fprintf(&b, "%s→%s", w.raw, term)
		if len(w.typos) > 0 {
			fmt.Fprintf(&b, "~%s", strings.Join(w.typos, "|"))
		}
		if i == len(p.words)-1 && p.prefix {
			b.WriteString("…")
		}
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}
