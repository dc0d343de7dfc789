//go:build unix

package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadOpened loads a folder through OpenDir, as the service does, failing the test when it hangs.
func loadOpened(t *testing.T, dir string, prev *Catalog) *Catalog {
	t.Helper()
	done := make(chan *Catalog, 1)
	go func() {
		fsys, release, err := OpenDir(dir)
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		defer release()
		c, err := Reload(fsys, prev)
		if err != nil {
			t.Error(err)
		}
		done <- c
	}()
	select {
	case c := <-done:
		return c
	case <-time.After(time.Minute):
		t.Fatal("loading the folder hangs")
		return nil
	}
}

// TestSpecialFilesNeverBlock puts FIFOs where entries and Git's files are looked for: a FIFO
// opened for reading waits for a writer, and would have stopped every later load.
func TestSpecialFilesNeverBlock(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"producers/dinum.yaml": goodProducer, "apis/good.yaml": goodEntry})
	for _, name := range []string{"apis/stray.yaml", ".git"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Skipf("no FIFO here: %v", err)
		}
	}
	c := loadOpened(t, dir, nil)
	if c.Entry("good") == nil {
		t.Errorf("the good entry is lost")
	}
	var reported bool
	for _, p := range c.Problems {
		reported = reported || p.Path == "apis/stray.yaml" && strings.Contains(p.Message, "not a regular file")
	}
	if !reported {
		t.Errorf("the FIFO is not reported as not a regular file: %v", c.Problems)
	}
	if c.Commit != "" {
		t.Errorf("commit %q read from a FIFO named .git", c.Commit)
	}
}

// TestUnreadableFileKeepsItsEntry makes an entry's file unreadable, as a save through a
// private temporary file can leave it: the file is still there, so its last good version is
// still served.
func TestUnreadableFileKeepsItsEntry(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"producers/dinum.yaml": goodProducer, "apis/good.yaml": goodEntry})
	first := loadOpened(t, dir, nil)
	if err := os.Chmod(filepath.Join(dir, "apis/good.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	second := loadOpened(t, dir, first)
	if e := second.Entry("good"); e == nil || e.Title != "API Adresse" {
		t.Errorf("unreadable file: entry = %+v, want its last good version", e)
	}
	if second.Count(SeverityError) == 0 {
		t.Errorf("the unreadable file is not reported: %v", second.Problems)
	}
}
