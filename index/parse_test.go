package index

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
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

// queryCases are the queries whose bleve query testdata/queries.golden keeps: one per thing
// the pipeline does, so that a change to how a query is built shows in the diff.
var queryCases = []string{
	"adresse",                        // a word being typed: exact, typos, prefixes
	"valeurs foncières ",             // two words, both required, then one enough
	"open fisca ",                    // words the catalogue writes as one
	"databnf ",                       // a word the catalogue writes as two
	"localiser un défibrillateur ",   // a verb whose noun the catalogue uses
	"toubib ",                        // the thesaurus
	"carte grise ",                   // a synonym of two words
	"legifrance -dila",               // an exclusion
	`"de la" adresse `,               // a phrase of stop words only
	"je cherche zqxwv pour adresse ", // filler and a word nothing matches
	"-dila",                          // an exclusion alone
}

// TestQueryGolden checks, for each case, the parsed tree, the words as expanded and the bleve
// query (query.DumpQuery) against testdata/queries.golden; -update rewrites it.
func TestQueryGolden(t *testing.T) {
	ix := snapshot(t)
	var b strings.Builder
	for _, q := range queryCases {
		p := ix.parse(q)
		dump, err := query.DumpQuery(ix.bleve.Mapping(), combine(ix.textQuery(p), nil))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "=== %q\ntree: %s\nwords: %s\n%s\n", q, p.tree, p, dump)
	}
	const path = "testdata/queries.golden"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != b.String() {
		t.Errorf("the queries built differ from %s: rerun with -update and read the diff\n%s", path, firstDiff(string(want), b.String()))
	}
}

// TestExplain checks that an explanation tells the query's tree and why each hit scored.
func TestExplain(t *testing.T) {
	ix := snapshot(t)
	ex, err := ix.Explain(context.Background(), Request{Query: "legifrance -dila"})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Tree != ParseQuery("legifrance -dila").String() || !strings.Contains(ex.Words, "legifrance") || len(ex.Query) == 0 {
		t.Errorf("explanation = tree %q, words %q, query %d bytes", ex.Tree, ex.Words, len(ex.Query))
	}
	if len(ex.Hits) == 0 {
		t.Fatal("no hit explained")
	}
	for _, h := range ex.Hits {
		if h.Slug == "DILA_api_Legifrance" {
			t.Errorf("the excluded producer's API is explained as a hit")
		}
		if !strings.Contains(string(h.Why), "value") {
			t.Errorf("%s: no score account: %s", h.Slug, h.Why)
		}
	}
}
