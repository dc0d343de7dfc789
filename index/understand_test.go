package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"apisearch/catalog"

	"golang.org/x/text/unicode/norm"
)

// These tests check what people type against every entry of the snapshot, not chosen strings:
// a sentence with words the catalogue does not use, exclusions, names joined or split.

// rareTitleWords returns the title's words that the catalogue holds least often, rarest first.
func rareTitleWords(ix *Index, e *catalog.Entry, n int) []string {
	var words []string
	for _, w := range splitWords(e.Title) {
		raw := stripElision(catalog.Fold(w))
		term := firstTerm(ix.analyze(raw))
		if len([]rune(raw)) >= 4 && term != "" && !ix.terms.common[term] && !slices.Contains(words, raw) {
			words = append(words, raw)
		}
	}
	slices.SortStableFunc(words, func(a, b string) int { return ix.vocab.count[a] - ix.vocab.count[b] })
	return words[:min(n, len(words))]
}

func inFirst(res *Result, slug string, n int) bool {
	return slices.Contains(slugs(res)[:min(n, len(res.Hits))], slug)
}

// TestSentenceWithUnknownWords: a sentence made of an entry's two rarest title words, filler
// and words the catalogue has never seen finds that entry on the first page whenever the two
// words alone do.
func TestSentenceWithUnknownWords(t *testing.T) {
	ix := snapshot(t)
	tried, missed := 0, []string{}
	for i, e := range ix.catalog.Entries {
		words := rareTitleWords(ix, e, 2)
		if len(words) < 2 {
			continue
		}
		alone, err := ix.Search(context.Background(), Request{Query: words[0] + " " + words[1] + " "})
		if err != nil {
			t.Fatal(err)
		}
		if !inFirst(alone, e.Slug, 20) {
			continue // words other entries share as much
		}
		q := fmt.Sprintf("je cherche %s pour %s zqxwv%d kjhqz", words[0], words[1], i)
		res, err := ix.Search(context.Background(), Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		tried++
		if !inFirst(res, e.Slug, 20) {
			missed = append(missed, fmt.Sprintf("%q → %v", q, head(slugs(res), 3)))
		}
		if res.Total == 0 || len(res.UnknownWords) < 2 {
			t.Errorf("%q: total %d, unknown words %v: want results and the made-up words named", q, res.Total, res.UnknownWords)
		}
	}
	if len(missed) > 0 || tried < 50 {
		t.Errorf("%d of %d sentences did not find their entry on the first page:\n%s", len(missed), tried, strings.Join(missed, "\n"))
	}
}

// TestUnknownWordsNamedOnce: words nothing matches are named once each, in the order typed,
// however often they are typed.
func TestUnknownWordsNamedOnce(t *testing.T) {
	ix := snapshot(t)
	for q, want := range map[string][]string{
		"zqxwv zqxwv kjhqz ZQXWV kjhqz": {"zqxwv", "kjhqz"},
		"adresse":                       {},
	} {
		res, err := ix.Search(context.Background(), Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if res.UnknownWords == nil || !slices.Equal(res.UnknownWords, want) {
			t.Errorf("%q: unknown words %#v, want %#v", q, res.UnknownWords, want)
		}
	}
}

// TestExclusionLeavesOut: a word with -word in front is in no result, whatever the word.
func TestExclusionLeavesOut(t *testing.T) {
	ix := snapshot(t)
	search := func(q string) *Result {
		res, err := ix.Search(context.Background(), Request{Query: q, PerPage: MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for i, e := range ix.catalog.Entries {
		if i%5 != 0 {
			continue
		}
		words := rareTitleWords(ix, e, 2)
		if len(words) < 1 {
			continue
		}
		excluded := words[0]
		// Entries that hold the word itself, in some inflection: as a phrase, it is not
		// expanded to synonyms, typos or related words.
		holding := map[string]bool{}
		for _, s := range slugs(search(`"` + excluded + `"`)) {
			holding[s] = true
		}
		for _, q := range []string{"-" + excluded, "api -" + excluded, `données -"` + excluded + `"`} {
			res := search(q)
			for _, s := range slugs(res) {
				if holding[s] {
					t.Errorf("%q shows %s, which holds %q", q, s, excluded)
				}
			}
			if strings.HasPrefix(q, "-") && res.Total != len(ix.catalog.Entries)-len(holding) {
				t.Errorf("%q finds %d entries, want the %d that do not hold it", q, res.Total, len(ix.catalog.Entries)-len(holding))
			}
		}
	}
}

// TestNamesJoinedOrSplit: a title's name written with signs inside (Mir@bel, data.bnf.fr,
// Hub'Eau, Transparence-Santé) finds its entry typed without them or with spaces instead; two
// title words typed joined find it too when the catalogue has no such word.
func TestNamesJoinedOrSplit(t *testing.T) {
	ix := snapshot(t)
	tried := 0
	for _, e := range ix.catalog.Entries {
		var queries []string
		for _, field := range strings.Fields(e.Title) {
			field = strings.TrimFunc(field, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			parts := splitWords(strings.NewReplacer("'", " ", "’", " ").Replace(field))
			folded := strings.ReplaceAll(catalog.Fold(field), "’", "'")
			if len(parts) < 2 || len(field) > maxSplitLength || strings.IndexFunc(field, unicode.IsLetter) < 0 || stripElision(folded) != folded {
				continue // not a name: a number, or an elided article ("l'emploi")
			}
			queries = append(queries, strings.Join(parts, "")+" ", strings.Join(parts, " ")+" ")
		}
		for _, q := range queries {
			tried++
			// Several entries may share the name (a dozen are Hub'Eau's): the entry must be
			// found, and be on the first page or the first result bear the name.
			res, err := ix.Search(context.Background(), Request{Query: q, PerPage: MaxPerPage})
			if err != nil {
				t.Fatal(err)
			}
			first := ""
			if len(res.Hits) > 0 {
				first = catalog.Fold(res.Hits[0].Title)
			}
			name := strings.Fields(strings.TrimSpace(q))[0]
			named := strings.Contains(strings.Map(lettersOnly, first), strings.Map(lettersOnly, catalog.Fold(name)))
			if !slices.Contains(slugs(res), e.Slug) || !inFirst(res, e.Slug, 10) && !named {
				t.Errorf("%q (from the title %q): %s found %v, first result %q", q, e.Title, e.Slug, slices.Contains(slugs(res), e.Slug), first)
			}
		}
	}
	if tried < 10 {
		t.Errorf("only %d names with signs inside in the snapshot's titles: the test checks too little", tried)
	}
}

// lettersOnly keeps letters and digits, for comparing names whatever their signs.
func lettersOnly(r rune) rune {
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return -1
}

// TestIssueExamples runs the queries that issue 14 reported as failing: each gets a sensible
// first result (or leaves out what it excludes).
func TestIssueExamples(t *testing.T) {
	ix := snapshot(t)
	for _, tt := range []struct {
		q       string
		first   []string // the first result is one of these
		partial bool
	}{
		// Its text holds "Demandes de valeurs foncières", inside a <details> block.
		{"valeurs foncières", []string{"api-donnees-foncieres"}, false},
		{"obtenir la liste des écoles de ma ville", []string{"api-annuaire-education"}, false},
		{"consulter les offres d'emploi de mon quartier", []string{"api_offresdemplois", "api-emplois-inclusion", "LaBonneBoite"}, true},
		{"localiser un défibrillateur", []string{"api-defibrillateurs"}, false},
		{"foncières", []string{"api-donnees-foncieres"}, false},
		{"foncière", []string{"api-donnees-foncieres"}, false},
		{"vigi eau", []string{"api-vigieau"}, false},
		{"open fisca", []string{"openfisca"}, false},
		{"toubib", []string{"api_ameli_droits_cnam", "api-pro-sante-connect", "api-transparence-sante"}, false},
		{"bagnole", []string{"api-prix-controles-techniques", "api_catalogue_transport", "api-siv"}, false},
		{"energy consumption", []string{"api-donnees-locales-energie", "api-donnees-ouvertes-enedis", "api_dpe_logements"}, true},
		{"library catalogue", []string{"api-data-bnf-fr", "api-sudoc", "api-mirabel"}, false},
		{"bank account", []string{"api_comptes_bancaires_ficoba"}, false},
		{"train", []string{"api_catalogue_transport"}, false},
		{`"de la" adresse`, []string{"base-adresse-nationale"}, false},
	} {
		res, err := ix.Search(context.Background(), Request{Query: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || !slices.Contains(tt.first, res.Hits[0].Slug) || res.Partial != tt.partial {
			t.Errorf("%q: first %v, partial %v; want one of %v, partial %v", tt.q, head(slugs(res), 3), res.Partial, tt.first, tt.partial)
		}
	}
	res, err := ix.Search(context.Background(), Request{Query: "legifrance -dila", PerPage: MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Producer.Acronym == "DILA" {
			t.Errorf("legifrance -dila shows %s, by the DILA", h.Slug)
		}
	}
}

// TestSynonymPhrasesNeverEmpty: a query that is a synonym of several words finds something
// whenever one of its words, or one of its synonyms as a phrase, finds something alone; on both
// catalogues.
func TestSynonymPhrasesNeverEmpty(t *testing.T) {
	for name, ix := range map[string]*Index{"default": defaultIndex(t), "snapshot": snapshot(t)} {
		total := func(q string) int {
			res, err := ix.Search(context.Background(), Request{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		for _, group := range ix.cfg.Synonyms.Groups {
			for _, phrase := range group {
				words := splitWords(phrase)
				if len(words) < 2 || total(phrase+" ") > 0 {
					continue
				}
				alternatives := slices.Clone(words)
				for _, member := range group {
					alternatives = append(alternatives, `"`+member+`"`)
				}
				for _, alone := range alternatives {
					if alone != `"`+phrase+`"` && len(ix.analyze(alone)) > 0 && total(alone+" ") > 0 {
						t.Errorf("%s: %q finds nothing, though %q alone finds something", name, phrase, alone)
						break
					}
				}
			}
		}
	}
}

// TestShortPrefixes: one or two letters typed, whatever they are (a lone "l", "d" or "s" that
// elision and stop words would drop included), find entries whose title, keywords or producer
// has a word starting with them, and suggestions, whenever a title has such a word.
func TestShortPrefixes(t *testing.T) {
	ix := snapshot(t)
	starts := map[string]bool{}
	for _, e := range ix.catalog.Entries {
		for _, w := range splitWords(catalog.Fold(e.Title)) {
			starts[w[:1]] = true
			if len(w) >= 2 {
				starts[w[:2]] = true
			}
		}
	}
	holds := func(e *catalog.Entry, prefix string) bool {
		text := e.Title + " " + strings.Join(e.Keywords, " ") + " " + e.Producer.Name + " " + e.Producer.Acronym
		for _, w := range splitWords(catalog.Fold(text)) {
			if strings.HasPrefix(stripElision(w), prefix) || strings.HasPrefix(w, prefix) {
				return true
			}
		}
		return false
	}
	for prefix := range starts {
		if strings.IndexFunc(prefix, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			continue // digits and elisions ("l'") are not the start of a word
		}
		res, err := ix.Search(context.Background(), Request{Query: prefix})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total == 0 || !holds(ix.catalog.Entry(res.Hits[0].Slug), prefix) {
			t.Errorf("%q: total %d, first %v: want an entry with a word starting with it", prefix, res.Total, head(slugs(res), 1))
		}
		if len(ix.Suggest(prefix, DefaultSuggestions)) == 0 {
			t.Errorf("%q: no suggestion", prefix)
		}
	}
}

// TestPastedCharacters: accents decomposed into a letter and a combining mark, as macOS and
// PDFs give them, fullwidth letters and ligatures are the same words as plain ones, in a query
// as in the catalogue: every snapshot title written so finds what it finds typed plainly, in
// search and in autocomplete, and an entry written so is found either way.
func TestPastedCharacters(t *testing.T) {
	ix := snapshot(t)
	fullwidth := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r > ' ' && r < 0x7f {
				return r - '!' + '！'
			}
			return r
		}, s)
	}
	ligatures := strings.NewReplacer("fi", "ﬁ", "fl", "ﬂ", "ff", "ﬀ")
	tried := 0
	for _, e := range ix.catalog.Entries {
		for _, typed := range []string{norm.NFD.String(e.Title), fullwidth(e.Title), ligatures.Replace(e.Title)} {
			if typed == e.Title {
				continue
			}
			tried++
			checkSameResults(t, ix, typed, e.Title)
		}
	}
	if tried < 200 {
		t.Errorf("only %d titles tried", tried)
	}

	c, err := catalog.Load(fstest.MapFS{
		"producers/p.yaml":  {Data: []byte("name: P\n")},
		"apis/eclaire.yaml": {Data: []byte(norm.NFD.String("title: API Éclairé\naccess: open\nproducer: p\ndescription: Étalonnage des matériaux, ﬁchiers ＣＳＶ.\n"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	small, err := Build(context.Background(), c, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	for _, q := range []string{"étalonnage", "matériaux", "eclaire", norm.NFD.String("étalonnage matériaux"), "fichiers", "csv"} {
		if res := run(t, small, Request{Query: q}); res.Total != 1 {
			t.Errorf("%+q in an entry written decomposed, fullwidth or with ligatures: %d results, want it", q, res.Total)
		}
	}
}

// checkSameResults checks that typed finds and suggests what plain does.
func checkSameResults(t *testing.T, ix *Index, typed, plain string) {
	t.Helper()
	want, err := ix.Search(context.Background(), Request{Query: plain})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ix.Search(context.Background(), Request{Query: typed})
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != want.Total || !slices.Equal(slugs(got), slugs(want)) {
		t.Errorf("%+q: %d results %v, want %d %v as %q", typed, got.Total, head(slugs(got), 3), want.Total, head(slugs(want), 3), plain)
	}
	if g, w := ix.Suggest(typed, 5), ix.Suggest(plain, 5); !slices.Equal(g, w) {
		t.Errorf("autocomplete %+q: %v, want %v as %q", typed, g, w, plain)
	}
}
