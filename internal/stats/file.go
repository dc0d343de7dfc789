package stats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"
	"unicode/utf8"
)

// FileName is the name of the statistics file in the data folder.
const FileName = "stats.json"

// fileVersion is the layout of the statistics file; a file of another layout is not read.
const fileVersion = 1

// maxFileBytes bounds the statistics file read at start: the bounds on memory allow about
// 3 MB of it (TestFileBounded).
const maxFileBytes = 8 << 20

// SaveEvery is how often Keep saves the statistics.
const SaveEvery = time.Minute

// file is what the statistics file holds: the counters and the tracked keys, without the
// day's distinct clients, whose salt is never saved.
type file struct {
	Version           int                 `json:"version"`
	Since             time.Time           `json:"since"`
	Total             counters            `json:"total"`
	Days              map[string]counters `json:"days"`
	Queries           []savedKey          `json:"queries"`
	ZeroResultQueries []savedKey          `json:"zero_result_queries"`
	UnknownWords      []savedKey          `json:"unknown_words"`
	Clicked           []savedKey          `json:"clicked"`
}

// savedKey is a tracked key as saved.
type savedKey struct {
	Key    string   `json:"key"`
	Count  int      `json:"count"`
	Clicks int      `json:"clicks,omitempty"`
	Found  bool     `json:"found,omitempty"`
	Public bool     `json:"public,omitempty"`
	Words  []string `json:"words,omitempty"` // the unknown words of a query without result
}

// Save writes the statistics to path atomically: a temporary file in the same folder, synced,
// then renamed over the previous one, so that a crash leaves the previous file or the new one.
func (r *Recorder) Save(path string) error {
	data, err := json.Marshal(r.file())
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stats-*.tmp")
	if err != nil {
		return fmt.Errorf("save statistics: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if e := tmp.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save statistics: %w", err)
	}
	return nil
}

// file copies the statistics into their saved form.
func (r *Recorder) file() file {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := file{Version: fileVersion, Since: r.since, Total: r.total, Days: make(map[string]counters, len(r.days)),
		Queries: saveKeys(r.queries, nil), ZeroResultQueries: saveKeys(r.zeroQuery, r.zeroWords),
		UnknownWords: saveKeys(r.unknown, nil), Clicked: saveKeys(r.clicked, nil)}
	for day, c := range r.days {
		f.Days[day] = *c
	}
	return f
}

func saveKeys(t *topK, words map[string][]string) []savedKey {
	out := make([]savedKey, 0, len(t.items))
	for _, c := range t.items {
		out = append(out, savedKey{Key: c.key, Count: c.count, Clicks: c.clicks, Found: c.found, Public: c.public, Words: words[c.key]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Load returns a recorder holding the statistics saved at path, or a new one when there is no
// such file; a file that cannot be read as statistics is an error.
func Load(path string, now func() time.Time) (*Recorder, error) {
	r := New(now)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%s is over %d bytes: not a statistics file", path, maxFileBytes)
	}
	var saved file
	if err := json.Unmarshal(data, &saved); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := r.restore(saved); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// restore puts saved statistics into a new recorder, within its bounds.
func (r *Recorder) restore(f file) error {
	if f.Version != fileVersion {
		return fmt.Errorf("version %d, want %d", f.Version, fileVersion)
	}
	if f.Since.IsZero() {
		return errors.New("no since")
	}
	if err := f.Total.check(); err != nil {
		return fmt.Errorf("total: %w", err)
	}
	dates := make([]string, 0, len(f.Days))
	for day, c := range f.Days {
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			return fmt.Errorf("day %q: not a date", day)
		}
		if err := c.check(); err != nil {
			return fmt.Errorf("day %s: %w", day, err)
		}
		dates = append(dates, day)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dates)))
	r.since, r.total = f.Since.UTC(), f.Total
	for _, day := range dates[:min(len(dates), keepDays)] {
		c := f.Days[day]
		r.days[day] = &c
	}
	for _, k := range []struct {
		saved []savedKey
		into  *topK
		runes int
	}{{f.Queries, r.queries, maxQueryRunes}, {f.ZeroResultQueries, r.zeroQuery, maxQueryRunes},
		{f.UnknownWords, r.unknown, maxWordRunes}, {f.Clicked, r.clicked, maxQueryRunes + 1 + maxSlugBytes}} {
		for _, s := range k.saved {
			if s.Count < 1 || s.Clicks < 0 || s.Key == "" || utf8.RuneCountInString(s.Key) > k.runes {
				return fmt.Errorf("tracked key %q: count %d, clicks %d, or length out of bounds", s.Key, s.Count, s.Clicks)
			}
			if len(k.into.items) == k.into.capacity || k.into.get(s.Key) != nil {
				continue
			}
			k.into.Push(counted{key: s.Key, count: s.Count, clicks: s.Clicks, found: s.Found, public: s.Public})
			if k.into == r.zeroQuery && len(s.Words) > 0 {
				r.zeroWords[s.Key] = unknownWords(s.Words)
			}
		}
		heapify(k.into)
	}
	return nil
}

// heapify orders a topK whose items were pushed without it.
func heapify(t *topK) {
	sort.Slice(t.items, func(i, j int) bool { return t.Less(i, j) })
	for i, c := range t.items {
		t.index[c.key] = i
	}
}

// check refuses counters that no recorder could have counted.
func (c counters) check() error {
	for _, n := range []int{c.Searches, c.Typing, c.Autocompletes, c.ZeroResults, c.Clicks} {
		if n < 0 {
			return errors.New("a negative count")
		}
	}
	for _, h := range []histogram{c.SearchLatency, c.AutocompleteLatency} {
		for _, n := range h {
			if n < 0 {
				return errors.New("a negative latency count")
			}
		}
	}
	return nil
}

// Open returns the statistics saved at path, or new ones when there is no file there or it
// cannot be read; a file that cannot be read is logged and renamed with a .damaged suffix,
// to look at, rather than overwritten.
func Open(path string, log *slog.Logger) *Recorder {
	r, err := Load(path, nil)
	if err == nil {
		return r
	}
	aside := path + ".damaged"
	if e := os.Rename(path, aside); e != nil {
		aside = ""
	}
	log.Warn("statistics file unreadable: the statistics start afresh", "path", path, "err", err, "kept_as", aside)
	return New(nil)
}

// Keep saves the statistics to path every SaveEvery until ctx is done; a failed save is logged
// and tried again at the next tick. The caller saves once more after the last request.
func (r *Recorder) Keep(ctx context.Context, path string, log *slog.Logger) {
	tick := time.NewTicker(SaveEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := r.Save(path); err != nil {
				log.Error("statistics not saved", "path", path, "err", err)
			}
		}
	}
}
