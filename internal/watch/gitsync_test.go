package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestGitSyncSwap reproduces what git-sync v4 does when a new commit arrives: it checks the
// commit out in a new worktree beside the old one, points a temporary symlink at it, renames
// that over the published link, then deletes the old worktree (or keeps it a while, with
// --stale-worktree-timeout). The catalogue is the link, or a folder of the checkout below it
// (the national catalogue's _data). The watcher must read everything again once, then follow
// the new worktree, never the old one.
func TestGitSyncSwap(t *testing.T) {
	tests := []struct {
		name, sub string
		keepOld   bool
	}{
		{"link, old worktree deleted", "", false},
		{"link, old worktree kept", "", true},
		{"folder below the link, old worktree deleted", "_data", false},
		{"folder below the link, old worktree kept", "_data", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			worktree := func(commit string) string {
				dir := filepath.Join(root, ".worktrees", commit, tt.sub)
				for _, d := range []string{"api", "producteurs"} {
					if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.WriteFile(filepath.Join(dir, "api", commit+".md"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
				return dir
			}
			publish := func(commit string) {
				tmp := filepath.Join(root, "tmp-link")
				if err := os.Symlink(filepath.Join(".worktrees", commit), tmp); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(tmp, filepath.Join(root, "catalogue")); err != nil {
					t.Fatal(err)
				}
			}
			old := worktree("aaa")
			publish("aaa")
			h := startIn(t, filepath.Join(root, "catalogue", tt.sub), nil)

			worktree("bbb")
			publish("bbb")
			if !tt.keepOld {
				if err := os.RemoveAll(filepath.Join(root, ".worktrees", "aaa")); err != nil {
					t.Fatal(err)
				}
			}
			if b := h.next(); !b.Resync {
				t.Fatalf("after the swap: batch = %+v, want everything read again", b)
			}
			if tt.keepOld {
				// The old worktree is no longer the catalogue: its changes are not followed.
				if err := os.WriteFile(filepath.Join(old, "api", "stale.md"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
				h.none(400 * time.Millisecond)
			}
			// A change in the new worktree is seen, through the link.
			h.write("api/c.md", "x")
			for range 5 {
				if b := h.next(); slices.Contains(b.Paths, "api/c.md") {
					return
				}
			}
			t.Error("a change in the new worktree was not seen")
		})
	}
}

// TestLinkChainSwap follows a catalogue reached through two links, as release folders chain
// them (catalogue → releases/current → r1): swapping the second one to r2, r1 kept on disk,
// is seen, and r2 is followed from then on.
func TestLinkChainSwap(t *testing.T) {
	root := t.TempDir()
	for _, r := range []string{"r1", "r2"} {
		for _, d := range []string{"api", "producteurs"} {
			if err := os.MkdirAll(filepath.Join(root, r, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	link := func(target, name string) {
		tmp := filepath.Join(root, "tmp-link")
		if err := os.Symlink(target, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "releases"), 0o755); err != nil {
		t.Fatal(err)
	}
	link("../r1", "releases/current")
	link("releases/current", "catalogue")
	h := startIn(t, filepath.Join(root, "catalogue"), nil)

	link("../r2", "releases/current")
	if b := h.next(); !b.Resync {
		t.Fatalf("after the swap of the second link: batch = %+v, want everything read again", b)
	}
	if err := os.WriteFile(filepath.Join(root, "r2", "api", "c.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if b := h.next(); slices.Contains(b.Paths, "api/c.md") {
			return
		}
	}
	t.Error("a change in r2 was not seen")
}
