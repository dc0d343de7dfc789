// Package stats counts, in bounded memory and as aggregates only, what the public does with
// the service: settled searches (as-you-type ones apart), autocompletes, results found or
// not, results opened, latencies, frequent queries and the words of queries that nothing in
// the catalogue matched; it saves them to a file and reads them back at start.
// It keeps no address and nothing about any one person: distinct clients are counted by a
// hash salted with a secret that changes every day and is never saved.
package stats

import (
	"container/heap"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"apisearch/catalog"
)

// Bounds on memory: whatever clients send, a recorder holds less than maxRecorderBytes
// (TestRecorderMemory measures about 1.7 MB with every key at its longest).
const (
	keepDays       = 30  // days of daily figures kept
	trackedQueries = 500 // distinct queries tracked for the most frequent ones
	maxQueryRunes  = 80  // a tracked query is cut to this length
	trackedWords   = 500 // distinct unknown words tracked for the most frequent ones
	wordsPerQuery  = 8   // unknown words kept of one search
	maxWordRunes   = 40  // an unknown word is cut to this length
	trackedClicked = 500 // distinct (query, opened result) pairs tracked
	maxSlugBytes   = 100 // an opened result's slug is cut to this length
	// latency buckets: from 50µs, each 25% wider, up to about 10 minutes.
	bucketBase   = 50 * time.Microsecond
	bucketGrowth = 1.25
	bucketCount  = 74
	// maxRecorderBytes is what a recorder may hold at most, whatever clients send.
	maxRecorderBytes = 3 << 20
)

// PublicClients is how many distinct clients must send a query or a word on the same day
// before the public statistics show it, so that no one can put a phone number or a URL on
// them by repeating it; the full view, for the admin, shows every one.
const PublicClients = 5

// Recorder accumulates the figures; its methods are safe for concurrent use.
type Recorder struct {
	now func() time.Time

	mu        sync.Mutex
	since     time.Time
	total     counters
	days      map[string]*counters // by date, YYYY-MM-DD (UTC)
	queries   *topK                // settled queries, with their clicks
	zeroQuery *topK
	// zeroWords are the unknown words of the queries zeroQuery tracks, and of no other.
	zeroWords map[string][]string
	unknown   *topK // words that nothing in the catalogue matched
	clicked   *topK // a query and the slug of a result opened from it, joined by clickSep
	// seed salts the hashes of clients for the day seedDay; a new one is drawn each day and
	// none is ever saved, so that a hash says nothing of an address, nor links two days.
	seed    maphash.Seed
	seedDay string
	// date is today's date as days are named, valid from dateStart to dateEnd: formatted
	// once a day rather than at every search.
	date               string
	dateStart, dateEnd time.Time
}

// clickSep joins a query and a slug in the keys of Recorder.clicked: neither holds it.
const clickSep = "\x00"

// counters are the figures of a period, as saved in the statistics file.
type counters struct {
	Searches            int       `json:"searches"` // settled searches
	Typing              int       `json:"typing"`   // as-you-type searches
	Autocompletes       int       `json:"autocompletes"`
	ZeroResults         int       `json:"zero_results"`
	Clicks              int       `json:"clicks"`
	SearchLatency       histogram `json:"search_latency"`
	AutocompleteLatency histogram `json:"autocomplete_latency"`
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
		zeroWords: make(map[string][]string), unknown: newTopK(trackedWords), clicked: newTopK(trackedClicked)}
}

// today returns today's date (UTC), YYYY-MM-DD, which names its figures.
func (r *Recorder) today() string {
	now := r.now()
	if now.Before(r.dateStart) || !now.Before(r.dateEnd) {
		now = now.UTC()
		r.date = now.Format(time.DateOnly)
		r.dateStart = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		r.dateEnd = r.dateStart.AddDate(0, 0, 1)
	}
	return r.date
}

// client returns the hash of a client on day (today), drawing a new salt on a new day; the
// distinct clients counted so far are then forgotten.
func (r *Recorder) client(c, day string) uint32 {
	if day != r.seedDay {
		r.seed, r.seedDay = maphash.MakeSeed(), day
		for _, t := range []*topK{r.queries, r.zeroQuery, r.unknown} {
			t.newDay()
		}
	}
	return uint32(maphash.String(r.seed, c))
}

// figuresOf returns the figures of day, made on its first use, when the oldest day beyond
// keepDays is dropped.
func (r *Recorder) figuresOf(day string) *counters {
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

// Search is one search, as the statistics count it.
type Search struct {
	Query string
	// FirstPage: only first pages count as queries, so that paging through results does not
	// count a query twice.
	FirstPage bool
	// Typing marks a search sent as the person types: counted apart, as typing searches, and
	// in nothing else.
	Typing bool
	Total  int // results found
	Took   time.Duration
	// UnknownWords are the words of Query that nothing in the catalogue matched.
	UnknownWords []string
	// Client is who searched (an address, a network): only a hash of it, salted with a secret
	// of the day, is kept, to count the distinct clients that sent a query.
	Client string
}

// Search records a search.
func (r *Recorder) Search(s Search) {
	r.mu.Lock()
	defer r.mu.Unlock()
	date := r.today()
	day := r.figuresOf(date)
	if s.Typing {
		r.total.Typing++
		day.Typing++
		return
	}
	for _, c := range []*counters{&r.total, day} {
		c.Searches++
		c.SearchLatency.add(s.Took)
		if s.Total == 0 {
			c.ZeroResults++
		}
	}
	q := Normalize(s.Query)
	if q == "" || !s.FirstPage {
		return
	}
	client := r.client(s.Client, date)
	r.queries.add(q, client)
	r.queries.get(q).found = s.Total > 0
	words := unknownWords(s.UnknownWords)
	for _, w := range words {
		r.unknown.add(w, client)
	}
	if s.Total == 0 {
		delete(r.zeroWords, r.zeroQuery.add(q, client))
		if len(words) > 0 {
			r.zeroWords[q] = words
		} else {
			delete(r.zeroWords, q)
		}
	}
}

// Click records that the result slug (an API of the catalogue: the caller checks it) was
// opened from the results of the query q.
func (r *Recorder) Click(q, slug string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total.Clicks++
	r.figuresOf(r.today()).Clicks++
	q = Normalize(q)
	if q == "" {
		return
	}
	if c := r.queries.get(q); c != nil {
		c.clicks++
	}
	if len(slug) > maxSlugBytes {
		slug = strings.ToValidUTF8(slug[:maxSlugBytes], "")
	}
	r.clicked.add(strings.ReplaceAll(q, clickSep, "")+clickSep+strings.ReplaceAll(slug, clickSep, ""), 0)
}

// Autocomplete records a suggestion lookup that took took.
func (r *Recorder) Autocomplete(took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range []*counters{&r.total, r.figuresOf(r.today())} {
		c.Autocompletes++
		c.AutocompleteLatency.add(took)
	}
}

// Figures are the figures of a period.
type Figures struct {
	// Searches are the settled ones: submitted, or typed then left on screen.
	Searches int `json:"searches"`
	// TypingSearches are those sent as the person types, counted in nothing else.
	TypingSearches int     `json:"typing_searches"`
	Autocompletes  int     `json:"autocompletes"`
	ZeroResults    int     `json:"zero_result_searches"`
	ZeroResultRate float64 `json:"zero_result_rate"` // of searches, from 0 to 1
	// Clicks are the results opened from a search; ClickRate is their number per search.
	Clicks       int     `json:"clicks"`
	ClickRate    float64 `json:"click_through_rate"`
	SearchP50MS  float64 `json:"search_p50_ms"`
	SearchP95MS  float64 `json:"search_p95_ms"`
	SuggestP50MS float64 `json:"autocomplete_p50_ms"`
	SuggestP95MS float64 `json:"autocomplete_p95_ms"`
}

func (c *counters) figures() Figures {
	return Figures{
		Searches: c.Searches, TypingSearches: c.Typing, Autocompletes: c.Autocompletes,
		ZeroResults: c.ZeroResults, ZeroResultRate: rate(c.ZeroResults, c.Searches),
		Clicks: c.Clicks, ClickRate: rate(c.Clicks, c.Searches),
		SearchP50MS: c.SearchLatency.percentile(.5), SearchP95MS: c.SearchLatency.percentile(.95),
		SuggestP50MS: c.AutocompleteLatency.percentile(.5), SuggestP95MS: c.AutocompleteLatency.percentile(.95),
	}
}

// rate is n out of of, rounded to four decimals; 0 when of is.
func rate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(of)*10000) / 10000
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

// TopQuery is a frequent query and how many results were opened from it.
type TopQuery struct {
	QueryCount
	Clicks int `json:"clicks"`
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

// ClickCount is a result opened from the results of a query, and about how many times.
type ClickCount struct {
	Query string `json:"query"`
	Slug  string `json:"slug"`
	Count int    `json:"count"`
}

// Snapshot is every figure at one moment.
type Snapshot struct {
	At                   time.Time         `json:"-"` // the moment, by the recorder's clock
	Since                time.Time         `json:"since"`
	Total                Figures           `json:"total"`
	Days                 []Day             `json:"days"` // most recent first
	TopQueries           []TopQuery        `json:"top_queries"`
	TopZeroResultQueries []ZeroResultQuery `json:"top_zero_result_queries"`
	// TopUnknownWords are the words that nothing matched, in any search: what an editor adds
	// to the catalogue's synonyms file.
	TopUnknownWords []WordCount `json:"top_unknown_words"`
	// NeverClickedQueries are queries searched often (PublicClients times at least), that
	// found results, none of which was ever opened: what the results miss.
	NeverClickedQueries []QueryCount `json:"never_clicked_queries"`
	// TopClicked are the results opened most often, with the query they were opened from.
	TopClicked []ClickCount `json:"top_clicked"`
}

// View chooses which of the queries and words clients sent a snapshot shows.
type View int

const (
	// Public shows only those that PublicClients distinct clients sent on the same day.
	Public View = iota
	// Full shows all of them, for the admin.
	Full
)

// Snapshot returns the figures, with the n most frequent queries and words of each kind that
// the view shows.
func (r *Recorder) Snapshot(n int, v View) Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	shown := func(c counted) bool { return v == Full || c.public }
	s := Snapshot{At: r.now().UTC(), Since: r.since, Total: r.total.figures(), Days: []Day{},
		TopQueries: []TopQuery{}, TopZeroResultQueries: []ZeroResultQuery{}, TopUnknownWords: []WordCount{},
		NeverClickedQueries: []QueryCount{}, TopClicked: []ClickCount{}}
	for _, q := range r.queries.top(n, shown) {
		s.TopQueries = append(s.TopQueries, TopQuery{QueryCount{q.key, q.count}, q.clicks})
	}
	for _, q := range r.zeroQuery.top(n, shown) {
		words := append([]string{}, r.zeroWords[q.key]...)
		s.TopZeroResultQueries = append(s.TopZeroResultQueries, ZeroResultQuery{QueryCount{q.key, q.count}, words})
	}
	for _, w := range r.unknown.top(n, shown) {
		s.TopUnknownWords = append(s.TopUnknownWords, WordCount{w.key, w.count})
	}
	neverClicked := func(c counted) bool { return shown(c) && c.found && c.clicks == 0 && c.count >= PublicClients }
	for _, q := range r.queries.top(n, neverClicked) {
		s.NeverClickedQueries = append(s.NeverClickedQueries, QueryCount{q.key, q.count})
	}
	// A click is shown with its query only where the query itself is.
	clickShown := func(c counted) bool {
		q, _, _ := strings.Cut(c.key, clickSep)
		query := r.queries.get(q)
		return v == Full || query != nil && query.public
	}
	for _, c := range r.clicked.top(n, clickShown) {
		q, slug, _ := strings.Cut(c.key, clickSep)
		s.TopClicked = append(s.TopClicked, ClickCount{q, slug, c.count})
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
// whatever a client sends. Each key also counts, up to PublicClients, the distinct clients
// that sent it today.
type topK struct {
	capacity int
	items    []counted      // the heap: the least counted first
	index    map[string]int // the position of each key in items
}

// counted is a key, about how many times it was seen, and what the statistics know of it.
type counted struct {
	key    string
	count  int
	clicks int  // results opened from the key (queries)
	found  bool // the last search of the key found results (queries)
	public bool // PublicClients distinct clients sent the key on the same day
	// clients are the hashes of the distinct clients that sent the key today, until public.
	clients  [PublicClients - 1]uint32
	nClients int
}

// seenBy counts client among the key's distinct clients of the day; the one that makes
// PublicClients makes the key public, for good.
func (c *counted) seenBy(client uint32) {
	if c.public || slices.Contains(c.clients[:c.nClients], client) {
		return
	}
	if c.nClients == len(c.clients) {
		c.public, c.nClients = true, 0
		return
	}
	c.clients[c.nClients] = client
	c.nClients++
}

func newTopK(capacity int) *topK { return &topK{capacity: capacity, index: make(map[string]int)} }

// add counts q once, sent by client, and returns the key it replaced, "" when none.
func (t *topK) add(q string, client uint32) string {
	if i, ok := t.index[q]; ok {
		t.items[i].count++
		t.items[i].seenBy(client)
		heap.Fix(t, i)
		return ""
	}
	if len(t.items) < t.capacity {
		c := counted{key: q, count: 1}
		c.seenBy(client)
		heap.Push(t, c)
		return ""
	}
	least := t.items[0]
	delete(t.index, least.key)
	t.items[0] = counted{key: q, count: least.count + 1}
	t.items[0].seenBy(client)
	t.index[q] = 0
	heap.Fix(t, 0)
	return least.key
}

// get returns the key's record, nil when it is not tracked; the pointer is good until the
// next add.
func (t *topK) get(q string) *counted {
	if i, ok := t.index[q]; ok {
		return &t.items[i]
	}
	return nil
}

// newDay forgets the distinct clients of the day before.
func (t *topK) newDay() {
	for i := range t.items {
		t.items[i].nClients = 0
	}
}

// top returns the n most counted keys that keep accepts, the most counted first, then in
// alphabetical order.
func (t *topK) top(n int, keep func(counted) bool) []counted {
	var out []counted
	for _, c := range t.items {
		if keep(c) {
			out = append(out, c)
		}
	}
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
