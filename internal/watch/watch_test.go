package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// harness runs a watcher over a temporary folder and collects its batches.
type harness struct {
	t       *testing.T
	dir     string
	w       *Watcher
	batches chan Batch
	fail    atomic.Pointer[error] // what apply returns for the next batch
}

func start(t *testing.T, setup func(*Watcher)) *harness {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"api", "producteurs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return startIn(t, dir, setup)
}

// startIn runs a watcher over dir, which must exist.
func startIn(t *testing.T, dir string, setup func(*Watcher)) *harness {
	t.Helper()
	h := &harness{t: t, dir: dir, batches: make(chan Batch, 100)}
	w, err := New(Config{Dir: dir, Debounce: 80 * time.Millisecond, MaxDelay: time.Second, ResyncEvery: 300 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, func(_ context.Context, b Batch) error {
		h.batches <- b
		if err := h.fail.Swap(nil); err != nil {
			return *err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(w)
	}
	h.w = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("watcher did not stop")
		}
	})
	// The first batch re-reads everything once the watches are in place.
	if b := h.next(); !b.Resync || b.Reason != "watches set up" {
		t.Fatalf("first batch = %+v, want the resync that follows setting up the watches", b)
	}
	return h
}

func (h *harness) write(rel, content string) {
	h.t.Helper()
	p := filepath.Join(h.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// next returns the next batch, failing after a generous bound.
func (h *harness) next() Batch {
	h.t.Helper()
	select {
	case b := <-h.batches:
		return b
	case <-time.After(5 * time.Second):
		h.t.Fatal("no batch within 5s")
	}
	return Batch{}
}

// none checks that no batch comes for a while.
func (h *harness) none(within time.Duration) {
	h.t.Helper()
	select {
	case b := <-h.batches:
		h.t.Errorf("unexpected batch %+v", b)
	case <-time.After(within):
	}
}

func TestOneSaveOneBatch(t *testing.T) {
	h := start(t, nil)
	h.write("api/a.md", "---\ntitle: A\n---\n")
	if b := h.next(); b.Resync || !slices.Equal(b.Paths, []string{"api/a.md"}) {
		t.Errorf("batch = %+v, want api/a.md", b)
	}
	h.none(300 * time.Millisecond)
}

func TestBurstIsOneBatch(t *testing.T) {
	h := start(t, nil)
	var want []string
	for i := range 40 {
		rel := fmt.Sprintf("api/e%02d.md", i)
		h.write(rel, "x")
		want = append(want, rel)
	}
	h.write("producteurs/p.md", "x")
	want = append(want, "producteurs/p.md")
	slices.Sort(want)
	b := h.next()
	if !slices.Equal(b.Paths, want) {
		t.Errorf("batch has %d paths, want the %d files written in one go", len(b.Paths), len(want))
	}
	h.none(300 * time.Millisecond)
}

func TestEditorTemporaryFilesAreIgnored(t *testing.T) {
	h := start(t, nil)
	for _, name := range []string{"api/.a.md.swp", "api/a.md~", "api/4913", "api/a.md___jb_tmp___", "api/a.md___jb_old___", "api/notes.txt"} {
		h.write(name, "x")
	}
	h.none(400 * time.Millisecond)
	// Vim and JetBrains save by writing a temporary file and renaming it over the entry.
	h.write("api/a.md___jb_tmp___", "new")
	if err := os.Rename(filepath.Join(h.dir, "api/a.md___jb_tmp___"), filepath.Join(h.dir, "api/a.md")); err != nil {
		t.Fatal(err)
	}
	if b := h.next(); !slices.Equal(b.Paths, []string{"api/a.md"}) {
		t.Errorf("rename over the entry: batch = %+v, want api/a.md", b)
	}
}

func TestFolderChangesResync(t *testing.T) {
	h := start(t, nil)
	if err := os.RemoveAll(filepath.Join(h.dir, "api")); err != nil {
		t.Fatal(err)
	}
	if b := h.next(); !b.Resync {
		t.Errorf("removed folder: batch = %+v, want a resync", b)
	}
	h.write("api/new.md", "x")
	if b := h.next(); !b.Resync || !strings.Contains(b.Reason, "folder was created") {
		t.Errorf("re-created folder: batch = %+v, want a resync", b)
	}
	// The new folder is watched: a later save in it is seen.
	h.write("api/later.md", "x")
	if b := h.next(); !slices.Equal(b.Paths, []string{"api/later.md"}) {
		t.Errorf("save in the re-created folder: batch = %+v", b)
	}
}

func TestDataSymlinkSwapResyncs(t *testing.T) {
	h := start(t, nil)
	ts := filepath.Join(h.dir, "..2026_11_23_10_00_00.1")
	if err := os.Mkdir(ts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Base(ts), filepath.Join(h.dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(h.dir, "..data_tmp"), filepath.Join(h.dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if b := h.next(); !b.Resync || !strings.Contains(b.Reason, "..data") {
		t.Errorf("..data swap: batch = %+v, want a resync", b)
	}
}

func TestOverflowResyncsAndIsVisible(t *testing.T) {
	h := start(t, func(w *Watcher) { w.inject = make(chan error, 1) })
	h.w.inject <- fsnotify.ErrEventOverflow
	b := h.next()
	if !b.Resync || !strings.Contains(b.Reason, "overflowed") {
		t.Errorf("overflow: batch = %+v, want a resync", b)
	}
	st := h.w.State()
	if !strings.Contains(st.LastError, "overflowed") || st.ErrorAt.IsZero() || st.Resyncs != 2 {
		t.Errorf("overflow not visible in the state: %+v", st)
	}
}

func TestOutOfWatchesDegradesAndPolls(t *testing.T) {
	h := start(t, func(w *Watcher) {
		w.addWatch = func(p string) error {
			if strings.HasSuffix(p, "producteurs") {
				return fmt.Errorf("add %s: %w", p, syscall.ENOSPC)
			}
			return w.fsw.Add(p)
		}
	})
	st := h.w.State()
	if !st.Degraded || !strings.Contains(st.Reason, "inotify watches") {
		t.Fatalf("state = %+v, want degraded for lack of inotify watches", st)
	}
	// Degraded: everything is re-read periodically instead of drifting.
	if b := h.next(); !b.Resync || !strings.Contains(b.Reason, "periodic") {
		t.Errorf("batch = %+v, want a periodic resync", b)
	}
}

func TestRetriesABatchNotApplied(t *testing.T) {
	h := start(t, nil)
	err := errors.New("write index: no space left on device")
	h.fail.Store(&err)
	h.write("api/a.md", "---\ntitle: A\n---\n")
	if b := h.next(); len(b.Paths) != 1 {
		t.Fatalf("batch = %+v, want the new file", b)
	}
	// Nothing changes in the folder, yet the change is read again at the next tick.
	if b := h.next(); !b.Resync || !strings.Contains(b.Reason, "no space left on device") {
		t.Errorf("after a batch not applied: %+v, want a resync that says why", b)
	}
	h.none(500 * time.Millisecond) // applied this time: no more retries
}
