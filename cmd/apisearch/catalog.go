package main

import (
	"fmt"
	"io/fs"
	"os"

	"apisearch/catalog"
)

// repoCatalog is the default catalogue's folder when the command runs from the repository.
const repoCatalog = "catalog"

// catalogDir returns the catalogue folder to read: dir, or when it is empty the repository's
// catalog/ folder if there is one, else "" for the catalogue embedded in the binary.
func catalogDir(dir string) string {
	if dir != "" {
		return dir
	}
	if info, err := os.Stat(repoCatalog + "/apis"); err == nil && info.IsDir() {
		return repoCatalog
	}
	return ""
}

// catalogName names a folder from catalogDir for messages.
func catalogName(dir string) string {
	if dir == "" {
		return "(embedded default catalogue)"
	}
	return dir
}

// opener returns the function that opens the catalogue folder dir (from catalogDir) afresh,
// so that a folder replaced behind a symlink is read as it is now, with the Git commit of its
// checkout (catalog.OpenDir).
func opener(dir string) func() (fs.FS, func(), error) {
	if dir == "" {
		return func() (fs.FS, func(), error) { return catalog.Default(), func() {}, nil }
	}
	return func() (fs.FS, func(), error) { return catalog.OpenDir(dir) }
}

// loadCatalog opens and loads a catalogue folder (see catalogDir).
func loadCatalog(dir string) (*catalog.Catalog, string, error) {
	dir = catalogDir(dir)
	fsys, closeFn, err := opener(dir)()
	if err != nil {
		return nil, "", err
	}
	defer closeFn()
	c, err := catalog.Load(fsys)
	if err != nil {
		return nil, catalogName(dir), fmt.Errorf("catalogue folder %s: %w", catalogName(dir), err)
	}
	return c, catalogName(dir), nil
}
