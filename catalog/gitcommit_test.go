package catalog

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	commitB = "89abcdef0123456789abcdef0123456789abcdef"
)

// writeTree writes files under dir, creating their folders.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// gitSyncLayout lays out a folder as git-sync v4 leaves it: the repository in root/.git, the
// commit checked out in the linked worktree root/.worktrees/<commit>, and root/catalogue, the
// published link to it; the catalogue's files are under sub in the worktree.
func gitSyncLayout(t *testing.T, commit, sub string) (root string) {
	t.Helper()
	root = t.TempDir()
	wt := filepath.Join(".worktrees", commit)
	writeTree(t, root, map[string]string{
		".git/HEAD":                               "ref: refs/heads/git-sync\n",
		".git/worktrees/" + commit + "/HEAD":      commit + "\n",
		".git/worktrees/" + commit + "/commondir": "../..\n",
		wt + "/.git":                              "gitdir: ../../.git/worktrees/" + commit + "\n",
		wt + "/" + sub + "producers/dinum.yaml":   goodProducer,
		wt + "/" + sub + "apis/good.yaml":         goodEntry,
	})
	if err := os.Symlink(wt, filepath.Join(root, "catalogue")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestOpenDirReadsTheCommitOfAGitSyncCheckout(t *testing.T) {
	tests := []struct {
		name, sub string
	}{
		{"the link is the catalogue", ""},
		{"the catalogue is a folder of the checkout", "_data/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := gitSyncLayout(t, commitA, tt.sub)
			c := loadDir(t, filepath.Join(root, "catalogue", tt.sub))
			if c.Commit != commitA || c.Entry("good") == nil {
				t.Errorf("commit = %q, entries %d; want %s and the entry", c.Commit, len(c.Entries), commitA)
			}
		})
	}
}

func loadDir(t *testing.T, dir string) *Catalog {
	t.Helper()
	fsys, closeFn, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGitCommit(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no repository", map[string]string{"apis/a.yaml": "x"}, ""},
		{"detached HEAD", map[string]string{".git/HEAD": commitA + "\n"}, commitA},
		{"loose branch", map[string]string{".git/HEAD": "ref: refs/heads/main\n", ".git/refs/heads/main": commitA + "\n"}, commitA},
		{"packed branch", map[string]string{".git/HEAD": "ref: refs/heads/main\n",
			".git/packed-refs": "# pack-refs with: peeled fully-peeled sorted\n" + commitB + " refs/heads/other\n" + commitA + " refs/heads/main\n^" + commitB + "\n"}, commitA},
		{"loose branch over a packed one", map[string]string{".git/HEAD": "ref: refs/heads/main\n",
			".git/refs/heads/main": commitB + "\n", ".git/packed-refs": commitA + " refs/heads/main\n"}, commitB},
		{"symbolic branch", map[string]string{".git/HEAD": "ref: refs/heads/main\n",
			".git/refs/heads/main": "ref: refs/heads/trunk\n", ".git/refs/heads/trunk": commitA + "\n"}, commitA},
		{"unborn branch", map[string]string{".git/HEAD": "ref: refs/heads/main\n"}, ""},
		{"HEAD that is not a commit", map[string]string{".git/HEAD": "not a hash\n"}, ""},
		{"abbreviated hash", map[string]string{".git/HEAD": commitA[:12] + "\n"}, ""},
		{"upper-case hash", map[string]string{".git/HEAD": strings.ToUpper(commitA) + "\n"}, ""},
		{"ref leading out of the repository", map[string]string{".git/HEAD": "ref: refs/../../secret\n", "secret": commitA}, ""},
		{"oversized HEAD", map[string]string{".git/HEAD": commitA + strings.Repeat(" ", maxGitFile)}, ""},
		{".git file without gitdir", map[string]string{".git": commitA}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.files)
			if got := GitCommit(dir); got != tt.want {
				t.Errorf("GitCommit = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestGitCommitAgreesWithGit checks GitCommit against git itself, in a clone, a linked worktree
// and once the refs are packed; it skips when git is not installed.
func TestGitCommitAgreesWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.org",
			"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git(repo, "init", "-q")
	writeTree(t, repo, map[string]string{"_data/producers/dinum.yaml": goodProducer, "_data/apis/good.yaml": goodEntry})
	git(repo, "add", ".")
	git(repo, "commit", "-q", "-m", "first")
	first := git(repo, "rev-parse", "HEAD")
	writeTree(t, repo, map[string]string{"_data/apis/other.yaml": goodEntry})
	git(repo, "add", ".")
	git(repo, "commit", "-q", "-m", "second")
	second := git(repo, "rev-parse", "HEAD")
	worktree := filepath.Join(t.TempDir(), "wt")
	git(repo, "worktree", "add", "-q", "--detach", worktree, first)

	if got := GitCommit(filepath.Join(repo, "_data")); got != second {
		t.Errorf("checkout on a loose branch: %q, want %s", got, second)
	}
	if got := GitCommit(filepath.Join(worktree, "_data")); got != first {
		t.Errorf("linked worktree: %q, want %s", got, first)
	}
	git(repo, "pack-refs", "--all")
	if _, err := os.Stat(filepath.Join(repo, ".git", "refs", "heads", "main")); err == nil {
		t.Fatal("pack-refs left the branch loose")
	}
	if got := GitCommit(repo); got != second {
		t.Errorf("packed branch: %q, want %s", got, second)
	}
}
