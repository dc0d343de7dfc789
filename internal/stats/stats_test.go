package stats

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRecorder(t *testing.T) {
	now := time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC)
	r := New(func() time.Time { return now })
	r.Search(Search{Query: "Adresse", FirstPage: true, Total: 3, Took: 2 * time.Millisecond})
	r.Search(Search{Query: "  adresse ", FirstPage: true, Total: 3, Took: 4 * time.Millisecond})
	r.Search(Search{Query: "adresse", Total: 3, Took: 4 * time.Millisecond}) // page 2: not a new query
	r.Search(Search{Query: "Météo", FirstPage: true, Took: time.Millisecond})
	r.Search(Search{Query: "Météo", FirstPage: true, Typing: true, Took: time.Millisecond}) // as typed: apart
	now = now.Add(2 * time.Minute)                                                          // the next day
	r.Search(Search{Query: "meteo", FirstPage: true, Took: 100 * time.Millisecond})
	r.Click("Adresse", "api-adresse")
	r.Autocomplete(200 * time.Microsecond)
	r.Autocomplete(300 * time.Microsecond)

	s := r.Snapshot(10, Full)
	if s.Total.Searches != 5 || s.Total.TypingSearches != 1 || s.Total.Autocompletes != 2 || s.Total.ZeroResults != 2 ||
		s.Total.Clicks != 1 || s.Total.ClickRate != 0.2 || s.Total.ZeroResultRate != 0.4 {
		t.Errorf("totals = %+v", s.Total)
	}
	if len(s.Days) != 2 || s.Days[0].Date != "2026-11-23" || s.Days[0].Searches != 1 || s.Days[1].Searches != 4 {
		t.Errorf("days = %+v", s.Days)
	}
	if fmt.Sprint(s.TopQueries) != "[{{adresse 2} 1} {{meteo 2} 0}]" || fmt.Sprint(s.TopZeroResultQueries) != "[{{meteo 2} []}]" {
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
		r.Search(Search{Query: fmt.Sprintf("requête rare %d", i), FirstPage: true, Total: 1})
		r.Search(Search{Query: "entreprise", FirstPage: true, Total: 1})
		r.Click(fmt.Sprintf("requête rare %d", i), fmt.Sprintf("api-%d", i))
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
	if n := len(r.clicked.index); n > trackedClicked {
		t.Errorf("%d clicked results tracked, bound %d", n, trackedClicked)
	}
	if top := r.Snapshot(1, Full).TopQueries; top[0].Query != "entreprise" || top[0].Count < 10*trackedQueries {
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
				r.Search(Search{Query: s.q, FirstPage: s.firstPage, Total: s.total, UnknownWords: s.unknown})
			}
			s := r.Snapshot(10, Full)
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
		r.Search(Search{Query: fmt.Sprintf("requête rare %d", i), FirstPage: true, UnknownWords: words})
		r.Search(Search{Query: "toubib", FirstPage: true, UnknownWords: []string{"toubib"}})
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
	top := r.Snapshot(1, Full)
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
				if r := k.add(key, 0); r != "" {
					replaced = append(replaced, r)
				}
			}
			if got := strings.Join(replaced, " "); got != tt.replaced {
				t.Errorf("replaced %q, want %q", got, tt.replaced)
			}
			var top []string
			for _, c := range k.top(10, func(counted) bool { return true }) {
				top = append(top, fmt.Sprintf("{%s %d}", c.key, c.count))
			}
			if got := "[" + strings.Join(top, " ") + "]"; got != tt.top {
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

func TestPublicView(t *testing.T) {
	type search struct {
		q, client string
		days      int // after the first day
		total     int
		unknown   string
	}
	// repeat is n searches of q by one client on the first day.
	repeat := func(q, client string, n int) []search {
		out := make([]search, n)
		for i := range out {
			out[i] = search{q: q, client: client, total: 1}
		}
		return out
	}
	// clients is one search of q by each of n clients on day.
	clients := func(q string, n, day, total int, unknown string) []search {
		out := make([]search, n)
		for i := range out {
			out[i] = search{q: q, client: fmt.Sprintf("192.0.2.%d", i), days: day, total: total, unknown: unknown}
		}
		return out
	}
	tests := []struct {
		name                  string
		searches              []search
		opened                [][2]string // query, slug
		public, full          string      // top queries
		zero, words           string      // public queries without result, unknown words
		neverClicked, clicked string      // public
	}{
		{name: "one client repeating a query a thousand times is not shown",
			searches: repeat("06 12 34 56 78", "198.51.100.7", 1000),
			public:   "[]", full: "[{{06 12 34 56 78 1000} 0}]", zero: "[]", words: "[]", neverClicked: "[]", clicked: "[]"},
		{name: "four clients are not enough",
			searches: clients("adresse", PublicClients-1, 0, 1, ""),
			public:   "[]", full: "[{{adresse 4} 0}]", zero: "[]", words: "[]", neverClicked: "[]", clicked: "[]"},
		{name: "five clients the same day show a query",
			searches: clients("adresse", PublicClients, 0, 1, ""),
			opened:   [][2]string{{"adresse", "api-adresse"}},
			public:   "[{{adresse 5} 1}]", full: "[{{adresse 5} 1}]", zero: "[]", words: "[]", neverClicked: "[]",
			clicked: "[{adresse api-adresse 1}]"},
		{name: "four clients one day and four the next are not enough",
			searches: append(clients("adresse", PublicClients-1, 0, 1, ""), clients("adresse", PublicClients-1, 1, 1, "")...),
			public:   "[]", full: "[{{adresse 8} 0}]", zero: "[]", words: "[]", neverClicked: "[]", clicked: "[]"},
		{name: "a query shown stays shown the next days",
			searches: append(clients("adresse", PublicClients, 0, 1, ""), search{q: "adresse", client: "x", days: 3, total: 1}),
			public:   "[{{adresse 6} 0}]", full: "[{{adresse 6} 0}]", zero: "[]", words: "[]", neverClicked: "[{adresse 6}]", clicked: "[]"},
		{name: "queries without result and unknown words need five clients too",
			searches: append(clients("toubib", PublicClients, 0, 0, "toubib"), repeat("spam", "x", 50)...),
			public:   "[{{toubib 5} 0}]", full: "[{{spam 50} 0} {{toubib 5} 0}]",
			zero: "[{{toubib 5} [toubib]}]", words: "[{toubib 5}]", neverClicked: "[]", clicked: "[]"},
		{name: "a result opened is shown only with a public query",
			searches: append(clients("adresse", PublicClients, 0, 1, ""), repeat("secret", "x", 10)...),
			opened:   [][2]string{{"adresse", "api-adresse"}, {"secret", "api-adresse"}, {"Adresse", "api-geo"}, {"adresse", "api-adresse"}},
			public:   "[{{adresse 5} 3}]", full: "[{{secret 10} 1} {{adresse 5} 3}]", zero: "[]", words: "[]", neverClicked: "[]",
			clicked: "[{adresse api-adresse 2} {adresse api-geo 1}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			now := start
			r := New(func() time.Time { return now })
			for _, s := range tt.searches {
				now = start.AddDate(0, 0, s.days)
				var unknown []string
				if s.unknown != "" {
					unknown = []string{s.unknown}
				}
				r.Search(Search{Query: s.q, FirstPage: true, Total: s.total, UnknownWords: unknown, Client: s.client})
			}
			for _, c := range tt.opened {
				r.Click(c[0], c[1])
			}
			pub, full := r.Snapshot(10, Public), r.Snapshot(10, Full)
			for _, check := range []struct{ what, got, want string }{
				{"public top queries", fmt.Sprint(pub.TopQueries), tt.public},
				{"full top queries", fmt.Sprint(full.TopQueries), tt.full},
				{"public queries without result", fmt.Sprint(pub.TopZeroResultQueries), tt.zero},
				{"public unknown words", fmt.Sprint(pub.TopUnknownWords), tt.words},
				{"public queries never clicked", fmt.Sprint(pub.NeverClickedQueries), tt.neverClicked},
				{"public clicked results", fmt.Sprint(pub.TopClicked), tt.clicked},
			} {
				if check.got != check.want {
					t.Errorf("%s = %s, want %s", check.what, check.got, check.want)
				}
			}
			if strings.Contains(fmt.Sprint(full), "192.0.2.") || strings.Contains(fmt.Sprintf("%#v", r.queries.items), "192.0.2.") {
				t.Errorf("the statistics hold a client address")
			}
		})
	}
}

// TestRecorderMemory fills every bound with the longest keys clients can send, in 4-byte
// letters, over more days than are kept: the heap holds the recorder within maxRecorderBytes.
func TestRecorderMemory(t *testing.T) {
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := New(func() time.Time { return now })
	long := strings.Repeat("𝔞", 2*maxQueryRunes)
	for i := range 4 * trackedQueries {
		q := fmt.Sprintf("%d%s", i, long)
		words := make([]string, 2*wordsPerQuery)
		for j := range words {
			words[j] = fmt.Sprintf("%d-%d%s", i, j, long)
		}
		for c := range PublicClients {
			r.Search(Search{Query: q, FirstPage: true, UnknownWords: words, Client: fmt.Sprint(c, i)})
		}
		r.Click(q, fmt.Sprintf("%d%s", i, strings.Repeat("s", 3*maxSlugBytes)))
		if i%20 == 0 {
			now = now.Add(24 * time.Hour)
		}
	}
	grown := int64(heap()) - int64(before)
	if grown > maxRecorderBytes {
		t.Errorf("a full recorder holds %d bytes, bound %d", grown, maxRecorderBytes)
	}
	t.Logf("a full recorder holds %d bytes", grown)
	runtime.KeepAlive(r)
}
