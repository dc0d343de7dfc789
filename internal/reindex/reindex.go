// Package reindex keeps the served index in step with the catalogue folder: the first build,
// the watcher's batches applied incrementally, and full rebuilds swapped in without downtime.
package reindex

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/watch"
)

// Opener opens the catalogue folder afresh, so that a folder replaced or swapped behind a
// symlink is read as it is now; the function it returns releases it.
type Opener func() (fs.FS, func(), error)

// Config holds what a Reindexer needs.
type Config struct {
	Open   Opener
	Index  index.Config
	Logger *slog.Logger
}

// Reindexer owns the served index and every change to it.
type Reindexer struct {
	cfg  Config
	log  *slog.Logger
	live *index.Live

	mu sync.Mutex // one load-and-apply at a time

	stateMu    sync.Mutex // guards what Status reads
	lastChange time.Time
	lastFull   time.Time
	reindexes  uint64
	lastTook   time.Duration
	lastErr    string // why the last change or reindex was not applied; "" once one is
	lastErrAt  time.Time
	held       bool // the last change was held: it would remove most entries
	watcher    func() watch.State

	flightMu sync.Mutex
	flight   *flight // the full rebuild in progress, shared by concurrent requests
}

// flight is one full rebuild that every concurrent Reindex call waits for.
type flight struct {
	done chan struct{}
	res  Result
	err  error
}

// Result is what a full reindex did.
type Result struct {
	Entries    int     `json:"entries"`
	Errors     int     `json:"errors"`
	Warnings   int     `json:"warnings"`
	DurationMS float64 `json:"duration_ms"`
	Generation uint64  `json:"generation"`
}

// New loads the catalogue and builds the first index, or reopens the one on disk when it
// holds this catalogue.
func New(ctx context.Context, cfg Config) (*Reindexer, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Reindexer{cfg: cfg, log: cfg.Logger}
	c, err := r.load(nil)
	if err != nil {
		return nil, err
	}
	ix, reused, err := index.Open(ctx, c, cfg.Index)
	if err != nil {
		return nil, err
	}
	if cfg.Index.Disk != nil {
		r.log.Info("index on disk", "reopened", reused)
	}
	r.live = index.NewLive(ix)
	r.lastChange, r.lastFull = time.Now(), time.Now()
	return r, nil
}

// SetWatcher makes Status report the state of the watcher that calls Apply.
func (r *Reindexer) SetWatcher(state func() watch.State) {
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	r.watcher = state
}

// Live returns the served index.
func (r *Reindexer) Live() *index.Live { return r.live }

// Close releases the served index.
func (r *Reindexer) Close() { r.live.Close() }

func (r *Reindexer) load(prev *catalog.Catalog) (*catalog.Catalog, error) {
	fsys, closeFn, err := r.cfg.Open()
	if err != nil {
		return nil, err
	}
	defer closeFn()
	c, err := catalog.Reload(fsys, prev)
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	return c, nil
}

func (r *Reindexer) current() *catalog.Catalog {
	ix, release := r.live.Acquire()
	defer release()
	return ix.Catalog()
}

// Apply reads the catalogue again after the watcher's batch and applies what changed to the
// index. A failure, or a change held because it would remove most entries, is logged, leaves
// the index as it was, and is returned so that the watcher tries again.
func (r *Reindexer) Apply(ctx context.Context, b watch.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	prev := r.current()
	c, err := r.load(prev)
	if err == nil {
		err = holdMassRemoval(prev, c)
	}
	if err != nil {
		r.failed(err)
		r.log.Error("catalogue change not applied: the previous index keeps serving", "err", err, "resync", b.Resync)
		return err
	}
	d, err := r.live.Apply(ctx, c)
	if err != nil {
		r.failed(err)
		r.log.Error("catalogue change not applied: the previous index keeps serving", "err", err)
		return err
	}
	r.stateMu.Lock()
	r.lastErr, r.held = "", false
	if d != (index.Diff{}) {
		r.lastChange = time.Now()
	}
	r.stateMu.Unlock()
	r.logNewErrors(prev, c)
	r.log.Info("catalogue change applied", "files", len(b.Paths), "resync", b.Resync, "reason", b.Reason,
		"added", d.Added, "changed", d.Changed, "removed", d.Removed,
		"errors", c.Count(catalog.SeverityError), "generation", r.live.Generation(), "took_ms", float64(time.Since(start).Microseconds())/1000)
	return nil
}

// maxLoggedProblems bounds the problems logged for one change: a broken checkout may break
// thousands of files at once.
const maxLoggedProblems = 10

// logNewErrors logs, with its path and line, every file that could not be used in c and was
// fine in prev, up to maxLoggedProblems of them.
func (r *Reindexer) logNewErrors(prev, c *catalog.Catalog) {
	known := make(map[catalog.Problem]bool, len(prev.Problems))
	for _, p := range prev.Problems {
		known[p] = true
	}
	logged, more := 0, 0
	for _, p := range c.Problems {
		if p.Severity != catalog.SeverityError || known[p] {
			continue
		}
		if logged == maxLoggedProblems {
			more++
			continue
		}
		logged++
		r.log.Warn("catalogue file cannot be used", "path", p.Path, "line", p.Line, "problem", p.Message)
	}
	if more > 0 {
		r.log.Warn("more catalogue files cannot be used", "count", more, "see", "/admin/status")
	}
}

// HeldError is a change held back because it would remove every entry, or most of them, at
// once: more likely a folder moved or a checkout gone wrong than an editor's intent. It is
// applied by a forced reindex.
type HeldError struct {
	Removed, Entries int
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("change held: it would remove %d of the %d entries at once (a moved or emptied folder?); "+
		"it applies once the folder is back, or with POST /admin/reindex?force=true", e.Removed, e.Entries)
}

// massRemoval is how many entries a change may remove at once before the share matters: below
// it, an editor deleting a few files of a small catalogue is never held.
const massRemoval = 10

// holdMassRemoval returns a *HeldError when going from prev to c would leave no entry, or would
// remove at least massRemoval entries and leave fewer than half of them. A catalogue replaced by
// another of a similar size (a git-sync swap, renamed files) is not held.
func holdMassRemoval(prev, c *catalog.Catalog) error {
	if prev == nil || len(prev.Entries) == 0 {
		return nil
	}
	removed := 0
	for _, e := range prev.Entries {
		if c.Entry(e.Slug) == nil {
			removed++
		}
	}
	if len(c.Entries) == 0 || removed >= massRemoval && 2*len(c.Entries) < len(prev.Entries) {
		return &HeldError{Removed: removed, Entries: len(prev.Entries)}
	}
	return nil
}

// Reindex rebuilds the whole index from the catalogue beside the serving one and swaps it in;
// searches keep answering from the old one meanwhile, and a failed rebuild leaves it serving.
// A rebuild that would remove most entries is held (a *HeldError) unless force is set.
// Concurrent calls share one rebuild (a forced call joins one in flight). ctx only bounds the
// wait: the rebuild goes on for the others, and to its end, if a caller leaves.
func (r *Reindexer) Reindex(ctx context.Context, force bool) (Result, error) {
	r.flightMu.Lock()
	f := r.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		r.flight = f
		go func() {
			f.res, f.err = r.rebuild(context.WithoutCancel(ctx), force)
			r.flightMu.Lock()
			r.flight = nil
			r.flightMu.Unlock()
			close(f.done)
		}()
	}
	r.flightMu.Unlock()
	select {
	case <-f.done:
		return f.res, f.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// failed records why a change was not applied, for Status.
func (r *Reindexer) failed(err error) {
	var held *HeldError
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	r.lastErr, r.lastErrAt, r.held = err.Error(), time.Now(), errors.As(err, &held)
}

// Running reports whether a full rebuild is in progress.
func (r *Reindexer) Running() bool {
	r.flightMu.Lock()
	defer r.flightMu.Unlock()
	return r.flight != nil
}

func (r *Reindexer) rebuild(ctx context.Context, force bool) (Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	prev := r.current()
	c, err := r.load(prev)
	if err == nil && !force {
		err = holdMassRemoval(prev, c)
	}
	if err != nil {
		r.failed(err)
		return Result{}, err
	}
	ix, err := index.Build(ctx, c, r.cfg.Index)
	if err != nil {
		r.failed(err)
		return Result{}, err
	}
	r.live.Swap(ix)
	r.logNewErrors(prev, c)
	r.stateMu.Lock()
	r.lastErr, r.held = "", false
	r.lastChange, r.lastFull = time.Now(), time.Now()
	r.reindexes++
	r.lastTook = time.Since(start)
	r.stateMu.Unlock()
	res := Result{
		Entries:    len(c.Entries),
		Errors:     c.Count(catalog.SeverityError),
		Warnings:   c.Count(catalog.SeverityWarning),
		DurationMS: float64(time.Since(start).Microseconds()) / 1000,
		Generation: r.live.Generation(),
	}
	r.log.Info("full reindex done", "entries", res.Entries, "errors", res.Errors, "generation", res.Generation, "took_ms", res.DurationMS)
	return res, nil
}

// Status is the state of the index and of the catalogue, for ops. Its size is bounded: it
// lists the first problems and counts them all.
type Status struct {
	Generation      uint64            `json:"generation"`
	Entries         int               `json:"entries"`
	CatalogVersion  string            `json:"catalog_version"`          // of the files the served index was built from (catalog.Catalog's Version)
	CatalogCommit   string            `json:"catalog_commit,omitempty"` // the Git commit they were checked out at, when known
	LastChange      time.Time         `json:"last_change"`
	LastFullReindex time.Time         `json:"last_full_reindex"`
	Reindexes       uint64            `json:"reindexes"`               // full rebuilds since start
	LastReindexMS   float64           `json:"last_reindex_ms"`         // how long the last one took
	Reindexing      bool              `json:"reindexing"`              // a full rebuild is in progress
	Watcher         *watch.State      `json:"watcher"`                 // null when the catalogue is not watched
	LastError       string            `json:"last_error,omitempty"`    // why the last change was not applied (the previous index keeps serving)
	LastErrorAt     *time.Time        `json:"last_error_at,omitempty"` // when
	Held            bool              `json:"held"`                    // the last change was held: it would remove most entries
	Errors          int               `json:"errors"`
	Warnings        int               `json:"warnings"`
	Problems        []catalog.Problem `json:"problems"`         // the first errors and warnings, by path
	ProblemsOmitted int               `json:"problems_omitted"` // errors and warnings not listed
}

// maxStatusProblems is how many problems Status lists.
const maxStatusProblems = 100

// Status returns the current status.
func (r *Reindexer) Status() Status {
	ix, release := r.live.Acquire()
	defer release()
	c := ix.Catalog()
	r.stateMu.Lock()
	st := Status{Generation: ix.Generation(), Entries: len(c.Entries), CatalogVersion: c.Version, CatalogCommit: c.Commit,
		LastChange: r.lastChange, LastFullReindex: r.lastFull,
		Reindexes: r.reindexes, LastReindexMS: float64(r.lastTook.Microseconds()) / 1000, LastError: r.lastErr, Held: r.held}
	if r.lastErr != "" {
		at := r.lastErrAt
		st.LastErrorAt = &at
	}
	watcher := r.watcher
	r.stateMu.Unlock()
	st.Reindexing = r.Running()
	if watcher != nil {
		ws := watcher()
		st.Watcher = &ws
	}
	st.Errors, st.Warnings = c.Count(catalog.SeverityError), c.Count(catalog.SeverityWarning)
	// Errors first, then warnings, each in path order: an error is never left out for warnings.
	st.Problems = []catalog.Problem{}
	for _, sev := range []catalog.Severity{catalog.SeverityError, catalog.SeverityWarning} {
		for _, p := range c.Problems {
			if p.Severity == sev && len(st.Problems) < maxStatusProblems {
				st.Problems = append(st.Problems, p)
			}
		}
	}
	st.ProblemsOmitted = st.Errors + st.Warnings - len(st.Problems)
	return st
}
