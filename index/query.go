package index

import (
	"fmt"
	"slices"
	"strings"
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
	maxWordLength = 40 // letters from which a word is no word: left out of the query, listed as unknown
	// maxPhrases and maxExclusions bound the quoted phrases and the exclusions of a query
	// looked at, once repeats are dropped: each is searched in every field.
	maxPhrases    = 4
	maxExclusions = 4
	prefixTerms   = 24 // indexed terms a typed prefix expands to, the most frequent first
	fuzzyBoost    = 0.4
	// knownTypoShare scales typo matches down when the word typed is a catalogue word.
	knownTypoShare = 0.1
	derivedBoost   = 0.6 // a word of the same family: close in meaning, not the word typed
	fuzzyWords     = 5   // catalogue words a misspelt word may stand for, the closest first
	knownWord      = 3   // occurrences in the catalogue from which a word is taken as spelt right
	prefixBoost    = 0.5
	synonymsBoost  = 0.8
	// thesaurusBoost weighs a match through the thesaurus: related, not the same word.
	thesaurusBoost = 0.5
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
	raw    string     // lower case, without accents or elision: what a prefix is matched with
	term   string     // the analysed term; empty for a stop word
	near   []nearWord // catalogue words a few edits away, closest first: for typos and corrections
	typos  []string   // the terms of catalogue words within the word's typo tolerance
	split  string     // the catalogue words the word is made of, when it is not one: "data bnf"
	joined bool       // written together with the next or previous words, it is a catalogue word
	joins  []join     // catalogue words that this word and the next ones make written together
	// derived are the terms of catalogue words of the same family: "localisation" for
	// "localiser".
	derived []string
}

// parsed is a query's tree with its words analysed and looked up in the vocabulary.
type parsed struct {
	tree    Tree
	phrases []string
	text    string // the query without its phrases
	words   []word
	prefix  bool     // the last word may be unfinished: the text does not end with a space
	lookups int      // vocabulary lookups made
	relaxed bool     // one matching word is enough: the query found nothing with more
	tooLong []string // words left out for their length, cut for reports
}

// parse splits a query. A double quote opens a phrase and the next one closes it; an unclosed
// quote is ignored. Every other character is text: bleve's query syntax is never interpreted.
// At most maxLookups unknown words are looked up in the vocabulary, for typos and corrections.
func (ix *Index) parse(q string) parsed {
	return ix.parseWith(q, true)
}

// parseWith is parse, with vocabulary lookups or without (a query made of catalogue words).
func (ix *Index) parseWith(q string, lookup bool) parsed {
	t := ParseQuery(catalog.Normalize(q))
	t.Phrases, t.Excluded = distinct(t.Phrases, maxPhrases), distinct(t.Excluded, maxExclusions)
	p := parsed{tree: t, phrases: t.Phrases, text: t.Text, prefix: t.Typing}
	words := splitWords(t.Text)
	if len(words) > maxWords {
		words = words[:maxWords]
	}
	for i, w := range words {
		if utf8.RuneCountInString(w) > maxWordLength {
			// No word of the catalogue is this long; analysing and stemming it would cost
			// much for nothing.
			p.tooLong = append(p.tooLong, truncateWord(w))
			continue
		}
		terms := ix.analyze(w)
		wd := word{raw: stripElision(catalog.Fold(w))}
		if len(words) >= 3 && (ix.ignored[wd.raw] || len(terms) > 0 && ix.ignoredTerms[terms[0]]) && !ix.cfg.NoSynonyms {
			terms = nil
		}
		if lookup && p.lookups < maxLookups && ix.looksUp(wd.raw) {
			k := max(1, typos(wd.raw))
			if ix.vocab.count[wd.raw] > 0 {
				// A catalogue word, if rare: it may still be a typo of another, by one letter
				// (an automaton of two edits costs several times as much to build).
				k = 1
			}
			wd.near = ix.vocab.near(wd.raw, k, fuzzyWords)
			p.lookups++
		}
		if lookup && !ix.cfg.NoSynonyms {
			wd.split = ix.vocab.split(wd.raw)
		}
		if len(terms) > 0 {
			wd.term = terms[0]
			if !ix.cfg.NoDerivation {
				for _, d := range ix.vocab.derive(wd.raw) {
					if t := firstTerm(ix.analyze(d)); t != "" && t != wd.term && !slices.Contains(wd.derived, t) {
						wd.derived = append(wd.derived, t)
					}
				}
			}
			// A word the synonyms or the thesaurus know is no typo: its alternatives say what
			// it means.
			known := len(ix.rules[wd.term]) > 0 && !ix.cfg.NoSynonyms
			if k := typos(wd.raw); k > 0 && !ix.cfg.NoFuzzy && !known {
				wd.typos = ix.typoTerms(wd, k, p.prefix && i == len(words)-1)
			}
		}
		p.words = append(p.words, wd)
	}
	if !ix.cfg.NoSynonyms {
		ix.findJoins(p.words)
	}
	return p
}

// distinct returns the first n of texts that differ once folded (case, accents, spaces): a
// phrase or an exclusion given twice says nothing more.
func distinct(texts []string, n int) []string {
	out := make([]string, 0, min(n, len(texts)))
	var keys []string
	for _, t := range texts {
		if len(out) == n {
			break
		}
		if key := strings.Join(strings.Fields(catalog.Fold(t)), " "); !slices.Contains(keys, key) {
			keys = append(keys, key)
			out = append(out, t)
		}
	}
	return out
}

// splitWords cuts text into words as the index does (see eachWord).
func splitWords(text string) []string {
	var out []string
	eachWord(text, func(start, end int) { out = append(out, text[start:end]) })
	return out
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
	must, should, mustNot []query.Query
	relaxable             bool // more than one word is required: fewer may find something
}

// textQuery builds the clauses of a parsed query; must is empty when it has nothing to match.
// Every word is matched exactly, with typos (growing with its length) and, for the last one,
// as a prefix; synonyms add alternatives; most words must match.
func (ix *Index) textQuery(p parsed) textClauses {
	var t textClauses
	for _, ph := range p.phrases {
		if len(ix.analyze(ph)) > 0 {
			// A phrase of stop words only ("de la") says nothing to look for.
			t.must = append(t.must, ix.textInFields(ph, 1))
		}
	}
	// Words as common as "api" rank results but do not select them, unless there is no other.
	slots, common := ix.slots(p)
	if len(slots) == 0 {
		slots, common = common, nil
	}
	if len(slots) > 0 {
		d := query.NewDisjunctionQuery(slots)
		n := minMatch(len(slots))
		t.relaxable = n > 1
		if p.relaxed {
			n = 1
		}
		d.SetMin(float64(n))
		t.must = append(t.must, d)
	}
	t.should = append(t.should, common...)
	for _, x := range p.tree.Excluded {
		if len(ix.analyze(x)) > 0 {
			t.mustNot = append(t.mustNot, ix.textInFields(x, 1))
		}
	}
	if len(t.must) == 0 {
		if len(t.mustNot) > 0 {
			// An exclusion alone browses everything but what it excludes.
			return textClauses{must: []query.Query{query.NewMatchAllQuery()}, mustNot: t.mustNot}
		}
		return textClauses{}
	}
	// A title that is the query, or holds it as a phrase, is what was asked for.
	if text := strings.TrimSpace(p.text); text != "" && len(ix.analyze(text)) > 0 {
		ph := ix.phraseIn(text, ix.analyze(text), titleField, titlePhraseBoost)
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
			for k, term := range append([]string{w.term}, w.typos...) {
				boost := float64(titleAllBoost)
				if k > 0 {
					// A title holding a word the query's is a typo of is a weaker sign.
					boost *= ix.typoBoost(w)
				}
				alts = append(alts, ix.termIn(term, titleField, boost))
			}
		}
		if i == len(p.words)-1 && p.prefix && !ix.cfg.NoPrefix {
			for _, pre := range []string{w.raw, w.term} {
				for _, term := range ix.terms.withPrefix(pre, prefixTerms) {
					alts = append(alts, ix.termIn(term, titleField, titleAllBoost))
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
	joins := ix.joinQueries(p, exactBoost)
	for i, w := range p.words {
		last := i == len(p.words)-1 && p.prefix && !ix.cfg.NoPrefix
		if w.term == "" || ix.terms.common[w.term] || last {
			// A word still being typed is matched by completions, not typos: it does not
			// tell exact matches apart.
			continue
		}
		exact := w
		exact.typos, exact.derived = nil, nil
		// The catalogue's own spelling of words typed joined or split is exact too.
		alts := append([]query.Query{ix.wordQuery(exact, false, exactBoost)}, joins[i]...)
		if w.split != "" {
			alts = append(alts, ix.textInFields(w.split, exactBoost))
		}
		conj = append(conj, disjunction(alts))
	}
	if len(conj) == 0 {
		return nil
	}
	// bleve ignores the boost of a disjunction: it is set on each term.
	return query.NewDisjunctionQuery(conj)
}

// minMatch is how many of n words a result must match: all of one or two words, two of three,
// half of a longer one, so that a sentence finds what it means even when some of its words are
// not in the catalogue. Results that match more words still come first. A query that finds
// nothing so is searched again with one word enough (see Search).
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
	// Words typed apart that the catalogue writes as one ("open fisca"), and synonyms of a run
	// of words ("carte grise" → "certificat d'immatriculation"): each is an alternative of
	// every word it covers, so that an entry holding it matches them all, and an entry holding
	// most of the words still matches most of them.
	extras := ix.joinQueries(p, 1)
	if !ix.cfg.NoSynonyms {
		for i, w := range p.words {
			for _, r := range ix.rules[w.term] {
				n := matchRule(r.from, p.words[i:])
				for k := i; n > 0 && k < i+n; k++ {
					for _, to := range r.to {
						extras[k] = append(extras[k], ix.textInFields(to, r.boost))
					}
				}
			}
		}
	}
	for i, w := range p.words {
		last := i == len(p.words)-1 && p.prefix && !ix.cfg.NoPrefix
		if w.term == "" {
			if last && !ix.ignored[w.raw] {
				// A stop word being typed, even a lone letter the elision rules would drop
				// ("l", "d", "s"), may be the start of another word ("le" → "légifrance"): it
				// ranks, and selects only when it is alone.
				if q := ix.prefixQuery(w.raw, "", 1); q != nil {
					common = append(common, q)
				}
			}
			continue
		}
		if len(extras[i]) == 0 && ix.matchesNothing(w, last) {
			// A word nothing matches would only raise how many words a result must hold.
			continue
		}
		alternatives := []query.Query{ix.wordQuery(w, last, 1)}
		if w.split != "" {
			alternatives = append(alternatives, ix.textInFields(w.split, 1))
		}
		alternatives = append(alternatives, extras[i]...)
		if !last && len(extras[i]) == 0 && ix.terms.common[w.term] {
			common = append(common, disjunction(alternatives))
		} else {
			slots = append(slots, disjunction(alternatives))
		}
	}
	return slots, common
}

// joinQueries returns, for each word of p, the queries of the catalogue words it makes written
// together with its neighbours: an entry holding one matches every word it joins.
func (ix *Index) joinQueries(p parsed, boost float64) [][]query.Query {
	joins := make([][]query.Query, len(p.words))
	for i := range p.words {
		for _, joined := range p.words[i].joins {
			q := ix.textInFields(joined.text, boost)
			for k := i; k < i+joined.words; k++ {
				joins[k] = append(joins[k], q)
			}
		}
	}
	return joins
}

// join is a catalogue word (or a name's words) that query words make written together.
type join struct {
	text  string
	words int // how many query words it takes, from the one that holds it
}

// findJoins marks the words that, written together with the next one or two, make a
// catalogue word: "open fisca" → "openfisca".
func (ix *Index) findJoins(words []word) {
	for i := range words {
		for n := min(3, len(words)-i); n >= 2; n-- {
			if j := ix.vocab.join(words[i : i+n]); j != "" {
				words[i].joins = append(words[i].joins, join{j, n})
				for k := i; k < i+n; k++ {
					words[k].joined = true
				}
			}
		}
	}
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

// titleField is the title's place in textFields.
const titleField = 0

// termIn matches a term in the text field at index field of textFields. A term the field does
// not hold matches nothing there: bleve would open a reader of its postings in vain. It stays
// a clause, so that a disjunction's coordination (matched clauses over all) is unchanged; only
// the query's normalisation changes, by one factor for every score, which keeps the order.
func (ix *Index) termIn(term string, field int, boost float64) query.Query {
	if !ix.terms.inField(term, field) {
		return query.NewMatchNoneQuery()
	}
	t := query.NewTermQuery(term)
	t.SetField(textFields[field].name)
	t.SetBoost(boost)
	return t
}

// wordQuery matches one word in every text field: exactly, through the catalogue words it is a
// typo of, and as a prefix of a title, keyword or producer word when it is the last word being
// typed.
func (ix *Index) wordQuery(w word, prefix bool, boost float64) query.Query {
	var qs []query.Query
	typoBoost := ix.typoBoost(w)
	for i, f := range textFields {
		qs = append(qs, ix.termIn(w.term, i, f.boost*boost))
		for _, typo := range w.typos {
			qs = append(qs, ix.termIn(typo, i, f.boost*typoBoost*boost))
		}
		for _, d := range w.derived {
			qs = append(qs, ix.termIn(d, i, f.boost*derivedBoost*boost))
		}
	}
	if prefix {
		if q := ix.prefixQuery(w.raw, w.term, boost); q != nil {
			qs = append(qs, q)
		}
	}
	return query.NewDisjunctionQuery(qs)
}

// typoBoost weighs a match through a typo of w: less when the catalogue holds w, in some
// inflection, as it is then most likely what was meant.
func (ix *Index) typoBoost(w word) float64 {
	if ix.terms.has(w.term) {
		return fuzzyBoost * knownTypoShare
	}
	return fuzzyBoost
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
	for i, f := range textFields {
		if f.name != fieldTitle && f.name != fieldKeywords && f.name != fieldProducer {
			// People type toward a name or a keyword; a prefix found elsewhere is mostly noise.
			continue
		}
		for _, t := range terms {
			qs = append(qs, ix.termIn(t, i, f.boost*prefixBoost*boost))
		}
	}
	return query.NewDisjunctionQuery(qs)
}

// textInFields matches a word or a phrase, analysed as the fields are, in any text field.
func (ix *Index) textInFields(text string, boost float64) query.Query {
	terms := ix.analyze(text)
	var qs []query.Query
	for i, f := range textFields {
		qs = append(qs, ix.phraseIn(text, terms, i, f.boost*boost))
	}
	return query.NewDisjunctionQuery(qs)
}

// phraseIn matches text as a phrase in the text field at index field of textFields; terms are
// its analysed terms. A phrase with a term the field does not hold matches nothing there (see
// termIn).
func (ix *Index) phraseIn(text string, terms []string, field int, boost float64) query.Query {
	for _, t := range terms {
		if !ix.terms.inField(t, field) {
			return query.NewMatchNoneQuery()
		}
	}
	ph := query.NewMatchPhraseQuery(text)
	ph.SetField(textFields[field].name)
	ph.Analyzer = frenchAnalyzer
	ph.SetBoost(boost)
	return ph
}

// Work units: what a search costs, in ordinary searches, for the rate limit to charge. An
// ordinary search builds a hundred or two clauses and looks nothing up; a vocabulary lookup
// costs about as much as one.
const clausesPerWork = 250

// work estimates what searching a query costs, in ordinary searches: one, plus its vocabulary
// lookups, plus half its phrases and exclusions (each searched as a phrase in every field),
// plus its clauses beyond an ordinary search's.
func work(p parsed, q query.Query) int {
	return 1 + p.lookups + (len(p.phrases)+len(p.tree.Excluded))/2 + countClauses(q)/clausesPerWork
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

// unknownWords returns the words of p that nothing in the catalogue matches: not as typed, not
// through a typo, a synonym or the thesaurus, nor as the start of a word being typed. They are
// what an editor would add to the synonyms.
// A search that found nothing, even with one word enough, found none of its words.
func (ix *Index) unknownWords(p parsed, found bool) []string {
	out := append([]string{}, p.tooLong...)
	for i, w := range p.words {
		if w.term == "" {
			continue
		}
		if !found {
			out = append(out, w.raw)
			continue
		}
		if ix.matchesNothing(w, i == len(p.words)-1 && p.prefix) {
			out = append(out, w.raw)
		}
	}
	return out
}

// matchesNothing reports whether nothing in the catalogue can match a word: not as typed, not
// through a typo, a related word, a synonym, a join or a split, nor, when it is being typed,
// as the start of a word.
func (ix *Index) matchesNothing(w word, typing bool) bool {
	if w.split != "" || w.joined || ix.terms.has(w.term) || len(w.typos) > 0 || len(w.derived) > 0 ||
		len(ix.rules[w.term]) > 0 && !ix.cfg.NoSynonyms {
		return false
	}
	return !typing || ix.cfg.NoPrefix || len(ix.terms.withPrefix(w.raw, 1)) == 0
}

// looksUp reports whether parse looks a folded word up in the vocabulary for typos and
// corrections: a word long enough to be misspelt, short enough to search cheaply, and rare in
// the catalogue. Estimate counts the same lookups.
func (ix *Index) looksUp(raw string) bool {
	n := utf8.RuneCountInString(raw)
	return n >= minCorrected && n <= maxTypoLength && ix.vocab.count[raw] < knownWord
}

// Estimate guesses, before searching, what a request will cost in ordinary searches, from
// what can be seen without the work itself: its words, those the catalogue does not hold
// (each a vocabulary lookup), its filters and its page size. Searching a request estimated
// at three or more may wait behind others (see the server's costly-search lane): a query of
// many words, of several words the catalogue does not hold, or a page of a hundred hits.
func (ix *Index) Estimate(req Request) int {
	words := splitWords(catalog.Normalize(req.Query))
	if len(words) > maxWords {
		words = words[:maxWords]
	}
	unknown := 0
	for i, w := range words {
		raw := stripElision(catalog.Fold(w))
		if !ix.looksUp(raw) {
			continue
		}
		if i == len(words)-1 && len(ix.terms.withPrefix(raw, 1)) > 0 {
			continue // the word being typed starts a catalogue word
		}
		unknown++
	}
	filters := len(req.Producers) + len(req.Themes) + len(req.Accesses)
	return 1 + min(unknown, maxLookups) + len(words)/4 + filters/10 + req.PerPage/hitsPerWork
}

// relaxes reports whether a query that found total entries is searched again with one word
// enough: when it found nothing, required more than one word, and some of its words match.
func (ix *Index) relaxes(p parsed, total int, relaxable bool) bool {
	return total == 0 && relaxable && ix.knownWords(p) > 0
}

// knownWords counts the words of p, stop words aside, that something in the catalogue matches.
func (ix *Index) knownWords(p parsed) int {
	n := 0
	for _, w := range p.words {
		if w.term != "" {
			n++
		}
	}
	return n - (len(ix.unknownWords(p, true)) - len(p.tooLong))
}

// truncateWord cuts a word left out for its length to what a report shows of it.
func truncateWord(w string) string {
	r := []rune(w)
	return string(r[:maxWordLength]) + "…"
}
