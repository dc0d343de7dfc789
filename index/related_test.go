package index

import (
	"context"
	"slices"
	"testing"
)

func relatedSlugs(t *testing.T, ix *Index, slug string, n int) []string {
	t.Helper()
	related, err := ix.Related(context.Background(), slug, n)
	if err != nil {
		t.Fatalf("Related(%s): %v", slug, err)
	}
	slugs := make([]string, len(related))
	for i, e := range related {
		slugs[i] = e.Slug
	}
	return slugs
}

func TestRelated(t *testing.T) {
	ix := defaultIndex(t)
	tests := []struct {
		slug string
		want []string // among the first three
	}{
		// Its keywords name the data other producers' APIs give (quotient familial, statut
		// étudiant, demandeur d'emploi); the same words in titles.
		{"api-particulier", []string{"api-quotient-familial", "api-statut-demandeur-emploi"}},
		{"api-sirene", []string{"api-recherche-entreprises"}},
		{"api-statut-etudiant", []string{"api-statut-etudiant-boursier"}},
	}
	for _, tt := range tests {
		got := relatedSlugs(t, ix, tt.slug, 3)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Related(%s) = %v, want %s among them", tt.slug, got, w)
			}
		}
	}
	if got := relatedSlugs(t, ix, "nope", 3); got != nil && len(got) != 0 {
		t.Errorf("Related(unknown slug) = %v, want none", got)
	}
	if got := relatedSlugs(t, ix, "api-adresse", 0); len(got) != 0 {
		t.Errorf("Related(api-adresse, 0) = %v, want none", got)
	}
}

// Over every entry of both catalogues: never the entry itself nor one of its producer's, at
// most n, the same answer twice.
func TestRelatedExcludesItselfAndItsProducer(t *testing.T) {
	for name, ix := range map[string]func(testing.TB) *Index{"default": defaultIndex, "snapshot": snapshot} {
		t.Run(name, func(t *testing.T) {
			ix := ix(t)
			c := ix.Catalog()
			found := 0
			for _, e := range c.Entries {
				got := relatedSlugs(t, ix, e.Slug, 4)
				if len(got) > 4 {
					t.Errorf("Related(%s, 4) gave %d entries", e.Slug, len(got))
				}
				found += len(got)
				for _, s := range got {
					if other := c.Entry(s); s == e.Slug || other.Producer.Slug == e.Producer.Slug {
						t.Errorf("Related(%s) lists %s, of the same producer %s", e.Slug, s, other.Producer.Slug)
					}
				}
				if again := relatedSlugs(t, ix, e.Slug, 4); !slices.Equal(again, got) {
					t.Errorf("Related(%s) = %v, then %v", e.Slug, got, again)
				}
			}
			if found < 3*len(c.Entries) {
				t.Errorf("%d related entries for %d entries: most entries should get several", found, len(c.Entries))
			}
		})
	}
}
