package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
)

// versionDigits is how many hex digits of the SHA-256 a catalogue's Version keeps: 64 bits,
// short enough to read in a status line, far more than two different folders could share.
const versionDigits = 16

// fileSums are the digests of the files a load read, by path: the catalogue's version.
type fileSums map[string]string

// add records a file read: raw is its content, nil when it could not be read whole.
func (s fileSums) add(p string, raw []byte) {
	if raw == nil {
		s[p] = "unreadable"
		return
	}
	sum := sha256.Sum256(raw)
	s[p] = hex.EncodeToString(sum[:])
}

// version is a digest of every path and content, in path order, so that two loads of the same
// files agree whatever the order they were read in and whatever was loaded before.
func (s fileSums) version() string {
	paths := make([]string, 0, len(s))
	for p := range s {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		// The path's length first: no path can be mistaken for the end of another.
		fmt.Fprintf(h, "%d:%s %s\n", len(p), p, s[p])
	}
	return hex.EncodeToString(h.Sum(nil))[:versionDigits]
}

// CommitFS is a catalogue folder that knows the Git commit its files were checked out at, as
// OpenDir's are; Load records it in the catalogue's Commit.
type CommitFS interface {
	fs.FS
	GitCommit() string
}
