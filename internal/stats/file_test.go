package stats

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// busy returns a recorder that counted a bit of everything over two days.
func busy(now *time.Time) *Recorder {
	r := New(func() time.Time { return *now })
	for i := range PublicClients {
		r.Search(Search{Query: "Adresse", FirstPage: true, Total: 3, Took: time.Duration(i+1) * time.Millisecond, Client: fmt.Sprint("192.0.2.", i)})
		r.Search(Search{Query: "toubib", FirstPage: true, UnknownWords: []string{"toubib"}, Took: time.Millisecond, Client: fmt.Sprint("192.0.2.", i)})
	}
	r.Search(Search{Query: "adr", FirstPage: true, Typing: true})
	r.Click("adresse", "api-adresse")
	*now = now.AddDate(0, 0, 1)
	r.Search(Search{Query: "météo", FirstPage: true, Total: 2, Took: 40 * time.Millisecond})
	r.Autocomplete(300 * time.Microsecond)
	return r
}

func TestSaveLoad(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	r := busy(&now)
	path := filepath.Join(t.TempDir(), FileName)
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []View{Public, Full} {
		want, got := r.Snapshot(20, v), loaded.Snapshot(20, v)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("view %d after a reload:\n got %+v\nwant %+v", v, got, want)
		}
	}
	if got := loaded.Snapshot(20, Public); len(got.TopQueries) != 2 || got.Total.Searches != 11 || len(got.Days) != 2 {
		t.Errorf("the reloaded statistics lack what was counted: %+v", got)
	}
	// Counting goes on from the saved figures.
	loaded.Search(Search{Query: "adresse", FirstPage: true, Total: 3})
	if got := loaded.Snapshot(1, Full).TopQueries; fmt.Sprint(got) != "[{{adresse 6} 1}]" {
		t.Errorf("after one more search, top = %v", got)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".stats-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if data, _ := os.ReadFile(path); strings.Contains(string(data), "192.0.2") || strings.Contains(string(data), "seed") {
		t.Errorf("the file holds a client or the salt: %s", data)
	}
}

func TestLoadMissingFile(t *testing.T) {
	r, err := Load(filepath.Join(t.TempDir(), FileName), nil)
	if err != nil || r.Snapshot(1, Full).Total.Searches != 0 {
		t.Fatalf("a missing file: %v, %+v", err, r)
	}
}

func TestLoadRefuses(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	var good map[string]any
	path := filepath.Join(t.TempDir(), FileName)
	if err := busy(&now).Save(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &good); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(map[string]any)
		raw    string // the file, instead of the changed good one
		want   string
	}{
		{name: "not JSON", raw: "{", want: "unexpected end"},
		{name: "too large", raw: strings.Repeat(" ", maxFileBytes+1), want: "over"},
		{name: "another version", change: func(f map[string]any) { f["version"] = 2 }, want: "version 2"},
		{name: "no since", change: func(f map[string]any) { delete(f, "since") }, want: "no since"},
		{name: "a day that is no date", change: func(f map[string]any) { f["days"] = map[string]any{"hier": map[string]any{}} }, want: "not a date"},
		{name: "a negative count", change: func(f map[string]any) { f["total"].(map[string]any)["searches"] = -1 }, want: "negative"},
		{name: "a key too long", change: func(f map[string]any) {
			f["queries"] = []any{map[string]any{"key": strings.Repeat("x", maxQueryRunes+1), "count": 1}}
		}, want: "out of bounds"},
		{name: "a key never counted", change: func(f map[string]any) {
			f["unknown_words"] = []any{map[string]any{"key": "x", "count": 0}}
		}, want: "out of bounds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.raw)
			if tt.change != nil {
				var f map[string]any
				_ = json.Unmarshal(data, &f)
				tt.change(f)
				raw, _ = json.Marshal(f)
			}
			p := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(p, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(p, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want an error with %q", err, tt.want)
			}
			r := Open(p, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if r.Snapshot(1, Full).Total.Searches != 0 {
				t.Errorf("Open of a damaged file does not start afresh")
			}
			if _, err := os.Stat(p + ".damaged"); err != nil {
				t.Errorf("the damaged file is not kept aside: %v", err)
			}
		})
	}
}

// TestFileBounded fills every bound with the longest keys a client can send: the file stays
// within what Load reads, and the load keeps every bound.
func TestFileBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := New(func() time.Time { return now })
	long := strings.Repeat("é", 4*maxQueryRunes)
	for i := range 3 * trackedQueries {
		var words []string
		for j := range wordsPerQuery + 2 {
			words = append(words, fmt.Sprintf("%d-%d%s", i, j, long))
		}
		q := fmt.Sprintf("%d%s", i, long)
		r.Search(Search{Query: q, FirstPage: true, UnknownWords: words, Client: fmt.Sprint(i)})
		r.Click(q, fmt.Sprintf("%d%s", i, strings.Repeat("s", 3*maxSlugBytes)))
		if i%10 == 0 {
			now = now.Add(24 * time.Hour)
		}
	}
	path := filepath.Join(t.TempDir(), FileName)
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > maxFileBytes/2 {
		t.Errorf("the statistics file is %d bytes at every bound, over half of the %d Load reads", info.Size(), maxFileBytes)
	}
	loaded, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range []struct {
		t     *topK
		bound int
	}{{loaded.queries, trackedQueries}, {loaded.zeroQuery, trackedQueries}, {loaded.unknown, trackedWords}, {loaded.clicked, trackedClicked}} {
		if n := len(tk.t.items); n != tk.bound {
			t.Errorf("%d keys reloaded, want the bound %d", n, tk.bound)
		}
	}
	if len(loaded.days) != keepDays {
		t.Errorf("%d days reloaded, want %d", len(loaded.days), keepDays)
	}
	t.Logf("statistics file at every bound: %d bytes", info.Size())
}
