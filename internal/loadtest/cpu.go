package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100 on Linux whatever
// the kernel's own tick rate.
const clockTicks = 100

// ProcessCPU returns the user and system CPU time that process pid has spent, all its threads
// together, read from /proc/<pid>/stat.
func ProcessCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("CPU time of process %d: %w", pid, err)
	}
	cpu, err := parseStat(data)
	if err != nil {
		return 0, fmt.Errorf("CPU time of process %d: %w", pid, err)
	}
	return cpu, nil
}

// parseStat returns utime plus stime from the text of a /proc/<pid>/stat file.
func parseStat(data []byte) (time.Duration, error) {
	// The command's name, field 2, is in parentheses and may hold spaces and parentheses:
	// the fields are counted after the last closing one.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("no command name in %q", data)
	}
	fields := strings.Fields(string(data[i+1:]))
	// fields[0] is field 3 (state): utime, field 14, is fields[11]; stime, field 15, fields[12].
	if len(fields) < 13 {
		return 0, fmt.Errorf("%d fields after the command name, want 13 at least", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("CPU ticks %q: %w", f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
