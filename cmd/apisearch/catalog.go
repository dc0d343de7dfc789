package main

import (
	"fmt"
	"io/fs"
	"os"

	"apisearch/catalog"
)

// repoCatalog is the default catalogue's folder when the command runs from the repository.
const repoCatalog = "catalog"

// openCatalog opens the catalogue folder dir, or when dir is empty the repository's catalog/
// folder if there is one, else the catalogue embedded in the binary. It returns the folder's
// name for messages and a function that releases it. Symlinks leading out of the folder are
// refused by os.Root.
func openCatalog(dir string) (fsys fs.FS, name string, closeFn func(), err error) {
	if dir == "" {
		if info, err := os.Stat(repoCatalog + "/apis"); err == nil && info.IsDir() {
			dir = repoCatalog
		} else {
			return catalog.Default(), "(embedded default catalogue)", func() {}, nil
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", nil, fmt.Errorf("catalogue folder %s: %w", dir, err)
	}
	return root.FS(), dir, func() { root.Close() }, nil
}

// loadCatalog opens and loads a catalogue folder.
func loadCatalog(dir string) (*catalog.Catalog, string, error) {
	fsys, name, closeFn, err := openCatalog(dir)
	if err != nil {
		return nil, "", err
	}
	defer closeFn()
	c, err := catalog.Load(fsys)
	if err != nil {
		return nil, name, fmt.Errorf("catalogue folder %s: %w", name, err)
	}
	return c, name, nil
}
