package loadtest

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want time.Duration
		ok   bool
	}{
		{"plain", "4242 (apisearch) S 1 4242 4242 0 -1 4194560 2000 0 0 0 150 25 0 0 20 0 9 0 100 0 0", 1750 * time.Millisecond, true},
		{"name with spaces and parentheses", "7 (a b) (c)) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 100 0 0", 70 * time.Millisecond, true},
		{"no name", "4242 apisearch S 1", 0, false},
		{"cut short", "4242 (apisearch) S 1 4242 4242 0 -1 4194560 2000 0 0 0 150", 0, false},
		{"not a number", "4242 (apisearch) S 1 4242 4242 0 -1 4194560 2000 0 0 0 x 25 0", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.stat))
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseStat(%q) = %v, %v; want %v, ok %v", tt.stat, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestProcessCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	if _, err := ProcessCPU(os.Getpid()); err != nil {
		t.Errorf("this process: %v", err)
	}
	if _, err := ProcessCPU(1 << 30); err == nil {
		t.Error("a process that does not exist: no error")
	}
}
