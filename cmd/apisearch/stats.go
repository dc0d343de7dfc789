package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"apisearch/internal/stats"
)

// statsLock is the file a process locks in its data folder while it writes statistics there.
const statsLock = "stats.lock"

// openStats returns the statistics kept in the data folder dir, read from its file when there
// is one, and saves them there every stats.SaveEvery until stop is called, which saves them a
// last time and releases the folder: call it once no request is served any more. Without a
// data folder they live in memory only. A folder another process keeps its statistics in is
// an error: each would overwrite the other's.
func openStats(dir string, log *slog.Logger) (rec *stats.Recorder, stop func(), err error) {
	if dir == "" {
		return stats.New(nil), func() {}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("--data-dir: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, statsLock), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("--data-dir: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(lock.Name())
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil, fmt.Errorf("data folder %s is in use by another apisearch process (pid %s): give each process its own --data-dir", dir, strings.TrimSpace(string(holder)))
		}
		return nil, nil, fmt.Errorf("data folder %s: lock: %w", dir, err)
	}
	_ = lock.Truncate(0)
	_, _ = lock.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)

	path := filepath.Join(dir, stats.FileName)
	rec = stats.Open(path, log)
	log.Info("statistics kept on disk", "path", path, "since", rec.Snapshot(0, stats.Full).Since)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.Keep(ctx, path, log)
	}()
	return rec, func() {
		cancel()
		<-done
		if err := rec.Save(path); err != nil {
			log.Error("statistics not saved at shutdown", "path", path, "err", err)
		}
		lock.Close()
	}, nil
}
