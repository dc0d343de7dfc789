package index

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"

	"apisearch/catalog"
)

// Live serves one generation of the index at a time and moves to the next without ever making
// a search wait: searches take the current generation through an atomic pointer and a
// reference count, and a generation is closed once the last search using it is done. (bleve's
// IndexAlias.Swap waits for every search in flight, so one slow search would stall the swap and
// every search queued behind it.)
type Live struct {
	cur atomic.Pointer[Index]
	mu  sync.Mutex // one writer at a time
}

// NewLive serves ix, which Live now owns.
func NewLive(ix *Index) *Live {
	l := &Live{}
	l.cur.Store(ix)
	return l
}

// Acquire returns the current generation and the function that releases it; call it when the
// request is done with the index.
func (l *Live) Acquire() (*Index, func()) {
	for {
		ix := l.cur.Load()
		if ix.retain() {
			if l.cur.Load() == ix {
				return ix, ix.release
			}
			// Swapped meanwhile: take the newer one.
			ix.release()
		}
	}
}

// Generation returns the current generation number.
func (l *Live) Generation() uint64 { return l.cur.Load().generation }

// Diff counts what an update changed.
type Diff struct {
	Added   int `json:"added"`
	Changed int `json:"changed"`
	Removed int `json:"removed"`
}

// Compare counts the entries of c added, changed or removed since prev.
func Compare(prev, c *catalog.Catalog) Diff {
	var d Diff
	for _, e := range c.Entries {
		switch old := prev.Entry(e.Slug); {
		case old == nil:
			d.Added++
		case !reflect.DeepEqual(old, e):
			d.Changed++
		}
	}
	for _, e := range prev.Entries {
		if c.Entry(e.Slug) == nil {
			d.Removed++
		}
	}
	return d
}

// Apply moves to catalogue c: a new generation is built from it, beside the one in service,
// and swapped in (none when nothing changed). The generation in service is never modified, so
// that it keeps answering whatever happens to the build (a full disk, a cancelled context),
// and every generation answers exactly as a fresh build of its catalogue would. A new version
// or commit of the same entries is a new generation too, so that the version served is c's.
func (l *Live) Apply(ctx context.Context, c *catalog.Catalog) (Diff, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.cur.Load()
	d := Compare(old.catalog, c)
	if d == (Diff{}) && reflect.DeepEqual(old.catalog.Problems, c.Problems) && old.catalog.Layout == c.Layout &&
		reflect.DeepEqual(old.catalog.Synonyms, c.Synonyms) && old.catalog.Version == c.Version && old.catalog.Commit == c.Commit {
		return d, nil // nothing changed: no new generation
	}
	next, err := Build(ctx, c, old.cfg)
	if err != nil {
		return Diff{}, err
	}
	l.swap(next)
	return d, nil
}

// Swap serves ix, a full rebuild, from now on; the previous generation is closed once no
// search uses it.
func (l *Live) Swap(ix *Index) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.swap(ix)
}

func (l *Live) swap(ix *Index) {
	old := l.cur.Load()
	ix.generation = old.generation + 1
	l.cur.Store(ix)
	if old.store != ix.store {
		old.store.retire()
	}
	old.release()
}

// Close releases the current generation.
func (l *Live) Close() {
	l.cur.Load().release()
}
