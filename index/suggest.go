package index

import (
	"context"
	"html"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2/search"
)

// Kinds of suggestions.
const (
	KindAPI      = "api"
	KindProducer = "producer"
	KindTheme    = "theme"
	KindTerm     = "term"
)

// Limits of autocomplete.
const (
	MaxSuggestQueryLength = 100 // characters of q
	DefaultSuggestions    = 8
	MaxSuggestions        = 20
	suggestTypoFrom       = 5 // letters typed from which one typo is tolerated
	aliasFrom             = 3 // letters typed from which other names (former, synonyms) count
	maxAliasSuggestions   = 3 // suggestions that other names add to a list
	maxAliasTargets       = 6 // candidates kept for one other name
	maxTargetAPIs         = 2 // API titles holding a word that another name leads to
)

// Suggestion is one line of the search box's list: Highlight is HTML, the typed prefix in <mark>
// (nothing marked in what another name of the typed text leads to).
type Suggestion struct {
	Text      string `json:"text"`
	Kind      string `json:"kind"`
	Slug      string `json:"slug,omitempty"` // an API's (its page) or a producer's (its filter)
	Highlight string `json:"highlight"`
}

// candidate is something that can be suggested, with its words folded for matching.
type candidate struct {
	text   string
	kind   string
	slug   string
	folded string  // the whole text folded, to tell a text that starts with the query
	score  float64 // popularity (APIs) or number of entries (others)
	words  []candidateWord
}

// candidateWord is a word of a candidate's text, by its byte offsets, folded with and without
// its elided article ("l'education", "education").
type candidateWord struct {
	start, end   int
	folded, bare string
}

// wordKey points from a folded word to the candidate word it comes from.
type wordKey struct {
	key  string
	cand int32
	word int16
}

// alias is another name for something the catalogue names otherwise, that a search knows: a
// producer's former name, a member of a synonym group, the key of an expansion or of the
// thesaurus. Typing its start suggests its targets.
type alias struct {
	folded  string  // its words folded and joined by a space, as Suggest joins the typed words
	targets []int32 // candidates: the catalogue's names it leads to, then API titles holding them
}

// suggester finds candidates by the prefixes of their words, in a sorted list of every word
// key, and by the prefixes of other names.
type suggester struct {
	cands   []candidate
	keys    []wordKey // sorted by key
	aliases []alias   // sorted by folded text
}

// kindRank orders kinds when the same text could be suggested twice: the first one wins.
var kindRank = map[string]int{KindAPI: 0, KindProducer: 1, KindTheme: 2, KindTerm: 3}

// newSuggester gathers the candidates of a catalogue: API titles, producers, themes, and the
// keywords and title words that a search would find.
func (ix *Index) newSuggester(c *catalog.Catalog) *suggester {
	s := &suggester{}
	seen := make(map[string]int) // folded text → candidate index
	add := func(text, kind, slug string, score float64) {
		text = strings.TrimSpace(text)
		folded := catalog.Fold(text)
		if folded == "" {
			return
		}
		if i, ok := seen[folded]; ok {
			if kindRank[kind] < kindRank[s.cands[i].kind] || kind == s.cands[i].kind && kind != KindAPI {
				// Same text: keep the most specific kind; the same term counts once more.
				if kind == s.cands[i].kind {
					s.cands[i].score += score
				} else {
					s.cands[i].text, s.cands[i].kind, s.cands[i].slug, s.cands[i].score = text, kind, slug, score
				}
			}
			return
		}
		seen[folded] = len(s.cands)
		if kind == KindAPI {
			// "Géorisques" adds nothing under "API Géorisques".
			if bare, ok := strings.CutPrefix(folded, "api "); ok {
				if _, taken := seen[bare]; !taken {
					seen[bare] = len(s.cands)
				}
			}
		}
		s.cands = append(s.cands, candidate{text: text, kind: kind, slug: slug, folded: folded, score: score})
	}
	maxVisits := 1
	for _, e := range c.Entries {
		maxVisits = max(maxVisits, e.Visits)
	}
	// Producers as the entries name them: an entry kept at its last good version may name a
	// producer whose file is gone from the catalogue.
	producerEntries := make(map[string]int)
	var producers []catalog.ProducerRef
	for _, e := range c.Entries {
		// An API counts between one and two entries, by its popularity.
		add(e.Title, KindAPI, e.Slug, 1+float64(e.Visits)/float64(maxVisits))
		if producerEntries[e.Producer.Slug] == 0 {
			producers = append(producers, e.Producer)
		}
		producerEntries[e.Producer.Slug]++
	}
	for _, p := range producers {
		n := float64(producerEntries[p.Slug])
		add(p.Name, KindProducer, p.Slug, n)
		if p.Acronym != "" {
			add(p.Acronym, KindProducer, p.Slug, n)
		}
	}
	for _, t := range c.Themes() {
		add(t.Value, KindTheme, "", float64(t.Count))
	}
	for _, e := range c.Entries {
		for _, k := range e.Keywords {
			if ix.findable(k) {
				add(k, KindTerm, "", 1)
			}
		}
		eachWord(e.Title, func(start, end int) {
			if w := e.Title[start:end]; utf8.RuneCountInString(w) >= 4 && ix.findable(w) {
				add(w, KindTerm, "", 1)
			}
		})
	}
	for i := range s.cands {
		cd := &s.cands[i]
		eachWord(cd.text, func(start, end int) {
			folded := catalog.Fold(cd.text[start:end])
			cw := candidateWord{start: start, end: end, folded: folded, bare: stripElision(folded)}
			n := int16(len(cd.words))
			cd.words = append(cd.words, cw)
			s.keys = append(s.keys, wordKey{cw.folded, int32(i), n})
			if cw.bare != cw.folded {
				s.keys = append(s.keys, wordKey{cw.bare, int32(i), n})
			}
		})
	}
	sort.Slice(s.keys, func(i, j int) bool { return s.keys[i].key < s.keys[j].key })
	s.aliases = ix.newAliases(s, seen, producers, ix.cfg.Synonyms.with(c.Synonyms))
	return s
}

// newAliases gathers the other names that a search knows, each with the candidates it leads
// to: a producer's former names lead to its name, synonyms and thesaurus words to the
// catalogue's words they map to. syn are the synonyms the search's rules are compiled from (the
// suggester is built before them), the thesaurus is ix.cfg's. seen maps folded texts to
// candidates; a catalogue word that is no candidate yet becomes a term, suggested only through
// its other names.
func (ix *Index) newAliases(s *suggester, seen map[string]int, producers []catalog.ProducerRef, syn *Synonyms) []alias {
	fold := func(text string) string { return strings.Join(splitWords(catalog.Fold(text)), " ") }
	former := make(map[string]bool)
	for _, p := range producers {
		for _, name := range p.FormerNames {
			former[fold(name)] = true
		}
	}
	leads := make(map[string][]string) // folded other name → what it leads to
	link := func(from string, to []string) {
		f := fold(from)
		for _, t := range to {
			// A synonym group names an agency by all its names: the current one leads to no
			// former one.
			if ft := fold(t); f != "" && ft != f && !former[ft] && !slices.Contains(leads[f], t) {
				leads[f] = append(leads[f], t)
			}
		}
	}
	for _, p := range producers {
		for _, name := range p.FormerNames {
			link(name, []string{p.Name})
		}
	}
	if !ix.cfg.NoSynonyms {
		for _, g := range syn.Groups {
			for _, member := range g {
				link(member, g)
			}
		}
		dicts := []map[string][]string{syn.Expansions}
		if th := ix.cfg.Thesaurus; th != nil && !ix.cfg.NoThesaurus {
			dicts = append(dicts, th.Everyday, th.English)
		}
		for _, m := range dicts {
			// In order: what a name leads to must not depend on the order of a map.
			for _, from := range slices.Sorted(maps.Keys(m)) {
				link(from, m[from])
			}
		}
	}
	type resolved struct {
		name int32 // -1: no candidate, and no entry holds it
		apis []int32
	}
	held, release := ix.phraseHeld()
	defer release()
	known := make(map[string]resolved) // a word many names lead to is resolved once
	aliases := make([]alias, 0, len(leads))
	// In order, so that every build of a catalogue makes the same candidates.
	for _, f := range slices.Sorted(maps.Keys(leads)) {
		to := leads[f]
		var names, apis []int32
		for _, t := range to {
			r, ok := known[t]
			if !ok {
				r = resolved{name: ix.targetName(s, t, seen, held), apis: ix.targetAPIs(s, t)}
				known[t] = r
			}
			if r.name >= 0 {
				names = append(names, r.name)
			}
			apis = append(apis, r.apis...)
		}
		var targets []int32
		for _, c := range slices.Concat(names, apis) {
			if len(targets) < maxAliasTargets && !slices.Contains(targets, c) {
				targets = append(targets, c)
			}
		}
		if len(targets) > 0 {
			aliases = append(aliases, alias{folded: f, targets: targets})
		}
	}
	return aliases
}

// targetName returns the candidate whose text is what another name leads to, whatever its
// kind, so that a title keeps its wording; else a new term when an entry holds it (see
// phraseHeld); else -1.
func (ix *Index) targetName(s *suggester, text string, seen map[string]int, held func(string) bool) int32 {
	text = strings.TrimSpace(text)
	folded := catalog.Fold(text)
	if i, ok := seen[folded]; ok {
		return int32(i)
	}
	if folded == "" || !ix.findable(text) || !held(text) {
		return -1
	}
	seen[folded] = len(s.cands)
	s.cands = append(s.cands, candidate{text: text, kind: KindTerm, folded: folded})
	return int32(len(s.cands) - 1)
}

// phraseHeld returns a function that reports whether an entry holds a text as a phrase, in
// some field, and one that releases what it reads. Every word in the catalogue is not enough:
// a search for words that no entry holds together finds nothing, while an entry that holds
// them as a phrase is found. It reads up to the first such entry only: counting them all costs
// seconds in a catalogue of 100,000 entries.
func (ix *Index) phraseHeld() (held func(string) bool, release func()) {
	none := func(string) bool { return false }
	adv, err := ix.bleve.Advanced()
	if err != nil {
		// Without a reader, no new term: the names the catalogue has are still suggested.
		return none, func() {}
	}
	r, err := adv.Reader()
	if err != nil {
		return none, func() {}
	}
	held = func(text string) bool {
		sr, err := ix.textInFields(text, 1).Searcher(context.Background(), r, ix.bleve.Mapping(), search.SearcherOptions{})
		if err != nil {
			return false
		}
		defer sr.Close()
		m, err := sr.Next(&search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(sr.DocumentMatchPoolSize(), 0)})
		return err == nil && m != nil
	}
	return held, func() { r.Close() }
}

// targetAPIs returns the most popular API titles, at most maxTargetAPIs, that hold every word
// of what another name leads to: those that typing it in full would suggest.
func (ix *Index) targetAPIs(s *suggester, text string) []int32 {
	words := splitWords(catalog.Fold(text))
	if len(words) == 0 {
		return nil
	}
	first, rest := stripElision(words[0]), ix.typedWords(words[1:])
	var apis []int32
	for i := sort.Search(len(s.keys), func(i int) bool { return s.keys[i].key >= first }); i < len(s.keys) && s.keys[i].key == first; i++ {
		k := s.keys[i]
		if cd := &s.cands[k.cand]; cd.kind == KindAPI && !slices.Contains(apis, k.cand) {
			if _, ok := ix.matchEarlier(cd, rest, k.word); ok {
				apis = append(apis, k.cand)
			}
		}
	}
	sort.Slice(apis, func(i, j int) bool {
		a, b := &s.cands[apis[i]], &s.cands[apis[j]]
		if a.score != b.score {
			return a.score > b.score
		}
		return a.folded < b.folded
	})
	return apis[:min(len(apis), maxTargetAPIs)]
}

// findable reports whether a search for text finds something: every term it analyses to is in
// the index, and it has at least one.
func (ix *Index) findable(text string) bool {
	terms := ix.analyze(text)
	for _, t := range terms {
		i := sort.SearchStrings(ix.terms.terms, t)
		if i == len(ix.terms.terms) || ix.terms.terms[i] != t {
			return false
		}
	}
	return len(terms) > 0
}

// match is a candidate found for a query.
type match struct {
	cand   int32
	typo   bool
	starts bool // the candidate's text starts with the query
	marked []int16
	last   int16 // the word the last typed word is a prefix of
	alias  bool  // found through another name that starts with the query
	order  int   // of the matches found through other names, best first
}

// Suggest returns at most limit suggestions for what is typed in the search box: candidates
// with a word that starts with the last typed word (one typo tolerated from five letters) and
// a word for every earlier typed word; then, from three letters, a few of what the other names
// that start with the query lead to (a former name, a synonym, an everyday or English word).
// API titles that start with the query ("API" aside) come first, then exact matches before
// typos, the most popular and frequent first, then other names.
func (ix *Index) Suggest(q string, limit int) []Suggestion {
	out := []Suggestion{}
	typed := splitWords(catalog.Fold(catalog.Normalize(q)))
	if len(typed) == 0 || limit <= 0 {
		return out
	}
	if len(typed) > maxWords {
		typed = typed[:maxWords]
	}
	s := ix.suggest
	last := typed[len(typed)-1]
	earlier := ix.typedWords(typed[:len(typed)-1])
	queryFolded := strings.Join(typed, " ")

	found := make(map[int32]*match)
	consider := func(k wordKey, typo bool) {
		if m := found[k.cand]; m != nil && (!m.typo || typo) {
			return
		}
		cd := &s.cands[k.cand]
		marked, ok := ix.matchEarlier(cd, earlier, k.word)
		if !ok {
			return
		}
		found[k.cand] = &match{cand: k.cand, typo: typo, starts: startsWith(cd, queryFolded),
			marked: marked, last: k.word}
	}
	for _, prefix := range []string{last, stripElision(last)} {
		if prefix == "" {
			continue
		}
		for i := sort.Search(len(s.keys), func(i int) bool { return s.keys[i].key >= prefix }); i < len(s.keys) && strings.HasPrefix(s.keys[i].key, prefix); i++ {
			consider(s.keys[i], false)
		}
	}
	if utf8.RuneCountInString(last) >= suggestTypoFrom {
		// A typo never touches the first letter: only the keys that start with it are read.
		lo := sort.Search(len(s.keys), func(i int) bool { return s.keys[i].key >= last[:1] })
		hi := sort.Search(len(s.keys), func(i int) bool { return s.keys[i].key > last[:1]+"\xff" })
		for i := lo; i < hi; {
			// Keys are sorted: decide once for every candidate word with the same key.
			j := i + 1
			for j < hi && s.keys[j].key == s.keys[i].key {
				j++
			}
			if prefixWithin1(last, s.keys[i].key) {
				for _, k := range s.keys[i:j] {
					consider(k, true)
				}
			}
			i = j
		}
	}
	// Other names last: what they lead to holds none of the typed letters. Under three letters,
	// a prefix hardly tells one name from another.
	if utf8.RuneCountInString(queryFolded) >= aliasFrom {
		s.matchAliases(queryFolded, found)
	}

	// Keep the best limit matches: a partial selection, since a short prefix matches many.
	better := func(a, b *match) bool {
		ca, cb := &s.cands[a.cand], &s.cands[b.cand]
		if x, y := a.starts && ca.kind == KindAPI, b.starts && cb.kind == KindAPI; x != y {
			return x
		}
		if ta, tb := a.tier(), b.tier(); ta != tb {
			return ta < tb
		}
		if a.alias {
			return a.order < b.order
		}
		if ca.score != cb.score {
			return ca.score > cb.score
		}
		if kindRank[ca.kind] != kindRank[cb.kind] {
			return kindRank[ca.kind] < kindRank[cb.kind]
		}
		return ca.folded < cb.folded
	}
	matches := make([]*match, 0, limit+1)
	for _, m := range found {
		i := sort.Search(len(matches), func(i int) bool { return better(m, matches[i]) })
		if i < limit {
			matches = append(matches, nil)
			copy(matches[i+1:], matches[i:])
			matches[i] = m
			if len(matches) > limit {
				matches = matches[:limit]
			}
		}
	}
	for _, m := range matches[:min(limit, len(matches))] {
		cd := &s.cands[m.cand]
		var highlight string
		if m.alias {
			// What another name leads to holds none of the typed letters.
			highlight = html.EscapeString(cd.text)
		} else {
			highlight = highlightPrefix(cd, m, last)
		}
		out = append(out, Suggestion{Text: cd.text, Kind: cd.kind, Slug: cd.slug, Highlight: highlight})
	}
	return out
}

// matchAliases adds to found at most maxAliasSuggestions candidates not found otherwise, that
// the other names starting with the folded query lead to: the first target of every such name,
// then the second, and so on.
func (s *suggester) matchAliases(query string, found map[int32]*match) {
	lo := sort.Search(len(s.aliases), func(i int) bool { return s.aliases[i].folded >= query })
	hi := lo
	for hi < len(s.aliases) && strings.HasPrefix(s.aliases[hi].folded, query) {
		hi++
	}
	n := 0
	for pos, more := 0, true; more && n < maxAliasSuggestions; pos++ {
		more = false
		for _, a := range s.aliases[lo:hi] {
			if pos >= len(a.targets) || n == maxAliasSuggestions {
				continue
			}
			more = true
			if c := a.targets[pos]; found[c] == nil {
				found[c] = &match{cand: c, alias: true, order: n}
				n++
			}
		}
	}
}

// tier orders matches by how they were found: by the typed letters, by all of them but one,
// through another name.
func (m *match) tier() int {
	switch {
	case m.alias:
		return 2
	case m.typo:
		return 1
	}
	return 0
}

// typedWord is an earlier word of the query, ready to compare with candidate words.
type typedWord struct {
	folded, bare, term string
}

// typedWords prepares folded words to be compared with candidate words.
func (ix *Index) typedWords(words []string) []typedWord {
	out := make([]typedWord, len(words))
	for i, t := range words {
		bare := stripElision(t)
		out[i] = typedWord{folded: t, bare: bare, term: firstTerm(ix.analyze(bare))}
	}
	return out
}

// startsWith reports whether the candidate's text starts with the folded query, the word "API"
// that most titles start with left aside: "geo" starts "API Géo".
func startsWith(cd *candidate, query string) bool {
	if strings.HasPrefix(cd.folded, query) {
		return true
	}
	bare, ok := strings.CutPrefix(cd.folded, "api ")
	return ok && strings.HasPrefix(bare, query)
}

// matchEarlier finds, for every earlier typed word, another word of the candidate that is the
// same word (folded, without its elided article, or by stem). It returns those words.
func (ix *Index) matchEarlier(cd *candidate, earlier []typedWord, lastWord int16) ([]int16, bool) {
	if len(earlier) == 0 {
		return nil, true
	}
	used := []int16{lastWord}
	for _, t := range earlier {
		found := false
		for i, w := range cd.words {
			if contains16(used, int16(i)) {
				continue
			}
			if w.folded == t.folded || w.bare == t.bare || t.term != "" && ix.vocab.term[w.bare] == t.term {
				used = append(used, int16(i))
				found = true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return used[1:], true
}

func contains16(s []int16, v int16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// prefixWithin1 reports whether word starts with typed but for one edit (a transposition
// counts as one): some prefix of word, one letter shorter, as long or one letter longer than
// typed, is within one edit of it. The first letter must be right.
func prefixWithin1(typed, word string) bool {
	if word == "" || typed[0] != word[0] {
		return false
	}
	for n := len(typed) - 1; n <= len(typed)+1; n++ {
		if n > 0 && n <= len(word) && withinOneEdit(typed, word[:n]) {
			return true
		}
	}
	return false
}

// withinOneEdit reports whether a and b differ by at most one insertion, deletion,
// substitution or transposition of adjacent letters, without allocating.
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		// A substitution, or a transposition of a[i] and a[i+1].
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}

// highlightPrefix returns the candidate's text as HTML with the typed prefix of the matched
// word, and the earlier typed words, in <mark>.
func highlightPrefix(cd *candidate, m *match, last string) string {
	type span struct{ start, end int }
	var spans []span
	for _, i := range m.marked {
		w := cd.words[i]
		spans = append(spans, span{w.start, w.end})
	}
	start, end := prefixSpan(cd.text, cd.words[m.last], last)
	spans = append(spans, span{start, end})
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	pos := 0
	for _, sp := range spans {
		if sp.start < pos {
			continue
		}
		b.WriteString(html.EscapeString(cd.text[pos:sp.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(cd.text[sp.start:sp.end]))
		b.WriteString("</mark>")
		pos = sp.end
	}
	b.WriteString(html.EscapeString(cd.text[pos:]))
	return b.String()
}

// prefixSpan returns the byte offsets in text of the typed prefix of word w: as many letters
// as the typed word has once folded, after the elided article ("l'") when the typed word leaves
// it out.
func prefixSpan(text string, w candidateWord, typed string) (int, int) {
	start := w.start
	if article := w.folded[:len(w.folded)-len(w.bare)]; article != "" && !strings.HasPrefix(typed, article) {
		if i := strings.IndexAny(text[w.start:w.end], "'’"); i >= 0 {
			_, size := utf8.DecodeRuneInString(text[w.start+i:])
			start = w.start + i + size
		}
		typed = stripElision(typed)
	}
	n := 0
	for i, r := range text[start:w.end] {
		if n >= len(typed) {
			return start, start + i
		}
		n += len(catalog.AppendFold(nil, string(r)))
	}
	return start, w.end
}
