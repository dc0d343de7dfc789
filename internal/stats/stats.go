// Package stats counts, in bounded memory and as aggregates only, what the public does with
// the service: searches, autocompletes, results found or not, latencies, frequent queries and
// the words of queries that nothing in the catalogue matched.
// It keeps no address and nothing about any one person.
package stats

import (
	"container/heap"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"apisearch/catalog"
)

// Bounds on memory.
const (
	keepDays       = 30  // days of daily figures kept
	trackedQueries = 500 // distinct queries tracked for the most frequent ones
	maxQueryRunes  = 80  // a tracked query is cut to this length
	trackedWords   = 500 // distinct unknown words tracked for the most frequent ones
	wordsPerQuery  = 8   // unknown words kept of one search
	maxWordRunes   = 40  // an unknown word is cut to this length
	// latency buckets: from 50µs, each 25% wider, up to about 10 minutes.
	bucketBase   = 50 * time.Microsecond
	bucketGrowth = 1.25
	bucketCount  = 74
)

// Recorder accumulates the figures; its methods are safe for concurrent use.
type Recorder struct {
	now func() time.Time

	mu        sync.Mutex
	since     time.Time
	total     counters
	days      map[string]*counters // by date, YYYY-MM-DD (UTC)
	queries   *topK
	zeroQuery *topK
	// zeroWords are the unknown words of the queries zeroQuery tracks, and of no other.
	zeroWords map[string][]string
	unknown   *topK // words that nothing in the catalogue matched
}

// counters are the figures of a period.
type counters struct {
	searches, autocompletes, zeroResults int
	searchLatency, autocompleteLatency   histogram
}

// histogram counts latencies in log-spaced buckets: percentiles within 25%.
type histogram [bucketCount]int

func (h *histogram) add(d time.Duration) {
	i := 0
	if d > bucketBase {
		i = int(math.Ceil(math.Log(float64(d)/float64(bucketBase)) / math.Log(bucketGrowth)))
	}
	h[min(i, bucketCount-1)]++
}

// percentile returns the upper bound of the bucket holding the p-th percentile, in ms.
func (h *histogram) percentile(p float64) float64 {
	n := 0
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(n)))
	seen := 0
	for i, c := range h {
		seen += c
		if seen >= rank {
			upper := float64(bucketBase) * math.Pow(bucketGrowth, float64(i))
			return math.Round(upper/float64(time.Millisecond)*1000) / 1000
		}
	}
	return 0
}

// New returns a recorder whose clock is now (time.Now when nil).
func New(now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{now: now, since: now().UTC(), days: make(map[string]*counters),
		queries: newTopK(trackedQueries), zeroQuery: newTopK(trackedQueries),
		zeroWords: make(map[string][]string), unknown: newTopK(trackedWords)}
}

func (r *Recorder) today() *counters {
	day := r.now().UTC().Format(time.DateOnly)
	c := r.days[day]
	if c == nil {
		c = &counters{}
		r.days[day] = c
		if len(r.days) > keepDays {
			var oldest string
			for d := range r.days {
				if oldest == "" || d < oldest {
					oldest = d
				}
			}
			delete(r.days, oldest)
		}
	}
	return c
}

// Normalize is how queries are counted: folded, spaces collapsed, cut to a bounded length.
func Normalize(q string) string {
	q = catalog.Fold(q)
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = strings.TrimSpace(string([]rune(q)[:maxQueryRunes]))
	}
	return q
}

// unknownWords normalizes the unknown words of one search as they are counted: folded, cut
// to a bounded length, each once, at most wordsPerQuery of them.
func unknownWords(words []string) []string {
	var out []string
	for _, w := range words {
		w = catalog.Fold(w)
		if utf8.RuneCountInString(w) > maxWordRunes {
			w = string([]rune(w)[:maxWordRunes])
		}
		if w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
		if len(out) == wordsPerQuery {
			break
		}
	}
	return out
}

// Search records a search of q that found total results in took; unknown are the words of q
// that nothing in the catalogue matched. Only first pages count as queries, so that paging
// through results does not count a query twice.
func (r *Recorder) Search(q string, firstPage bool, total int, took time.Duration, unknown ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	day := r.today()
	for _, c := range []*counters{&r.total, day} {
		c.searches++
		c.searchLatency.add(took)
		if total == 0 {
			c.zeroResults++
		}
	}
	if q := Normalize(q); q != "" && firstPage {
		r.queries.add(q)
		words := unknownWords(unknown)
		for _, w := range words {
			r.unknown.add(w)
		}
		if total == 0 {
			delete(r.zeroWords, r.zeroQuery.add(q))
			if len(words) > 0 {
				r.zeroWords[q] = words
			} else {
				delete(r.zeroWords, q)
			}
		}
	}
}

// Autocomplete records a suggestion lookup that took took.
func (r *Recorder) Autocomplete(took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range []*counters{&r.total, r.today()} {
		c.autocompletes++
		c.autocompleteLatency.add(took)
	}
}

// Figures are the figures of a period.
type Figures struct {
	Searches      int     `json:"searches"`
	Autocompletes int     `json:"autocompletes"`
	ZeroResults   int     `json:"zero_result_searches"`
	SearchP50MS   float64 `json:"search_p50_ms"`
	SearchP95MS   float64 `json:"search_p95_ms"`
	SuggestP50MS  float64 `json:"autocomplete_p50_ms"`
	SuggestP95MS  float64 `json:"autocomplete_p95_ms"`
}

func (c *counters) figures() Figures {
	return Figures{
		Searches: c.searches, Autocompletes: c.autocompletes, ZeroResults: c.zeroResults,
		SearchP50MS: c.searchLatency.percentile(.5), SearchP95MS: c.searchLatency.percentile(.95),
		SuggestP50MS: c.autocompleteLatency.percentile(.5), SuggestP95MS: c.autocompleteLatency.percentile(.95),
	}
}

// Day is the figures of one day.
type Day struct {
	Date string `json:"date"`
	Figures
}

// QueryCount is a query and about how many times it was searched.
type QueryCount struct {
	Query string `json:"query"`
	Count int    `json:"count"`
}

// ZeroResultQuery is a query that found nothing, about how many times it was searched, and
// the words of it that nothing in the catalogue matched (the last time it was searched).
type ZeroResultQuery struct {
	QueryCount
	UnknownWords []string `json:"unknown_words"`
}

// WordCount is a word that nothing in the catalogue matched and about how many searches held it.
type WordCount struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

// Snapshot is every figure at one moment.
type Snapshot struct {
	Since                time.Time         `json:"since"`
	Total                Figures           `json:"total"`
	Days                 []Day             `json:"days"` // most recent first
	TopQueries           []QueryCount      `json:"top_queries"`
	TopZeroResultQueries []ZeroResultQuery `json:"top_zero_result_queries"`
	// TopUnknownWords are the words that nothing matched, in any search: what an editor adds
	// to the catalogue's synonyms file.
	TopUnknownWords []WordCount `json:"top_unknown_words"`
}

// Snapshot returns the figures, with the n most frequent queries of each kind and the n most
// frequent unknown words.
func (r *Recorder) Snapshot(n int) Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Snapshot{Since: r.since, Total: r.total.figures(), Days: []Day{},
		TopQueries: []QueryCount{}, TopZeroResultQueries: []ZeroResultQuery{}, TopUnknownWords: []WordCount{}}
	for _, q := range r.queries.top(n) {
		s.TopQueries = append(s.TopQueries, QueryCount{q.key, q.count})
	}
	for _, q := range r.zeroQuery.top(n) {
		words := append([]string{}, r.zeroWords[q.key]...)
		s.TopZeroResultQueries = append(s.TopZeroResultQueries, ZeroResultQuery{QueryCount{q.key, q.count}, words})
	}
	for _, w := range r.unknown.top(n) {
		s.TopUnknownWords = append(s.TopUnknownWords, WordCount{w.key, w.count})
	}
	for date, c := range r.days {
		s.Days = append(s.Days, Day{Date: date, Figures: c.figures()})
	}
	sort.Slice(s.Days, func(i, j int) bool { return s.Days[i].Date > s.Days[j].Date })
	return s
}

// topK finds the most frequent keys (queries, words) in bounded memory (the Space-Saving
// algorithm): when it is full, a new key replaces the least counted one and inherits its
// count, so counts of frequent keys are exact or slightly over, and no frequent key is missed.
// The keys are kept in a min-heap by count, so that finding the least counted one is cheap
// whatever a client sends.
type topK struct {
	capacity int
	items    []counted      // the heap: the least counted first
	index    map[string]int // the position of each key in items
}

// counted is a key and about how many times it was seen.
type counted struct {
	key   string
	count int
}

func newTopK(capacity int) *topK { return &topK{capacity: capacity, index: make(map[string]int)} }

// add counts q once and returns the key it replaced, "" when none.
func (t *topK) add(q string) string {
	if i, ok := t.index[q]; ok {
		t.items[i].count++
		heap.Fix(t, i)
		return ""
	}
	if len(t.items) < t.capacity {
		heap.Push(t, counted{q, 1})
		return ""
	}
	least := t.items[0]
	delete(t.index, least.key)
	t.items[0] = counted{q, least.count + 1}
	t.index[q] = 0
	heap.Fix(t, 0)
	return least.key
}

// top returns the n most counted keys, the most counted first, then in alphabetical order.
func (t *topK) top(n int) []counted {
	out := slices.Clone(t.items)
	sort.Slice(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		return out[i].key < out[j].key
	})
	return out[:min(n, len(out))]
}

// Len, Less, Swap, Push and Pop make topK a heap.Interface, ordered by count then key.
func (t *topK) Len() int { return len(t.items) }

func (t *topK) Less(i, j int) bool {
	a, b := t.items[i], t.items[j]
	return a.count < b.count || a.count == b.count && a.key < b.key
}

func (t *topK) Swap(i, j int) {
	t.items[i], t.items[j] = t.items[j], t.items[i]
	t.index[t.items[i].key], t.index[t.items[j].key] = i, j
}

func (t *topK) Push(x any) {
	c := x.(counted)
	t.index[c.key] = len(t.items)
	t.items = append(t.items, c)
}

func (t *topK) Pop() any {
	c := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	delete(t.index, c.key)
	return c
}
