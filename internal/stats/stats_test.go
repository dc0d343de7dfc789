package stats

import (
	"fmt"
	"testing"
	"time"
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
	if fmt.Sprint(s.TopQueries) != "[{adresse 2} {meteo 2}]" || fmt.Sprint(s.TopZeroResultQueries) != "[{meteo 2}]" {
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
	if n := len(r.queries.counts); n > trackedQueries {
		t.Errorf("%d queries tracked, bound %d", n, trackedQueries)
	}
	if n := len(r.days); n > keepDays {
		t.Errorf("%d days kept, bound %d", n, keepDays)
	}
	if top := r.Snapshot(1).TopQueries; top[0].Query != "entreprise" || top[0].Count < 10*trackedQueries {
		t.Errorf("the frequent query was lost among rare ones: %v", top)
	}
	long := Normalize(string(make([]rune, 500)) + "x")
	if len([]rune(long)) > maxQueryRunes {
		t.Errorf("a query is kept at %d characters", len([]rune(long)))
	}
}
