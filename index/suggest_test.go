package index

import (
	"context"
	"html"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"apisearch/catalog"
)

func texts(s []Suggestion) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.Text
	}
	return out
}

// suggestCase expects a suggestion text (and kind) within the first `within` suggestions.
type suggestCase struct {
	name, q      string
	want, kind   string
	within       int
	highlightHas string
}

func checkSuggestions(t *testing.T, ix *Index, tests []suggestCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.q, func(t *testing.T) {
			got := ix.Suggest(tt.q, DefaultSuggestions)
			i := slices.IndexFunc(got, func(s Suggestion) bool { return s.Text == tt.want })
			if i < 0 || i >= tt.within {
				t.Fatalf("%q: %q at rank %d, want within %d; got %q", tt.q, tt.want, i+1, tt.within, texts(got))
			}
			if got[i].Kind != tt.kind {
				t.Errorf("%q: kind = %q, want %q", tt.want, got[i].Kind, tt.kind)
			}
			if (tt.kind == KindAPI || tt.kind == KindProducer) && got[i].Slug == "" {
				t.Errorf("%q: %s suggestion without a slug", tt.want, tt.kind)
			}
			if !strings.Contains(got[i].Highlight, tt.highlightHas) {
				t.Errorf("%q: highlight = %q, want it to contain %q", tt.want, got[i].Highlight, tt.highlightHas)
			}
		})
	}
}

func TestSuggestSnapshot(t *testing.T) {
	ix := snapshot(t)
	checkSuggestions(t, ix, []suggestCase{
		{"accents", "meta", "API Métadonnées", KindAPI, 1, "API <mark>Méta</mark>données"},
		{"accents", "bibli", "Bibliographie", KindTheme, 8, "<mark>Bibli</mark>ographie"},
		{"accents", "reseau", "réseaux de chaleur", KindTerm, 3, "<mark>réseau</mark>x de chaleur"},
		{"case", "LÉGIF", "Légifrance", KindAPI, 1, "<mark>Légif</mark>rance"},
		{"case", "legif", "Légifrance", KindAPI, 1, "<mark>Légif</mark>rance"},
		{"two words", "conventions co", "API Conventions collectives", KindAPI, 1, "API <mark>Conventions</mark> <mark>co</mark>llectives"},
		{"two words with elision", "annuaire de l", "Annuaire de l’Education Nationale", KindAPI, 3, "<mark>Annuaire</mark> <mark>de</mark> l’"},
		{"elision typed", "l'educ", "Annuaire de l’Education Nationale", KindAPI, 8, "<mark>l’Educ</mark>ation"},
		{"elision left out", "educa", "Education", KindTheme, 3, "<mark>Educa</mark>tion"},
		{"typo", "entrpr", "API Entreprise", KindAPI, 8, "<mark>"},
		{"typo", "geotisques", "API Géorisques", KindAPI, 1, "<mark>"},
		{"producer", "dinu", "DINUM", KindProducer, 1, "<mark>DINU</mark>M"},
		{"ranking: titles that start with the prefix", "api ent", "API Entreprise", KindAPI, 3, "<mark>API</mark> <mark>Ent</mark>reprise"},
		{"ranking: API aside", "geor", "API Géorisques", KindAPI, 1, "API <mark>Géor</mark>isques"},
	})
}

func TestSuggestDefaultCatalog(t *testing.T) {
	ix := defaultIndex(t)
	checkSuggestions(t, ix, []suggestCase{
		{"accents", "legi", "API Légifrance", KindAPI, 3, "API <mark>Légi</mark>france"},
		{"case", "ADRE", "API Adresse", KindAPI, 1, "API <mark>Adre</mark>sse"},
		{"two words", "recherche d'e", "API Recherche d'entreprises", KindAPI, 1, "<mark>Recherche</mark> <mark>d&#39;e</mark>ntreprises"},
		{"typo", "geoplatforme", "API Géoplateforme IGN", KindAPI, 1, "<mark>"},
		{"theme", "sante", "Santé", KindTheme, 3, "<mark>Santé</mark>"},
	})
}

func TestSuggestRules(t *testing.T) {
	ix := snapshot(t)
	for _, q := range []string{"a", "api", "api e", "entre", "geo", "donn", "l'", "annuaire de l", "zzz", "é"} {
		got := ix.Suggest(q, MaxSuggestions)
		seen := make(map[string]bool)
		for i, s := range got {
			// No suggestion twice.
			if seen[catalog.Fold(s.Text)] {
				t.Errorf("%q: %q suggested twice", q, s.Text)
			}
			seen[catalog.Fold(s.Text)] = true
			// Never a suggestion that finds nothing.
			if res := run(t, ix, Request{Query: s.Text + " "}); res.Total == 0 {
				t.Errorf("%q: suggestion %q finds nothing", q, s.Text)
			}
			checkHTML(t, s.Highlight)
			// API titles that start with the query ("API" aside) come first.
			starts := func(s Suggestion) bool {
				title := catalog.Fold(s.Text)
				return s.Kind == KindAPI && (strings.HasPrefix(title, catalog.Fold(q)) || strings.HasPrefix(strings.TrimPrefix(title, "api "), catalog.Fold(q)))
			}
			if i > 0 && starts(s) {
				if prev := got[i-1]; !starts(prev) {
					t.Errorf("%q: %q starts with the query but comes after %q", q, s.Text, prev.Text)
				}
			}
		}
		if len(got) > MaxSuggestions {
			t.Errorf("%q: %d suggestions, limit %d", q, len(got), MaxSuggestions)
		}
	}
	if got := ix.Suggest("", 8); len(got) != 0 {
		t.Errorf("empty query: %d suggestions, want none", len(got))
	}
	if got := ix.Suggest("bibl", 2); len(got) != 2 {
		t.Errorf("limit 2: %d suggestions", len(got))
	}
	// No typo tolerated under five letters.
	for _, s := range ix.Suggest("bibm", MaxSuggestions) {
		t.Errorf("bibm (a typo in four letters) suggested %q", s.Text)
	}
}

// TestSuggestSameGeneration checks that suggestions come from the index they are asked of.
func TestSuggestSameGeneration(t *testing.T) {
	one := buildFrom(t, map[string]string{"a": "title: API Zéphyr\naccess: open\nproducer: p\n"})
	two := buildFrom(t, map[string]string{"b": "title: API Zénith\naccess: open\nproducer: p\n"})
	if got := texts(one.Suggest("ze", 8)); !slices.Contains(got, "API Zéphyr") || slices.Contains(got, "API Zénith") {
		t.Errorf("first index suggests %q", got)
	}
	if got := texts(two.Suggest("ze", 8)); !slices.Contains(got, "API Zénith") || slices.Contains(got, "API Zéphyr") {
		t.Errorf("second index suggests %q", got)
	}
}

// TestSuggestOtherNames checks that former names, synonyms and thesaurus words suggest what
// they lead to in the catalogue.
func TestSuggestOtherNames(t *testing.T) {
	checkSuggestions(t, snapshot(t), []suggestCase{
		{"synonym of a producer", "pôle emp", "France Travail", KindProducer, 1, "France Travail"},
		{"synonym of a producer: its APIs", "pôle emp", "API Indemnisation France Travail", KindAPI, 3, "API Indemnisation France Travail"},
		{"expansion", "assedic", "France Travail", KindProducer, 1, "France Travail"},
		{"expansion to an acronym", "impôts", "DGFiP", KindProducer, 8, "DGFiP"},
		{"synonym group", "rib", "coordonnées bancaires", KindTerm, 2, "coordonnées bancaires"},
		{"synonym group of several words", "code ape", "nomenclature d'activités française", KindTerm, 2, "nomenclature d&#39;activités française"},
		{"former acronym", "dinsi", "DINUM", KindProducer, 1, "DINUM"},
		{"everyday word", "toubib", "médecin", KindTerm, 1, "médecin"},
		{"English word", "healt", "Santé", KindTheme, 1, "Santé"},
	})
	checkSuggestions(t, defaultIndex(t), []suggestCase{
		{"former name", "erdf", "Enedis", KindProducer, 1, "Enedis"},
		{"former name: its APIs", "erdf", "API Données ouvertes Enedis", KindAPI, 2, "API Données ouvertes Enedis"},
		{"former name of several words", "asip sa", "Agence du numérique en santé", KindProducer, 1, "Agence du numérique en santé"},
		{"former name in any case", "INSTITUT GÉOGRAPHIQUE NAT", "Institut national de l'information géographique et forestière", KindProducer, 3, "Institut"},
		{"English word", "weath", "météo", KindTerm, 1, "météo"},
	})
}

// TestSuggestOtherNamesRules checks, on a small catalogue, how other names are suggested: the
// catalogue's wording, below what the typed letters find, a few at most, only when a search
// knows them.
func TestSuggestOtherNamesRules(t *testing.T) {
	c, err := catalog.Load(fstest.MapFS{
		"producers/ft.yaml":    {Data: []byte("name: France Travail\ntype: Etablissement public\nformer_names: [Pôle emploi, Assédic]\n")},
		"apis/offres.yaml":     {Data: []byte("title: API Offres d'emploi France Travail\naccess: open\nproducer: ft\nvisits: 100\n")},
		"apis/certificat.yaml": {Data: []byte("title: Certificat d'immatriculation\naccess: open\nproducer: ft\n")},
		catalog.SynonymsFile:   {Data: []byte("expansions:\n  boulot: [offres d'emploi]\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	syn := &Synonyms{
		Groups:     [][]string{{"france travail", "pôle emploi", "anpe"}, {"carte grise", "certificat d'IMMATRICULATION"}},
		Expansions: map[string][]string{"chômage": {"offres d'emploi", "absent du catalogue"}},
	}
	th := &Thesaurus{
		Everyday: map[string][]string{"offre": {"emploi"}, "taf": {"offres", "emploi", "travail", "france"}},
		English:  map[string][]string{"job offers": {"offres d'emploi"}},
	}
	tests := []struct {
		name string
		cfg  Config
		q    string
		want []string
	}{
		{"former name", Config{}, "pôle em", []string{"France Travail", "API Offres d'emploi France Travail"}},
		{"former name, accents and case aside", Config{}, "ASSÉD", []string{"France Travail", "API Offres d'emploi France Travail"}},
		{"a title keeps its wording", Config{}, "carte gr", []string{"Certificat d'immatriculation"}},
		{"the current name leads to no former name", Config{}, "france trav", []string{"API Offres d'emploi France Travail", "France Travail"}},
		{"only what a search finds", Config{}, "chôm", []string{"offres d'emploi", "API Offres d'emploi France Travail"}},
		{"English", Config{}, "job off", []string{"offres d'emploi", "API Offres d'emploi France Travail"}},
		{"the catalogue's own synonyms", Config{}, "boulo", []string{"offres d'emploi", "API Offres d'emploi France Travail"}},
		{"no synonyms of the catalogue's own", Config{NoSynonyms: true}, "boulo", []string{}},
		{"below what the typed letters find", Config{}, "offr", []string{"API Offres d'emploi France Travail", "Offres", "emploi"}},
		{"a few at most", Config{}, "taf", []string{"Offres", "emploi", "Travail"}},
		{"not under three letters", Config{}, "ta", []string{}},
		{"no synonyms: former names still", Config{NoSynonyms: true}, "pôle em", []string{"France Travail", "API Offres d'emploi France Travail"}},
		{"no synonyms", Config{NoSynonyms: true}, "carte gr", []string{}},
		{"no thesaurus", Config{NoThesaurus: true}, "job off", []string{}},
		{"no thesaurus: synonyms still", Config{NoThesaurus: true}, "chôm", []string{"offres d'emploi", "API Offres d'emploi France Travail"}},
	}
	built := make(map[Config]*Index)
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.q, func(t *testing.T) {
			ix := built[tt.cfg]
			if ix == nil {
				cfg := tt.cfg
				cfg.Synonyms, cfg.Thesaurus = syn, th
				if ix, err = Build(context.Background(), c, cfg); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ix.Close() })
				built[tt.cfg] = ix
			}
			got := ix.Suggest(tt.q, DefaultSuggestions)
			if !slices.Equal(texts(got), tt.want) {
				t.Fatalf("%q suggests %q, want %q", tt.q, texts(got), tt.want)
			}
			for _, s := range got {
				if s.Text == "Certificat d'immatriculation" && (s.Kind != KindAPI || s.Slug != "certificat") {
					t.Errorf("the title is suggested as %q, slug %q", s.Kind, s.Slug)
				}
			}
		})
	}
}

// TestSuggestOtherNamesFindResults types the first three to six letters of every other name a
// search knows (synonyms, expansions, thesaurus words, producers' former names) and checks that
// every suggestion finds something, and that those found through other names (no typed letter
// marked) are a few, after the others.
func TestSuggestOtherNamesFindResults(t *testing.T) {
	for _, tc := range []struct {
		name string
		ix   func(testing.TB) *Index
	}{
		{"snapshot", snapshot},
		{"default catalogue", defaultIndex},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.ix(t)
			names := make(map[string]bool)
			syn := ix.cfg.Synonyms.with(ix.catalog.Synonyms)
			for _, g := range syn.Groups {
				for _, m := range g {
					names[m] = true
				}
			}
			for _, m := range []map[string][]string{syn.Expansions, ix.cfg.Thesaurus.Everyday, ix.cfg.Thesaurus.English} {
				for k := range m {
					names[k] = true
				}
			}
			for _, e := range ix.catalog.Entries {
				for _, n := range e.Producer.FormerNames {
					names[n] = true
				}
			}
			prefixes := make(map[string]bool)
			for n := range names {
				folded := []rune(catalog.Fold(n))
				for l := aliasFrom; l <= min(6, len(folded)); l++ {
					prefixes[strings.TrimSpace(string(folded[:l]))] = true
				}
			}
			finds := make(map[string]bool) // suggestion text → a search for it finds something
			suggesting := 0                // prefixes that suggest something through other names
			for _, q := range slices.Sorted(maps.Keys(prefixes)) {
				got := ix.Suggest(q, DefaultSuggestions)
				others := 0
				for i, s := range got {
					if _, ok := finds[s.Text]; !ok {
						finds[s.Text] = run(t, ix, Request{Query: s.Text + " "}).Total > 0
					}
					if !finds[s.Text] {
						t.Errorf("%q: suggestion %q finds nothing", q, s.Text)
					}
					if strings.Contains(s.Highlight, "<mark>") {
						if others > 0 {
							t.Errorf("%q: %q comes after %q, found through another name", q, s.Text, got[i-1].Text)
						}
						continue
					}
					if s.Highlight != html.EscapeString(s.Text) {
						t.Errorf("%q: highlight %q of %q", q, s.Highlight, s.Text)
					}
					others++
				}
				if others > maxAliasSuggestions {
					t.Errorf("%q: %d suggestions through other names, want at most %d", q, others, maxAliasSuggestions)
				}
				if others > 0 {
					suggesting++
				}
			}
			if suggesting < len(prefixes)/2 {
				t.Errorf("%d of %d prefixes suggest something through other names, want half at least", suggesting, len(prefixes))
			}
			t.Logf("%d prefixes of %d other names, %d suggesting through them, %d texts searched", len(prefixes), len(names), suggesting, len(finds))
		})
	}
}

// BenchmarkSuggestOtherName types a former name, also an expansion's key, over the snapshot.
func BenchmarkSuggestOtherName(b *testing.B) { benchmarkSuggest(b, "pôle emp") }
