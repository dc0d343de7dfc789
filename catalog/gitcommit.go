package catalog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Bounds on what GitCommit reads of a repository.
const (
	maxGitFile    = 4 << 10  // a .git file, HEAD, commondir or a loose ref
	maxPackedRefs = 16 << 20 // packed-refs, scanned line by line
	maxGitLevels  = 64       // folders walked up from the catalogue to find .git
	maxSymrefs    = 5        // symbolic refs followed from HEAD
)

// OpenDir opens the catalogue folder dir for one load, as it is now: its path's symlinks are
// resolved once, so that a load reads one checkout even when git-sync swaps its link meanwhile,
// and the Git commit of that checkout is read beside it (the FS is a CommitFS). Symlinks
// leading out of the folder are refused by os.Root. The function returned releases the folder.
func OpenDir(dir string) (fs.FS, func(), error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("catalogue folder %s: %w", dir, err)
	}
	root, err := os.OpenRoot(real)
	if err != nil {
		return nil, nil, fmt.Errorf("catalogue folder %s: %w", dir, err)
	}
	return dirFS{root: root, commit: GitCommit(real)}, func() { root.Close() }, nil
}

// dirFS is a folder opened by OpenDir.
type dirFS struct {
	root   *os.Root
	commit string
}

// Open opens a file or a folder without waiting: a FIFO or a device named like an entry would
// block a plain open until something writes to it, and with it every later load. readFile
// then refuses what is not a regular file.
func (d dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return d.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// Stat describes a file without opening it.
func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	return d.root.Stat(name)
}

// GitCommit returns the commit the folder was checked out at.
func (d dirFS) GitCommit() string { return d.commit }

// GitCommit returns the commit checked out in the Git working tree that holds dir (dir itself
// or a folder above it), or "" when there is none or it cannot be read. It reads the files Git
// keeps, without running git: a .git folder, or a .git file naming the folder of a linked
// worktree as git-sync makes them (/git/.worktrees/<commit>/.git), HEAD, the branch it names,
// loose or packed.
func GitCommit(dir string) string {
	gitDir := findGitDir(dir)
	if gitDir == "" {
		return ""
	}
	// A linked worktree keeps its HEAD in its own folder and the branches in the repository's.
	common := gitDir
	if rel, err := readGitFile(filepath.Join(gitDir, "commondir")); err == nil {
		common = joinGitPath(gitDir, rel)
	}
	head, err := readGitFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	for range maxSymrefs {
		ref, symbolic := strings.CutPrefix(head, "ref: ")
		if !symbolic {
			break
		}
		if head = readRef(gitDir, common, ref); head == "" {
			return ""
		}
	}
	if !isCommitHash(head) {
		return ""
	}
	return head
}

// findGitDir returns the Git folder of the working tree that holds dir, "" when none does.
func findGitDir(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for range maxGitLevels {
		dotGit := filepath.Join(dir, ".git")
		if info, err := os.Lstat(dotGit); err == nil {
			if info.IsDir() {
				return dotGit
			}
			// A linked worktree's .git is a file: "gitdir: <its folder in the repository>".
			text, err := readGitFile(dotGit)
			target, ok := strings.CutPrefix(text, "gitdir: ")
			if err != nil || !ok {
				return ""
			}
			return joinGitPath(dir, target)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}

// readRef returns what a ref holds, a commit hash or "ref: <another ref>", "" when it cannot be
// read. Refs of a worktree are in its own folder, a branch in the repository's, loose or in
// packed-refs.
func readRef(gitDir, common, ref string) string {
	// Only a ref name, never a path leading elsewhere.
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") || strings.ContainsAny(ref, "\\\x00") {
		return ""
	}
	for _, d := range []string{gitDir, common} {
		if v, err := readGitFile(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
			return v
		}
	}
	f, err := openRegular(filepath.Join(common, "packed-refs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxPackedRefs))
	for sc.Scan() {
		// "<hash> <ref>"; comments start with '#', peeled tags with '^'.
		hash, name, ok := strings.Cut(sc.Text(), " ")
		if ok && name == ref {
			return hash
		}
	}
	return ""
}

// readGitFile reads a small regular file of a Git folder, trimmed; one over maxGitFile is an
// error.
func readGitFile(p string) (string, error) {
	f, err := openRegular(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxGitFile+1))
	if err != nil {
		return "", err
	}
	if len(data) > maxGitFile {
		return "", errors.New("file too large for a Git file")
	}
	return strings.TrimSpace(string(data)), nil
}

// joinGitPath resolves a path found in a Git file, relative to the folder that holds it.
func joinGitPath(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// isCommitHash reports whether s is a full commit hash: SHA-1 or SHA-256, in lowercase hex.
func isCommitHash(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// openRegular opens a regular file without waiting (see dirFS.Open): a FIFO named .git or HEAD
// in a folder above the catalogue, which anyone may create in /tmp, is an error, not a hang.
func openRegular(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	return f, nil
}
