package reindex

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"apisearch/internal/watch"
)

// unlistable is a catalogue folder whose apis/ folder cannot be listed, as when its permissions
// change under a running service (root, which runs the tests in CI, can read a chmod 000 folder,
// so the error is injected).
type unlistable struct{ fs.FS }

func (u unlistable) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "apis" {
		return nil, &fs.PathError{Op: "readdirent", Path: name, Err: fs.ErrPermission}
	}
	return fs.ReadDir(u.FS, name)
}

// TestCatalogueFolderFaults breaks the catalogue folder under a running service: each time the
// previous index keeps serving every entry, the status says why, and the service follows the
// folder again once it is back.
func TestCatalogueFolderFaults(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "catalogue")
	writeFiles(t, dir, map[string]string{"producers/dinum.yaml": producer, "apis/a.yaml": entry("API Alpha", "Texte."), "apis/b.yaml": entry("API Bravo", "Texte.")})
	broken := false
	open := func() (fs.FS, func(), error) {
		fsys, closeFn, err := dirOpener(dir)()
		if err == nil && broken {
			fsys = unlistable{fsys}
		}
		return fsys, closeFn, err
	}
	r, err := New(context.Background(), Config{Open: open, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l := &live{t: t, r: r, dir: dir}
	both := []string{"a", "b"}
	apply := func() { r.Apply(context.Background(), watch.Batch{Resync: true, Reason: "test"}) }
	serving := func(step, wantErr string) {
		t.Helper()
		if got := l.search("api"); !slices.Equal(got, both) {
			t.Errorf("%s: search finds %v, want the previous index's %v", step, got, both)
		}
		st := r.Status()
		if st.Entries != 2 || !strings.Contains(st.LastError, wantErr) || st.LastErrorAt == nil {
			t.Errorf("%s: status has %d entries, last error %q; want 2 and an error containing %q", step, st.Entries, st.LastError, wantErr)
		}
	}

	// Unreadable: a folder that cannot be listed is not read as an empty one.
	broken = true
	apply()
	serving("apis/ unreadable", "cannot list folder apis")
	if _, err := r.Reindex(context.Background(), false); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("full reindex of an unreadable folder: %v, want a permission error", err)
	}
	serving("reindex of an unreadable folder", "cannot list folder apis")
	broken = false

	// Its entries' folder moved away: the change would empty the index, so it is held.
	must(t, os.Rename(filepath.Join(dir, "apis"), filepath.Join(parent, "apis-moved")))
	apply()
	serving("apis/ moved away", "change held")
	if st := r.Status(); !st.Held {
		t.Errorf("apis/ moved away: the status does not say the change is held")
	}
	must(t, os.Rename(filepath.Join(parent, "apis-moved"), filepath.Join(dir, "apis")))

	// Deleted.
	must(t, os.Rename(dir, filepath.Join(parent, "moved")))
	apply()
	serving("folder deleted", "no such file or directory")

	// Replaced by a folder that is no catalogue (a mount gone wrong).
	must(t, os.MkdirAll(filepath.Join(dir, "lost+found"), 0o755))
	apply()
	serving("folder replaced by an empty one", "no catalogue here")

	// Replaced by another catalogue: followed, and the error is gone.
	must(t, os.RemoveAll(dir))
	writeFiles(t, dir, map[string]string{"producers/dinum.yaml": producer, "apis/c.yaml": entry("API Charlie", "Texte.")})
	apply()
	if got := l.search("api"); !slices.Equal(got, []string{"c"}) {
		t.Errorf("after the folder came back with another catalogue, search finds %v, want [c]", got)
	}
	if st := r.Status(); st.LastError != "" || st.LastErrorAt != nil {
		t.Errorf("the last error is still reported once a change applied: %q", st.LastError)
	}
}
