package index

import (
	"slices"
	"strings"
	"testing"

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
			if tt.kind == KindAPI && got[i].Slug == "" {
				t.Errorf("%q: API suggestion without a slug", tt.want)
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
