package server

import (
	"strings"
	"testing"
)

// TestAnswerCacheAndTyping sends requests that share a cached answer, or must not: typing=0
// or 1 shares the answer of /search without it yet is counted as typing; any other spelling
// of typing is answered, and counted, as the handler reads it; a parameter that an endpoint
// refuses is refused even when the answer without it is cached.
func TestAnswerCacheAndTyping(t *testing.T) {
	h := newHandler(t, Config{AdminToken: adminToken}, testSource(t))
	settled, typing := 0, 0
	for _, tt := range []struct {
		target string
		code   int
		typing bool // counted as a typing search
	}{
		{"/search?q=adresse", 200, false},
		{"/search?q=adresse&typing=1", 200, true},
		{"/search?typing=1&q=adresse", 200, true},
		{"/search?q=adresse&typing=0", 200, false},
		{"/search?q=adresse&typing=%31", 200, true},
		{"/search?q=adresse&%74yping=1", 200, true},
		{"/search?q=adresse&typing=1&typing=1", 400, false},
		{"/search?q=adresse&typing=2", 400, false},
		{"/autocomplete?q=adr", 200, false},
		{"/autocomplete?q=adr&typing=1", 400, false},
		{"/apis", 200, false},
		{"/apis?typing=1", 400, false},
	} {
		for _, time := range []string{"first", "second"} {
			if rec := do(h, "GET", tt.target, nil); rec.Code != tt.code {
				t.Errorf("%s, %s time: %d %s, want %d", tt.target, time, rec.Code, rec.Body, tt.code)
			}
			switch {
			case tt.code != 200 || !strings.HasPrefix(tt.target, "/search?"):
			case tt.typing:
				typing++
			default:
				settled++
			}
		}
	}
	got := getStats(t, h, "/admin/stats").Service.Total
	if got.Searches != settled || got.TypingSearches != typing {
		t.Errorf("counted %d searches and %d typing searches, want %d and %d", got.Searches, got.TypingSearches, settled, typing)
	}
}
