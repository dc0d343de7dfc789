// Package stats counts, in bounded memory and as aggregates only, what the public does with
// the service: searches, autocompletes, results found or not, latencies, frequent queries.
// It keeps no address and nothing about any one person.
package stats

import (
	"math"
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
		queries: newTopK(trackedQueries), zeroQuery: newTopK(trackedQueries)}
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

// Search records a search of q that found total results in took. Only first pages count
// as queries, so that paging through results does not count a query twice.
func (r *Recorder) Search(q string, firstPage bool, total int, took time.Duration) {
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
		if total == 0 {
			r.zeroQuery.add(q)
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

// Snapshot is every figure at one moment.
type Snapshot struct {
	Since                time.Time    `json:"since"`
	Total                Figures      `json:"total"`
	Days                 []Day        `json:"days"` // most recent first
	TopQueries           []QueryCount `json:"top_queries"`
	TopZeroResultQueries []QueryCount `json:"top_zero_result_queries"`
}

// Snapshot returns the figures, with the n most frequent queries of each kind.
func (r *Recorder) Snapshot(n int) Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Snapshot{Since: r.since, Total: r.total.figures(), Days: []Day{},
		TopQueries: r.queries.top(n), TopZeroResultQueries: r.zeroQuery.top(n)}
	for date, c := range r.days {
		s.Days = append(s.Days, Day{Date: date, Figures: c.figures()})
	}
	sort.Slice(s.Days, func(i, j int) bool { return s.Days[i].Date > s.Days[j].Date })
	return s
}

// topK finds the most frequent queries in bounded memory (the Space-Saving algorithm): when
// it is full, a new query replaces the least counted one and inherits its count, so counts of
// frequent queries are exact or slightly over, and no frequent query is missed.
type topK struct {
	capacity int
	counts   map[string]int
}

func newTopK(capacity int) *topK { return &topK{capacity: capacity, counts: make(map[string]int)} }

func (t *topK) add(q string) {
	if _, ok := t.counts[q]; ok || len(t.counts) < t.capacity {
		t.counts[q]++
		return
	}
	least, leastCount := "", math.MaxInt
	for k, c := range t.counts {
		if c < leastCount || c == leastCount && k < least {
			least, leastCount = k, c
		}
	}
	delete(t.counts, least)
	t.counts[q] = leastCount + 1
}

func (t *topK) top(n int) []QueryCount {
	out := make([]QueryCount, 0, len(t.counts))
	for q, c := range t.counts {
		out = append(out, QueryCount{q, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Query < out[j].Query
	})
	return out[:min(n, len(out))]
}
