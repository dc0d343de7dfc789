package index

import (
	"strings"
	"testing"
)

// TestParseQuery prints what a query says before any lookup.
func TestParseQuery(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{"adresse", "text(adresse) typing"},
		{"adresse ", "text(adresse)"},
		{"valeurs foncières", "text(valeurs foncières) typing"},
		{`"de la" adresse`, `text(adresse) phrase("de la") typing`},
		{`"base adresse"`, `phrase("base adresse")`},
		{`unclosed "quote`, "text(unclosed quote) typing"},
		{"legifrance -dila", `text(legifrance) not("dila")`},
		{"-dila", `not("dila")`},
		{`offres d'emploi -"france travail"`, `text(offres d'emploi) not("france travail")`},
		{`-"france travail" emploi`, `text(emploi) not("france travail") typing`},
		{"loire-atlantique", "text(loire-atlantique) typing"},
		{"plan - vélo", "text(plan - vélo) typing"},
		{"a -", "text(a -)"},
		{"--double", "text(--double) typing"},
		{`-"`, ""},
		{`-""`, ""},
		{"", ""},
	} {
		if got := ParseQuery(tt.q).String(); got != tt.want {
			t.Errorf("ParseQuery(%q) = %s, want %s", tt.q, got, tt.want)
		}
	}
}

// FuzzParseQuery checks that any text parses, that every excluded word and phrase comes from
// the query, and that parsing is pure.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"adresse", `"de la" adresse`, "legifrance -dila", `-"a b" c`, `"`, "-", `-"`, "a-b -c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		tree := ParseQuery(q)
		if again := ParseQuery(q); again.String() != tree.String() {
			t.Fatalf("ParseQuery(%q) gave %s, then %s", q, tree, again)
		}
		for _, x := range append(tree.Excluded, tree.Phrases...) {
			if x == "" || !strings.Contains(q, x) {
				t.Errorf("ParseQuery(%q) holds %q, which is not in the query", q, x)
			}
		}
	})
}
