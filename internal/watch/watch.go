// Package watch follows a catalogue folder with fsnotify and turns its file events into
// debounced batches: one save, or one git pull of many files, becomes one batch.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"apisearch/catalog"

	"github.com/fsnotify/fsnotify"
)

// Config tunes a Watcher.
type Config struct {
	// Dir is the catalogue folder. It may be a symlink that is swapped (git-sync).
	Dir string
	// Debounce is the quiet time that closes a batch. Default 200ms.
	Debounce time.Duration
	// MaxDelay bounds how long a batch may wait after its first event while events keep
	// coming. Default 2s.
	MaxDelay time.Duration
	// ResyncEvery is how often a degraded watcher (one that could not watch every folder)
	// re-reads everything, and how long after a batch that could not be applied everything
	// is read again. Default 30s.
	ResyncEvery time.Duration
	// Logger receives the watcher's warnings. Default slog.Default().
	Logger *slog.Logger
}

// Batch is what changed in the folder since the previous batch.
type Batch struct {
	// Paths are the entry files that changed, relative to Dir with slashes, sorted.
	Paths []string
	// Resync asks for everything to be read again: the watcher cannot tell which files
	// changed (a symlink swap, a new folder, a lost event).
	Resync bool
	// Reason says why, for a resync.
	Reason string
}

// State is what the watcher is doing, for the admin status page.
type State struct {
	Running   bool      `json:"running"`
	Degraded  bool      `json:"degraded"`
	Reason    string    `json:"reason,omitempty"` // why it is degraded
	LastError string    `json:"last_error,omitempty"`
	ErrorAt   time.Time `json:"last_error_at,omitzero"`
	Watches   int       `json:"watches"`
	Events    uint64    `json:"events"`
	Batches   uint64    `json:"batches"`
	Resyncs   uint64    `json:"resyncs"`
	LastBatch time.Time `json:"last_batch_at,omitzero"`
}

// Watcher follows a folder and calls apply with each batch, one at a time; a batch that apply
// could not apply is retried as a resync.
type Watcher struct {
	cfg   Config
	apply func(context.Context, Batch) error
	log   *slog.Logger
	dir   string // cfg.Dir, cleaned and absolute

	fsw      *fsnotify.Watcher
	addWatch func(path string) error // fsw.Add; replaced in tests
	inject   chan error              // errors that tests inject as if fsnotify reported them
	watched  map[string]bool         // folders watched, as named in events
	links    map[string]bool         // symlinks on the folder's path (Dir itself or above it)

	mu    sync.Mutex
	state State
}

// New returns a watcher of cfg.Dir; Run starts it.
func New(cfg Config, apply func(context.Context, Batch) error) (*Watcher, error) {
	if cfg.Debounce <= 0 {
		cfg.Debounce = 200 * time.Millisecond
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 2 * time.Second
	}
	if cfg.ResyncEvery <= 0 {
		cfg.ResyncEvery = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", cfg.Dir, err)
	}
	return &Watcher{cfg: cfg, apply: apply, log: cfg.Logger, dir: dir}, nil
}

// State returns a copy of the watcher's state.
func (w *Watcher) State() State {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state
}

func (w *Watcher) update(f func(*State)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.state)
}

// Run watches until ctx is done.
func (w *Watcher) Run(ctx context.Context) error {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.dir, err)
	}
	defer fsw.Close()
	w.fsw = fsw
	if w.addWatch == nil {
		w.addWatch = fsw.Add
	}
	w.update(func(s *State) { s.Running = true })
	defer w.update(func(s *State) { s.Running = false })
	w.rewatch()

	pending := make(map[string]bool)
	resync, reason := false, ""
	notApplied := "" // why the last batch was not applied: it is retried at the next tick
	var first time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	poll := time.NewTicker(w.cfg.ResyncEvery)
	defer poll.Stop()
	arm := func() {
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		wait := w.cfg.Debounce
		if left := w.cfg.MaxDelay - now.Sub(first); left < wait {
			wait = max(left, 0)
		}
		timer.Reset(wait)
	}
	// Files written between the caller's first load and the watches being in place would be
	// missed: read everything once more now that they are.
	resync, reason = true, "watches set up"
	arm()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fsw.Events:
			if !ok {
				return nil
			}
			w.update(func(s *State) { s.Events++ })
			if why := w.classify(ev, pending); why != "" && !resync {
				resync, reason = true, why
			}
			if resync || len(pending) > 0 {
				arm()
			}
		case err := <-w.inject:
			resync, reason = true, w.failed(err)
			arm()
		case err, ok := <-fsw.Errors:
			if !ok {
				return nil
			}
			resync, reason = true, w.failed(err)
			arm()
		case <-poll.C:
			switch {
			case notApplied != "":
				resync, reason = true, "retry of a change not applied: "+notApplied
				arm()
			case w.State().Degraded:
				resync, reason = true, "periodic resync while degraded: "+w.State().Reason
				arm()
			}
		case <-timer.C:
			b := Batch{Resync: resync, Reason: reason}
			if resync {
				w.rewatch()
			} else {
				for p := range pending {
					b.Paths = append(b.Paths, p)
				}
				sort.Strings(b.Paths)
			}
			clear(pending)
			resync, reason, first = false, "", time.Time{}
			// Counted before it is applied, so that whoever the callback tells sees it counted.
			w.update(func(s *State) {
				s.Batches++
				s.LastBatch = time.Now()
				if b.Resync {
					s.Resyncs++
				}
			})
			notApplied = ""
			if err := w.apply(ctx, b); err != nil {
				notApplied = err.Error()
			}
		}
	}
}

// failed records an error of the watcher, which makes it degraded until the resync it
// triggers has watched everything again, and returns why.
func (w *Watcher) failed(err error) string {
	why := "watcher error: " + err.Error()
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		why = "the kernel's event queue overflowed: events were lost"
	}
	w.log.Warn("catalogue watcher: resyncing", "reason", why)
	w.update(func(s *State) {
		s.Degraded, s.Reason, s.LastError, s.ErrorAt = true, why, why, time.Now()
	})
	return why
}

// classify records an event: an entry file that changed goes into pending; an event the
// watcher cannot map to files returns why everything must be read again.
func (w *Watcher) classify(ev fsnotify.Event, pending map[string]bool) string {
	name := filepath.Clean(ev.Name)
	base := filepath.Base(name)
	if name == w.dir {
		// The folder itself, seen from its parent: created, removed or its symlink swapped.
		return "the catalogue folder was replaced"
	}
	if w.links[name] {
		// A symlink above the folder, swapped: git-sync's link to a checkout whose subfolder is
		// the catalogue. The old checkout may stay on disk a while, unchanged.
		return "a symlink on the catalogue folder's path was replaced: " + name
	}
	rel, err := filepath.Rel(w.dir, name)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "" // another file beside the folder, seen from the parent's watch
	}
	switch {
	case strings.HasPrefix(base, ".."):
		// Kubernetes ConfigMap volumes swap a "..data" symlink to a new timestamped folder.
		return "a ..data symlink or folder changed"
	case strings.HasPrefix(base, "."):
		return "" // hidden: editors' swap files, .git
	case ev.Has(fsnotify.Create):
		if info, err := os.Stat(name); err == nil && info.IsDir() {
			return "a folder was created: " + filepath.ToSlash(rel)
		}
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		if w.watched[name] {
			return "a folder was removed: " + filepath.ToSlash(rel)
		}
	}
	if catalog.IsEntryFile(base) {
		pending[filepath.ToSlash(rel)] = true
	}
	return ""
}

// maxDepth bounds how deep below the catalogue folder folders are watched.
const maxDepth = 4

// maxLinks bounds the symlinks followed on the folder's path: a loop ends there.
const maxLinks = 16

// symlinksOnPath returns the symlinks that dir's path goes through: those of its own path, and
// those of the paths they lead to, link after link (current → releases/current → r2, as
// release folders chain them), so that swapping any of them is seen.
func symlinksOnPath(dir string) []string {
	var links []string
	paths := []string{dir}
	for len(paths) > 0 && len(links) < maxLinks {
		path := paths[0]
		paths = paths[1:]
		for p := path; p != filepath.Dir(p) && len(links) < maxLinks; p = filepath.Dir(p) {
			info, err := os.Lstat(p)
			if err != nil || info.Mode()&os.ModeSymlink == 0 || slices.Contains(links, p) {
				continue
			}
			links = append(links, p)
			target, err := os.Readlink(p)
			if err != nil {
				continue
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			// The rest of the path, below the link, now goes through its target.
			rest, _ := filepath.Rel(p, path)
			paths = append(paths, filepath.Join(target, rest))
		}
	}
	return links
}

// rewatch drops every watch and watches the folder's parent (for swaps of the folder itself),
// the parent of every symlink above it (for swaps of a checkout the folder is part of), the
// folder and its visible subfolders again, following symlinks. A folder that cannot be watched
// makes the watcher degraded: it then re-reads everything periodically.
func (w *Watcher) rewatch() {
	for _, p := range w.fsw.WatchList() {
		_ = w.fsw.Remove(p)
	}
	w.watched = make(map[string]bool)
	var problems []string
	add := func(p string) {
		if err := w.addWatch(p); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				problems = append(problems, "out of inotify watches (raise fs.inotify.max_user_watches)")
			} else {
				problems = append(problems, fmt.Sprintf("cannot watch %s: %v", p, err))
			}
			return
		}
		w.watched[p] = true
	}
	add(filepath.Dir(w.dir))
	w.links = make(map[string]bool)
	for _, p := range symlinksOnPath(w.dir) {
		w.links[p] = true
		if !w.watched[filepath.Dir(p)] {
			add(filepath.Dir(p))
		}
	}
	seen := make(map[string]bool)
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		add(dir)
		if depth == maxDepth {
			return
		}
		items, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, it := range items {
			if strings.HasPrefix(it.Name(), ".") {
				continue
			}
			p := filepath.Join(dir, it.Name())
			if info, err := os.Stat(p); err == nil && info.IsDir() {
				walk(p, depth+1)
			}
		}
	}
	if _, err := os.Stat(w.dir); err != nil {
		problems = append(problems, fmt.Sprintf("the catalogue folder is not there: %v", err))
	} else {
		walk(w.dir, 0)
	}
	w.update(func(s *State) {
		s.Watches = len(w.watched)
		if len(problems) > 0 {
			s.Degraded, s.Reason = true, problems[0]
			s.LastError, s.ErrorAt = problems[0], time.Now()
		} else {
			s.Degraded, s.Reason = false, ""
		}
	})
	if len(problems) > 0 {
		w.log.Warn("catalogue watcher degraded: re-reading everything periodically", "reason", problems[0], "every", w.cfg.ResyncEvery)
	}
}
