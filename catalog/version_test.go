package catalog

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// versionFolder is a small catalogue with one file that cannot be used.
func versionFolder() fstest.MapFS {
	return fstest.MapFS{
		"producers/dinum.yaml": {Data: []byte(goodProducer)},
		"apis/good.yaml":       {Data: []byte(goodEntry)},
		"apis/broken.yaml":     {Data: []byte("title: [")},
	}
}

func mustLoad(t *testing.T, fsys fstest.MapFS) *Catalog {
	t.Helper()
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVersionFollowsTheFilesRead(t *testing.T) {
	base := mustLoad(t, versionFolder()).Version
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(base) {
		t.Fatalf("version = %q, want 16 hex digits", base)
	}
	tests := []struct {
		name   string
		change func(fstest.MapFS)
		same   bool
	}{
		{"nothing changed", func(fstest.MapFS) {}, true},
		{"a README added", func(f fstest.MapFS) { f["apis/README.md"] = &fstest.MapFile{Data: []byte("# Fiches")} }, true},
		{"an editor's swap file added", func(f fstest.MapFS) { f["apis/.good.yaml.swp"] = &fstest.MapFile{Data: []byte("x")} }, true},
		{"an entry changed", func(f fstest.MapFS) {
			f["apis/good.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodEntry, "Chercher", "Trouver", 1))}
		}, false},
		{"only the spaces of an entry changed", func(f fstest.MapFS) {
			f["apis/good.yaml"] = &fstest.MapFile{Data: []byte(goodEntry + "\n")}
		}, false},
		{"a file that cannot be used changed", func(f fstest.MapFS) { f["apis/broken.yaml"] = &fstest.MapFile{Data: []byte("title: [[")} }, false},
		{"a file renamed", func(f fstest.MapFS) {
			f["apis/good2.yaml"] = f["apis/good.yaml"]
			delete(f, "apis/good.yaml")
		}, false},
		{"a file removed", func(f fstest.MapFS) { delete(f, "apis/broken.yaml") }, false},
		{"a synonyms file added", func(f fstest.MapFS) {
			f[SynonymsFile] = &fstest.MapFile{Data: []byte("groups:\n  - [vélo, bicyclette]\n")}
		}, false},
		{"a file over the size cap added", func(f fstest.MapFS) {
			f["apis/huge.yaml"] = &fstest.MapFile{Data: make([]byte, MaxFileSize+1)}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := versionFolder()
			tt.change(fsys)
			got := mustLoad(t, fsys).Version
			if (got == base) != tt.same {
				t.Errorf("version %s, before the change %s: want same=%v", got, base, tt.same)
			}
		})
	}
}

// TestVersionIgnoresHistory checks that two replicas reading the same folder agree, whatever
// each loaded before: a reload keeps the last good version of a broken entry, not the version.
func TestVersionIgnoresHistory(t *testing.T) {
	fresh := mustLoad(t, versionFolder())
	earlier := versionFolder()
	earlier["apis/broken.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodEntry, "API Adresse", "API Cassée", 1))}
	reloaded, err := Reload(versionFolder(), mustLoad(t, earlier))
	if err != nil {
		t.Fatal(err)
	}
	if reloaded.Entry("broken") == nil {
		t.Fatal("the reload did not keep the last good version of the broken entry")
	}
	if reloaded.Version != fresh.Version {
		t.Errorf("reloaded after another history: version %s, loaded afresh: %s", reloaded.Version, fresh.Version)
	}
}

// TestEmbeddedCatalogueHasTheFolderVersion checks that the binary's embedded catalogue and the
// repository folder it is built from report the same version.
func TestEmbeddedCatalogueHasTheFolderVersion(t *testing.T) {
	embedded, err := Load(Default())
	if err != nil {
		t.Fatal(err)
	}
	folder, err := Load(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	if embedded.Version != folder.Version || embedded.Commit != "" {
		t.Errorf("embedded: version %s commit %q; folder: version %s", embedded.Version, embedded.Commit, folder.Version)
	}
}
