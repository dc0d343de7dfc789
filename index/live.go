package index

import (
	"context"
	"fmt"
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

// Apply moves to catalogue c incrementally: the entries added, changed or removed since the
// current generation are applied to its bleve index in one batch, and a new generation is made
// over it (none when nothing changed). A search that overlaps the batch may see a new or changed entry with the previous
// generation's catalogue; entries it does not know are left out of its hits.
func (l *Live) Apply(ctx context.Context, c *catalog.Catalog) (Diff, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.cur.Load()
	var d Diff
	batch := old.bleve.NewBatch()
	for _, e := range c.Entries {
		prev := old.catalog.Entry(e.Slug)
		switch {
		case prev == nil:
			d.Added++
		case !reflect.DeepEqual(prev, e):
			d.Changed++
		default:
			continue
		}
		if err := batch.Index(e.Slug, document(e)); err != nil {
			return Diff{}, fmt.Errorf("index entry %s: %w", e.Slug, err)
		}
	}
	for _, e := range old.catalog.Entries {
		if c.Entry(e.Slug) == nil {
			d.Removed++
			batch.Delete(e.Slug)
		}
	}
	if err := ctx.Err(); err != nil {
		return Diff{}, err
	}
	if batch.Size() == 0 && reflect.DeepEqual(old.catalog.Problems, c.Problems) && old.catalog.Layout == c.Layout {
		return d, nil // nothing changed: no new generation
	}
	if batch.Size() > 0 {
		if err := old.bleve.Batch(batch); err != nil {
			return Diff{}, fmt.Errorf("apply changes: %w", err)
		}
	}
	next, err := newGeneration(old.store, c, old.cfg, old.generation+1)
	if err != nil {
		return Diff{}, err
	}
	old.store.holds(c, old.cfg)
	l.cur.Store(next)
	old.release()
	return d, nil
}

// Swap serves ix, a full rebuild, from now on; the previous generation is closed once no
// search uses it.
func (l *Live) Swap(ix *Index) {
	l.mu.Lock()
	defer l.mu.Unlock()
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
