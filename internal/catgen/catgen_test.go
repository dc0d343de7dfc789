package catgen

import (
	"testing"

	"apisearch/catalog"
)

func TestGenerate(t *testing.T) {
	sample, err := catalog.Load(catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Load(Generate(sample, 1000, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 1000 || c.Count(catalog.SeverityError) != 0 {
		t.Fatalf("%d entries, %d errors: %v", len(c.Entries), c.Count(catalog.SeverityError), c.Problems[:min(3, len(c.Problems))])
	}
	access := map[catalog.Access]int{}
	for _, e := range c.Entries {
		access[e.Access]++
	}
	if len(access) != 3 || len(c.Themes()) < 10 || len(c.Producers) != 50 {
		t.Errorf("access %v, %d themes, %d producers: not like the sample", access, len(c.Themes()), len(c.Producers))
	}
	again, _ := catalog.Load(Generate(sample, 1000, 1))
	if again.Entries[500].Title != c.Entries[500].Title {
		t.Errorf("the same seed gave another catalogue")
	}
}
