package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"apisearch/catalog"

	"github.com/blevesearch/bleve/v2"
)

// formatVersion changes whenever what the index stores changes (mapping, analysis, documents):
// an index on disk of another version is rebuilt.
const formatVersion = 3

// Disk is a folder that keeps the index on disk between runs, locked by one process at a time.
// Its "current" file names the subfolder of the index in service; each subfolder holds a
// bleve index and apisearch.json, which says what catalogue it holds and whether it was closed
// cleanly.
type Disk struct {
	dir  string
	lock *os.File
}

// diskMeta is apisearch.json.
type diskMeta struct {
	Format      int    `json:"format"`
	Fingerprint string `json:"fingerprint"` // of the documents and the analysis
	Clean       bool   `json:"clean"`       // closed cleanly: the bleve files hold every change
}

// OpenDisk locks the folder dir (creating it) for this process. A second process gets an error
// at once instead of waiting on bleve's file lock. Subfolders left by a crash are removed.
func OpenDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index folder %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("index folder %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(f.Name())
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("index folder %s is in use by another apisearch process (pid %s): give each process its own --index-dir", dir, strings.TrimSpace(string(holder)))
		}
		return nil, fmt.Errorf("index folder %s: lock: %w", dir, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	d := &Disk{dir: dir, lock: f}
	d.removeAllBut(d.current())
	return d, nil
}

// Close releases the folder's lock.
func (d *Disk) Close() error {
	return d.lock.Close()
}

// current returns the name of the subfolder in service, or "".
func (d *Disk) current() string {
	data, err := os.ReadFile(filepath.Join(d.dir, "current"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// setCurrent names the subfolder in service, atomically.
func (d *Disk) setCurrent(name string) error {
	return writeAtomic(filepath.Join(d.dir, "current"), []byte(name+"\n"))
}

// removeAllBut removes every index subfolder but keep: leftovers of crashed builds.
func (d *Disk) removeAllBut(keep string) {
	items, _ := os.ReadDir(d.dir)
	for _, it := range items {
		if it.IsDir() && strings.HasPrefix(it.Name(), "index-") && it.Name() != keep {
			_ = os.RemoveAll(filepath.Join(d.dir, it.Name()))
		}
	}
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeMeta(path string, m diskMeta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(path, "apisearch.json"), data)
}

func readMeta(path string) (diskMeta, error) {
	var m diskMeta
	data, err := os.ReadFile(filepath.Join(path, "apisearch.json"))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(data, &m)
}

// fingerprint identifies what an index of c with cfg holds: its documents and its analysis.
func fingerprint(c *catalog.Catalog, cfg Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "format %d\nanalysis %+v\n", formatVersion, cfg.Analysis)
	enc := json.NewEncoder(h)
	for _, e := range c.Entries {
		fmt.Fprintf(h, "%s\n", e.Slug)
		_ = enc.Encode(document(e))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Open returns an index of c: with cfg.Disk, the one kept on disk when it was closed cleanly
// over the same catalogue and analysis (reused is then true), else a new one.
func Open(ctx context.Context, c *catalog.Catalog, cfg Config) (ix *Index, reused bool, err error) {
	if cfg, err = cfg.withDefaults(); err != nil {
		return nil, false, err
	}
	if d := cfg.Disk; d != nil {
		if ix, err := d.reopen(c, cfg); err == nil {
			return ix, true, nil
		}
	}
	ix, err = Build(ctx, c, cfg)
	return ix, false, err
}

// reopen opens the index in service if it holds c; any doubt is an error, and the caller
// rebuilds.
func (d *Disk) reopen(c *catalog.Catalog, cfg Config) (*Index, error) {
	name := d.current()
	if name == "" {
		return nil, errors.New("no index on disk")
	}
	path := filepath.Join(d.dir, name)
	m, err := readMeta(path)
	fp := fingerprint(c, cfg)
	switch {
	case err != nil:
		return nil, err
	case !m.Clean:
		return nil, errors.New("the index on disk was not closed cleanly")
	case m.Format != formatVersion || m.Fingerprint != fp:
		return nil, errors.New("the index on disk holds another catalogue or version")
	}
	registerAnalysis()
	idx, err := bleve.Open(path)
	if err != nil {
		return nil, err
	}
	if n, err := idx.DocCount(); err != nil || n != uint64(len(c.Entries)) {
		idx.Close()
		return nil, fmt.Errorf("the index on disk is damaged (%d documents for %d entries)", n, len(c.Entries))
	}
	// While the process runs, the files may lag behind the changes: not clean until Close.
	if err := writeMeta(path, diskMeta{Format: formatVersion, Fingerprint: fp}); err != nil {
		idx.Close()
		return nil, err
	}
	st := &store{idx: idx, disk: d, path: path, fingerprint: fp}
	ix, err := newGeneration(st, c, cfg, 1)
	if err != nil {
		st.close()
		return nil, err
	}
	return ix, nil
}

// newPath returns a new subfolder for an index.
func (d *Disk) newPath() string {
	return filepath.Join(d.dir, fmt.Sprintf("index-%d", time.Now().UnixNano()))
}
