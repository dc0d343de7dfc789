package stats

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRecorder(t *testing.T) {
	now := time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC)
	r := New(func() time.Time { return now })
	r.Search("Adresse", true, 3, 2*time.Millisecond)
	r.Search("  adresse ", true, 3, 4*time.Millisecond)
	r.Search("adresse", false, 3, 4*time.Millisecond) // page 2: not a new query
	r.Search("Météo", true, 0, time.Millisecond)
	now = now.Add(2 * time.Minute) // the next day
	r.Search("meteo", true, 0, 100*time.Millisecond)
	r.Autocomplete(200 * time.Microsecond)
	r.Autocomplete(300 * time.Microsecond)

	s := r.Snapshot(10)
	if s.Total.Searches != 5 || s.Total.Autocompletes != 2 || s.Total.ZeroResults != 2 {
		t.Errorf("totals = %+v", s.Total)
	}
	if len(s.Days) != 2 || s.Days[0].Date != "2026-11-23" || s.Days[0].Searches != 1 || s.Days[1].Searches != 4 {
		t.Errorf("days = %+v", s.Days)
	}
	if fmt.Sprint(s.TopQueries) != "[{adresse 2} {meteo 2}]" || fmt.Sprint(s.TopZeroResultQueries) != "[{{meteo 2} []}]" {
		t.Errorf("top queries = %v, zero = %v", s.TopQueries, s.TopZeroResultQueries)
	}
	// Percentiles within a bucket (25%) of the truth: p50 of 1, 2, 4, 4, 100 ms is 4 ms.
	if p := s.Total.SearchP50MS; p < 4 || p > 5 {
		t.Errorf("search p50 = %v ms, want about 4", p)
	}
	if p := s.Total.SearchP95MS; p < 100 || p > 125 {
		t.Errorf("search p95 = %v ms, want about 100", p)
	}
}

func TestBoundedMemory(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := New(func() time.Time { return now })
	for i := range 10 * trackedQueries {
		r.Search(fmt.Sprintf("requête rare %d", i), true, 1, time.Millisecond)
		r.Search("entreprise", true, 1, time.Millisecond)
		if i%100 == 0 {
			now = now.Add(24 * time.Hour)
		}
	}
	if n := len(r.queries.index); n > trackedQueries {
		t.Errorf("%d queries tracked, bound %d", n, trackedQueries)
	}
	if n := len(r.days); n > keepDays {
		t.Errorf("%d days kept, bound %d", n, keepDays)
	}
	if top := r.Snapshot(1).TopQueries; top[0].Query != "entreprise" || top[0].Count < 10*trackedQueries {
		t.Errorf("the frequent query was lost among rare ones: %v", top)
	}
	if n := len(r.zeroWords); n != 0 {
		t.Errorf("%d queries without result hold unknown words, none was given", n)
	}
	long := Normalize(string(make([]rune, 500)) + "x")
	if len([]rune(long)) > maxQueryRunes {
		t.Errorf("a query is kept at %d characters", len([]rune(long)))
	}
}

func TestUnknownWords(t *testing.T) {
	type search struct {
		q         string
		firstPage bool
		total     int
		unknown   []string
	}
	tests := []struct {
		name     string
		searches []search
		zero     string // the queries without result, with their unknown words
		words    string // the most frequent unknown words
	}{
		{"a query without result names its unknown words",
			[]search{{"Toubib Paris", true, 0, []string{"Toubib"}}},
			"[{{toubib paris 1} [toubib]}]", "[{toubib 1}]"},
		{"a partial answer counts its unknown words, not a query without result",
			[]search{{"adresse toubib", true, 4, []string{"toubib"}}},
			"[]", "[{toubib 1}]"},
		{"a word is folded and counted once a search",
			[]search{{"Médecin médecin", true, 0, []string{"Médecin", "medecin"}}},
			"[{{medecin medecin 1} [medecin]}]", "[{medecin 1}]"},
		{"further pages count nothing",
			[]search{{"toubib", false, 0, []string{"toubib"}}},
			"[]", "[]"},
		{"a phrase that finds nothing has no unknown word",
			[]search{{`"adresse entreprise"`, true, 0, nil}},
			`[{{"adresse entreprise" 1} []}]`, "[]"},
		{"the last search of a query gives its words",
			[]search{{"xyz", true, 0, []string{"xyz"}}, {"XYZ", true, 0, nil}},
			"[{{xyz 2} []}]", "[{xyz 1}]"},
		{"the most frequent word first",
			[]search{{"toubib", true, 0, []string{"toubib"}}, {"bagnole", true, 0, []string{"bagnole"}}, {"toubib paris", true, 3, []string{"toubib"}}},
			"[{{bagnole 1} [bagnole]} {{toubib 1} [toubib]}]", "[{toubib 2} {bagnole 1}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(nil)
			for _, s := range tt.searches {
				r.Search(s.q, s.firstPage, s.total, time.Millisecond, s.unknown...)
			}
			s := r.Snapshot(10)
			if got := fmt.Sprint(s.TopZeroResultQueries); got != tt.zero {
				t.Errorf("queries without result = %s, want %s", got, tt.zero)
			}
			if got := fmt.Sprint(s.TopUnknownWords); got != tt.words {
				t.Errorf("unknown words = %s, want %s", got, tt.words)
			}
		})
	}
}

func TestUnknownWordsBoundedMemory(t *testing.T) {
	r := New(nil)
	long := strings.Repeat("w", 10*maxWordRunes)
	for i := range 10 * trackedQueries {
		var words []string
		for j := range 3 * wordsPerQuery {
			words = append(words, fmt.Sprintf("%s%d-%d", long, i, j), fmt.Sprintf("mot%d-%d", i, j))
		}
		r.Search(fmt.Sprintf("requête rare %d", i), true, 0, time.Millisecond, words...)
		r.Search("toubib", true, 0, time.Millisecond, "toubib")
	}
	if n := len(r.zeroWords); n > trackedQueries {
		t.Errorf("unknown words kept for %d queries, bound %d", n, trackedQueries)
	}
	for q, words := range r.zeroWords {
		if _, ok := r.zeroQuery.index[q]; !ok {
			t.Errorf("unknown words kept for %q, a query no longer tracked", q)
		}
		if len(words) > wordsPerQuery {
			t.Errorf("%d unknown words kept for %q, bound %d", len(words), q, wordsPerQuery)
		}
		for _, w := range words {
			if n := utf8.RuneCountInString(w); n > maxWordRunes {
				t.Errorf("an unknown word is kept at %d characters, bound %d", n, maxWordRunes)
			}
		}
	}
	if n := len(r.unknown.index); n > trackedWords {
		t.Errorf("%d unknown words tracked, bound %d", n, trackedWords)
	}
	top := r.Snapshot(1)
	if w := top.TopUnknownWords; w[0].Word != "toubib" || w[0].Count < 10*trackedQueries {
		t.Errorf("the frequent unknown word was lost among rare ones: %v", w)
	}
	if q := top.TopZeroResultQueries; q[0].Query != "toubib" || fmt.Sprint(q[0].UnknownWords) != "[toubib]" {
		t.Errorf("the frequent query without result lost its unknown words: %v", q)
	}
}

func TestTopK(t *testing.T) {
	tests := []struct {
		name     string
		adds     string // keys added in turn, to a topK of two
		replaced string // the keys the adds replaced, in turn
		top      string
	}{
		{"under capacity nothing is replaced", "a b a", "", "[{a 2} {b 1}]"},
		{"a new key replaces the least counted and inherits its count", "a a b c", "b", "[{a 2} {c 2}]"},
		{"between equal counts the first key in order is replaced", "b a c", "a", "[{c 2} {b 1}]"},
		{"a frequent key survives a stream of rare ones", "a a a a a b c d", "b c", "[{a 5} {d 3}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newTopK(2)
			var replaced []string
			for _, key := range strings.Fields(tt.adds) {
				if r := k.add(key); r != "" {
					replaced = append(replaced, r)
				}
			}
			if got := strings.Join(replaced, " "); got != tt.replaced {
				t.Errorf("replaced %q, want %q", got, tt.replaced)
			}
			if got := fmt.Sprint(k.top(10)); got != tt.top {
				t.Errorf("top = %s, want %s", got, tt.top)
			}
			for key, i := range k.index {
				if k.items[i].key != key {
					t.Errorf("index says %q is at %d, which holds %q", key, i, k.items[i].key)
				}
			}
		})
	}
}
