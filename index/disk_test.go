package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openOnDisk(t *testing.T, dir string, entries map[string]string) (*Index, bool, *Disk) {
	t.Helper()
	d, err := OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix, reused, err := Open(context.Background(), catalogOf(t, entries), Config{Disk: d})
	if err != nil {
		t.Fatal(err)
	}
	return ix, reused, d
}

func subfolders(t *testing.T, dir string) []string {
	items, _ := os.ReadDir(dir)
	var out []string
	for _, it := range items {
		if it.IsDir() {
			out = append(out, it.Name())
		}
	}
	return out
}

func TestDiskReopenAndRebuild(t *testing.T) {
	dir := t.TempDir()
	entries := map[string]string{"a": "API Alpha", "b": "API Bravo"}
	ix, reused, d := openOnDisk(t, dir, entries)
	if reused {
		t.Fatal("a first run reused an index")
	}
	ix.Close()
	d.Close()

	// Same catalogue, closed cleanly: reopened, not rebuilt, and it answers.
	ix, reused, d = openOnDisk(t, dir, entries)
	if !reused {
		t.Error("a clean index of the same catalogue was rebuilt")
	}
	if res, err := ix.Search(context.Background(), Request{Query: "bravo "}); err != nil || res.Total != 1 {
		t.Errorf("reopened index: %v, %v", res, err)
	}
	ix.Close()
	d.Close()

	// Another catalogue: rebuilt, and the old folder removed.
	ix, reused, d = openOnDisk(t, dir, map[string]string{"a": "API Alpha modifiée"})
	if reused {
		t.Error("an index of another catalogue was reused")
	}
	ix.Close()
	d.Close()
	d, _ = OpenDisk(dir)
	if n := len(subfolders(t, dir)); n != 1 {
		t.Errorf("%d index folders after a rebuild, want 1: %v", n, subfolders(t, dir))
	}
	d.Close()
}

// TestDiskCrashAndDamage: an index never closed, damaged, or of another format is rebuilt.
func TestDiskCrashAndDamage(t *testing.T) {
	dir := t.TempDir()
	entries := map[string]string{"a": "API Alpha"}
	// A process killed while serving never closes its index: the next run rebuilds.
	_, _, d := openOnDisk(t, dir, entries)
	d.Close() // the lock goes with the process; the index is never closed
	ix, reused, d := openOnDisk(t, dir, entries)
	if reused {
		t.Error("an index not closed cleanly was reused")
	}
	ix.Close()
	d.Close()

	// Damaged files: rebuilt.
	current := filepath.Join(dir, strings.TrimSpace(readFile(t, filepath.Join(dir, "current"))))
	if err := os.WriteFile(filepath.Join(current, "store", "root.bolt"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, reused, d = openOnDisk(t, dir, entries)
	if reused {
		t.Error("a damaged index was reused")
	}
	if res, _ := ix.Search(context.Background(), Request{Query: "alpha "}); res.Total != 1 {
		t.Errorf("rebuilt index does not answer")
	}
	ix.Close()
	d.Close()

	// Written by another version of apisearch, closed cleanly over the same catalogue: rebuilt.
	current = filepath.Join(dir, strings.TrimSpace(readFile(t, filepath.Join(dir, "current"))))
	m, err := readMeta(current)
	if err != nil || !m.Clean {
		t.Fatalf("meta after a clean close: %+v, %v", m, err)
	}
	m.Format = formatVersion - 1
	if err := writeMeta(current, m); err != nil {
		t.Fatal(err)
	}
	ix, reused, d = openOnDisk(t, dir, entries)
	if reused {
		t.Error("an index of another format version was reused")
	}
	ix.Close()
	d.Close()
}

func readFile(t *testing.T, p string) string {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestDiskLockedByOneProcess(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := OpenDisk(dir); err == nil || !strings.Contains(err.Error(), "in use by another apisearch process") {
		t.Errorf("second open of the folder: %v, want a clear error at once", err)
	}
}

func TestDiskSwapRemovesTheOldFolder(t *testing.T) {
	dir := t.TempDir()
	ix, _, d := openOnDisk(t, dir, map[string]string{"a": "API Alpha"})
	defer d.Close()
	l := NewLive(ix)
	next, err := Build(context.Background(), catalogOf(t, map[string]string{"b": "API Bravo"}), Config{Disk: d})
	if err != nil {
		t.Fatal(err)
	}
	l.Swap(next)
	if n := len(subfolders(t, dir)); n != 1 {
		t.Errorf("%d index folders after a swap, want the new one only", n)
	}
	if _, err := l.Apply(context.Background(), catalogOf(t, map[string]string{"b": "API Bravo", "c": "API Charlie"})); err != nil {
		t.Fatal(err)
	}
	l.Close()
	d.Close()
	// Closed cleanly after an incremental change: the next run reopens it.
	_, reused, d2 := openOnDisk(t, dir, map[string]string{"b": "API Bravo", "c": "API Charlie"})
	defer d2.Close()
	if !reused {
		t.Error("the index closed cleanly after incremental changes was rebuilt")
	}
}
