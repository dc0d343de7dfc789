package catalog

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// hostileKeys is a national-catalogue entry whose front matter holds n unknown keys of width
// bytes each, after its valid fields: about n*(width+4) bytes.
func hostileKeys(n, width int) string {
	var b strings.Builder
	b.WriteString("---\ntitle: API X\ntagline: Chercher.\nproducer: dinum\nis_open: 1\n")
	for i := range n {
		fmt.Fprintf(&b, "k%05d%s: v\n", i, strings.Repeat("x", width-6))
	}
	b.WriteString("---\nCorps.\n")
	return b.String()
}

// BenchmarkLoadHostileKeys loads a catalogue of one file just under the size cap made of 4 900
// unknown keys of 200 bytes, the shape that made the near-miss field-name check cost seconds.
func BenchmarkLoadHostileKeys(b *testing.B) {
	data := hostileKeys(4900, 200)
	if len(data) > MaxFileSize {
		b.Fatalf("hostile file is %d bytes, over the cap", len(data))
	}
	fsys := fstest.MapFS{
		"producteurs/dinum.md": {Data: []byte("---\n" + goodProducer + "---\n")},
		"api/hostile.md":       {Data: []byte(data)},
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadHostileKeysCost guards the loader's cost on a file of many unknown keys: the near-miss
// check of field names must not allocate per key and known field pair, and the keys must still
// be reported (as far as the per-file cap lets them be listed).
func TestLoadHostileKeysCost(t *testing.T) {
	const keys = 1000
	fsys := fstest.MapFS{
		"producteurs/dinum.md": {Data: []byte("---\n" + goodProducer + "---\n")},
		"api/hostile.md":       {Data: []byte(hostileKeys(keys, 200))},
	}
	var c *Catalog
	allocs := testing.AllocsPerRun(1, func() {
		var err error
		if c, err = Load(fsys); err != nil {
			t.Fatal(err)
		}
	})
	if perKey := allocs / keys; perKey > 40 {
		t.Errorf("loading a file of %d unknown keys made %.0f allocations per key, want at most 40", keys, perKey)
	}
	if c.Entry("hostile") == nil {
		t.Errorf("the entry with unknown keys was not loaded: %v", c.Problems[:min(3, len(c.Problems))])
	}
	if n := c.Count(SeverityWarning); n < keys {
		t.Errorf("%d warnings counted, want one per unknown key (%d)", n, keys)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"title", "title", 0},
		{"tagilne", "tagline", 1},
		{"extrenal_site", "external_site", 1},
		{"visit_2019", "visits_2019", 1},
		{"titel", "title", 1},
		{"prodcuers", "producer", 2},
		{"été", "ete", 2},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{strings.Repeat("a", 40), strings.Repeat("a", 39) + "b", 1},
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := EditDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { EditDistance("rate_limiting_description", "rate_limting_descripton") }); allocs != 0 {
		t.Errorf("EditDistance of two field names allocates %.0f times, want 0", allocs)
	}
}

// TestLoadHostileKeysTime compares the time to load a file of many long unknown keys with the
// time to load a file of the same size that is one long description: the keys must cost no
// more than a few times as much (the near-miss check of field names and yaml.v3's comparison of
// every key with every other once cost thirty times as much).
func TestLoadHostileKeysTime(t *testing.T) {
	hostile := hostileKeys(4900, 200)
	benign := "---\ntitle: API X\ntagline: Chercher.\nproducer: dinum\nis_open: 1\n---\n" + strings.Repeat("Corps du texte, un peu long.\n", len(hostile)/29)
	fastest := func(data string) time.Duration {
		fsys := fstest.MapFS{
			"producteurs/dinum.md": {Data: []byte("---\n" + goodProducer + "---\n")},
			"api/x.md":             {Data: []byte(data)},
		}
		best := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			c, err := Load(fsys)
			if err != nil || c.Entry("x") == nil {
				t.Fatalf("Load: %v, entry %v", err, c.Entry("x"))
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	h, b := fastest(hostile), fastest(benign)
	if h > 5*b {
		t.Errorf("a file of unknown keys took %v to load, over 5 times a file of the same size (%v)", h, b)
	}
}
