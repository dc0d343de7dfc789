package reindex

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/watch"
)

const producer = "name: Direction interministérielle du numérique\nacronym: DINUM\ntype: Ministère\n"

func entry(title, body string) string {
	return fmt.Sprintf("title: %s\ntagline: Une API.\nproducer: dinum\naccess: open\nthemes: [Géographie]\n"+
		"links: {doc_tech: 'https://example.org', contact: 'https://example.org'}\ndescription: %s\n", title, body)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// dirOpener opens a folder afresh at each load, as serve does.
func dirOpener(dir string) Opener {
	return func() (fs.FS, func(), error) { return catalog.OpenDir(dir) }
}

// live is a catalogue folder followed by a watcher and a reindexer, as serve runs them.
type live struct {
	t   *testing.T
	dir string // the folder as written to
	r   *Reindexer
	w   *watch.Watcher
}

// follow starts a reindexer and a watcher over dir (the path that serve is given).
func follow(t *testing.T, dir, writeDir string) *live {
	t.Helper()
	r, err := New(context.Background(), Config{Open: dirOpener(dir), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := watch.New(watch.Config{Dir: dir, Debounce: 50 * time.Millisecond, Logger: quiet()}, r.Apply)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWatcher(w.State)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		r.Close()
	})
	for w.State().Watches == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	return &live{t: t, dir: writeDir, r: r, w: w}
}

// newFolder makes a catalogue folder in the project's layout with the given entries.
func newFolder(t *testing.T, entries map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"producers/dinum.yaml": producer})
	for slug, title := range entries {
		writeFiles(t, dir, map[string]string{"apis/" + slug + ".yaml": entry(title, "Texte.")})
	}
	return dir
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (l *live) write(rel, content string) { writeFiles(l.t, l.dir, map[string]string{rel: content}) }

func (l *live) search(q string) []string {
	ix, release := l.r.Live().Acquire()
	defer release()
	res, err := ix.Search(context.Background(), index.Request{Query: q, PerPage: 100})
	if err != nil {
		l.t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Slug)
	}
	sort.Strings(out)
	return out
}

// eventually waits, within a generous bound, until a search for q finds exactly want.
func (l *live) eventually(q string, want ...string) time.Duration {
	l.t.Helper()
	sort.Strings(want)
	start := time.Now()
	for {
		got := l.search(q)
		if slices.Equal(got, want) {
			return time.Since(start)
		}
		if time.Since(start) > 5*time.Second {
			l.t.Fatalf("search %q finds %v, want %v (after 5s)", q, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAddChangeRenameDelete(t *testing.T) {
	dir := newFolder(t, map[string]string{"a": "API Alpha"})
	l := follow(t, dir, dir)
	l.write("apis/b.yaml", entry("API Bravo", "Texte."))
	l.eventually("bravo", "b")
	l.write("apis/b.yaml", entry("API Charlie", "Texte."))
	l.eventually("charlie", "b")
	l.eventually("bravo")
	if err := os.Rename(filepath.Join(dir, "apis/b.yaml"), filepath.Join(dir, "apis/c.yaml")); err != nil {
		t.Fatal(err)
	}
	l.eventually("charlie", "c")
	if err := os.Remove(filepath.Join(dir, "apis/c.yaml")); err != nil {
		t.Fatal(err)
	}
	l.eventually("charlie")
	l.eventually("alpha", "a")
}

func TestEditorSaves(t *testing.T) {
	dir := newFolder(t, map[string]string{"a": "API Alpha"})
	l := follow(t, dir, dir)
	// vim: swap file, then the new content written to 4913 probe / a temp name and renamed.
	l.write("apis/.a.yaml.swp", "garbage")
	l.write("apis/4913", "")
	os.Remove(filepath.Join(dir, "apis/4913"))
	l.write("apis/a.yaml~", entry("API Alpha", "Texte."))
	l.write("apis/a.yaml.tmp", entry("API Vimmed", "Texte."))
	if err := os.Rename(filepath.Join(dir, "apis/a.yaml.tmp"), filepath.Join(dir, "apis/a.yaml")); err != nil {
		t.Fatal(err)
	}
	l.eventually("vimmed", "a")
	// JetBrains: write ___jb_tmp___, move the original to ___jb_old___, rename, delete the old.
	l.write("apis/a.yaml___jb_tmp___", entry("API Jetbrained", "Texte."))
	os.Rename(filepath.Join(dir, "apis/a.yaml"), filepath.Join(dir, "apis/a.yaml___jb_old___"))
	os.Rename(filepath.Join(dir, "apis/a.yaml___jb_tmp___"), filepath.Join(dir, "apis/a.yaml"))
	os.Remove(filepath.Join(dir, "apis/a.yaml___jb_old___"))
	l.eventually("jetbrained", "a")
	// No temporary file ever became an entry.
	if got := l.search("alpha"); len(got) != 0 {
		t.Errorf("a backup or temporary file became an entry: %v", got)
	}
	l.eventually("api", "a")
}

func TestGitPullOfManyFiles(t *testing.T) {
	dir := newFolder(t, map[string]string{"a": "API Alpha"})
	l := follow(t, dir, dir)
	before := l.w.State().Batches
	files := map[string]string{}
	var want []string
	for i := range 60 {
		slug := fmt.Sprintf("pulled-%02d", i)
		files["apis/"+slug+".yaml"] = entry("API Tirée "+slug, "Texte.")
		want = append(want, slug)
	}
	writeFiles(t, dir, files)
	l.eventually("tiree", want...)
	if n := l.w.State().Batches - before; n > 3 {
		t.Errorf("60 files written at once took %d batches, want one or very few", n)
	}
}

func TestSubfolderDeletedAndRecreated(t *testing.T) {
	dir := newFolder(t, map[string]string{"a": "API Alpha", "b": "API Bravo"})
	l := follow(t, dir, dir)
	if err := os.RemoveAll(filepath.Join(dir, "apis")); err != nil {
		t.Fatal(err)
	}
	// A change that would empty the index is held: the entries keep being served.
	deadline := time.Now().Add(5 * time.Second)
	for !l.r.Status().Held {
		if time.Now().After(deadline) {
			t.Fatalf("the removal of every entry was not held: %+v", l.r.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.eventually("api", "a", "b")
	l.write("apis/c.yaml", entry("API Charlie", "Texte."))
	l.eventually("api", "c")
	l.write("apis/d.yaml", entry("API Delta", "Texte."))
	l.eventually("api", "c", "d")
}

func TestConfigMapDataSwap(t *testing.T) {
	// A ConfigMap volume: visible names are symlinks into ..data, itself a symlink to a
	// timestamped folder that kubelet swaps atomically.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"..2026_01/producers/dinum.yaml": producer,
		"..2026_01/apis/a.yaml":          entry("API Alpha", "Texte."),
	})
	must(t, os.Symlink("..2026_01", filepath.Join(dir, "..data")))
	must(t, os.Symlink("..data/apis", filepath.Join(dir, "apis")))
	must(t, os.Symlink("..data/producers", filepath.Join(dir, "producers")))
	l := follow(t, dir, dir)
	l.eventually("api", "a")

	writeFiles(t, dir, map[string]string{
		"..2026_02/producers/dinum.yaml": producer,
		"..2026_02/apis/a.yaml":          entry("API Alpha modifiée", "Texte."),
		"..2026_02/apis/b.yaml":          entry("API Bravo", "Texte."),
	})
	must(t, os.Symlink("..2026_02", filepath.Join(dir, "..data_tmp")))
	must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	must(t, os.RemoveAll(filepath.Join(dir, "..2026_01")))
	l.eventually("api", "a", "b")
	l.eventually("modifiee", "a")
	// Each entry once: the timestamped folders are never read as entries.
	if n := len(l.r.Status().Problems); n != 0 {
		t.Errorf("problems after the swap: %v", l.r.Status().Problems)
	}
}

func TestGitSyncSwapsTheWholeFolder(t *testing.T) {
	// git-sync: the catalogue is a symlink to a worktree, or a folder of it; a new commit is
	// checked out in a new worktree, the link is swapped to it and the old worktree deleted.
	aaa, bbb := strings.Repeat("a", 40), strings.Repeat("b", 40)
	for _, sub := range []string{"", "_data"} {
		t.Run("catalogue at link/"+sub, func(t *testing.T) {
			base := t.TempDir()
			files := func(commit string, titles map[string]string) map[string]string {
				out := map[string]string{
					filepath.Join(".worktrees", commit, sub, "producers/dinum.yaml"): producer,
					// The worktree's Git files, as git-sync v4 writes them.
					filepath.Join(".worktrees", commit, ".git"):          "gitdir: ../../.git/worktrees/" + commit + "\n",
					filepath.Join(".git/worktrees", commit, "HEAD"):      commit + "\n",
					filepath.Join(".git/worktrees", commit, "commondir"): "../..\n",
				}
				for slug, title := range titles {
					out[filepath.Join(".worktrees", commit, sub, "apis", slug+".yaml")] = entry(title, "Texte.")
				}
				return out
			}
			// Enough entries that losing them at once would be held: the swap must not be.
			titles := make(map[string]string)
			var slugs []string
			for i := range 12 {
				slug := fmt.Sprintf("e%02d", i)
				titles[slug], slugs = fmt.Sprintf("API Numéro %d", i), append(slugs, slug)
			}
			writeFiles(t, base, files(aaa, titles))
			link := filepath.Join(base, "catalogue")
			must(t, os.Symlink(".worktrees/"+aaa, link))
			l := follow(t, filepath.Join(link, sub), filepath.Join(link, sub))
			l.eventually("numero", slugs...)
			first := l.r.Status()
			if first.CatalogCommit != aaa {
				t.Errorf("commit served = %q, want %s", first.CatalogCommit, aaa)
			}

			titles["e00"], titles["new"] = "API Renommée", "API Nouvelle"
			writeFiles(t, base, files(bbb, titles))
			must(t, os.Symlink(".worktrees/"+bbb, filepath.Join(base, "tmp-link")))
			must(t, os.Rename(filepath.Join(base, "tmp-link"), link))
			must(t, os.RemoveAll(filepath.Join(base, ".worktrees", aaa)))
			l.eventually("renommee", "e00")
			l.eventually("nouvelle", "new")
			l.eventually("numero", slugs[1:]...)
			if st := l.r.Status(); st.CatalogCommit != bbb || st.CatalogVersion == first.CatalogVersion {
				t.Errorf("after the swap: commit %q, version %s (was %s); want %s and a new version", st.CatalogCommit, st.CatalogVersion, first.CatalogVersion, bbb)
			}
			// And the new worktree is followed: one generation for the swap, one for this.
			l.write("apis/z.yaml", entry("API Zoulou", "Texte."))
			l.eventually("zoulou", "z")
			st := l.r.Status()
			if st.Generation != first.Generation+2 || st.Held || st.LastError != "" || st.Entries != 14 {
				t.Errorf("after the swap and a save: generation %d (from %d), held %v, last error %q, %d entries; want 2 more generations, nothing held, 14 entries",
					st.Generation, first.Generation, st.Held, st.LastError, st.Entries)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBrokenFileKeepsLastGoodVersion(t *testing.T) {
	dir := newFolder(t, map[string]string{"a": "API Alpha"})
	l := follow(t, dir, dir)
	l.write("apis/a.yaml", "title: API Alp") // half-written
	l.write("apis/z.yaml", entry("API Zoulou", "Texte."))
	l.eventually("zoulou", "z")
	l.eventually("alpha", "a")
	st := l.r.Status()
	if st.Errors != 1 || !slices.ContainsFunc(st.Problems, func(p catalog.Problem) bool { return p.Path == "apis/a.yaml" && p.Severity == catalog.SeverityError }) {
		t.Errorf("the broken file is not reported: %+v", st.Problems)
	}
	l.write("apis/a.yaml", entry("API Alpha réparée", "Texte."))
	l.eventually("reparee", "a")
	// A save may be seen half-written: the report converges once the file is whole.
	deadline := time.Now().Add(5 * time.Second)
	for st := l.r.Status(); st.Errors != 0; st = l.r.Status() {
		if time.Now().After(deadline) {
			t.Fatalf("still reported after the fix: %+v", st.Problems)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProducerChangeUpdatesItsEntries(t *testing.T) {
	dir := newFolder(t, map[string]string{"a": "API Alpha", "b": "API Bravo"})
	l := follow(t, dir, dir)
	l.write("producers/dinum.yaml", strings.Replace(producer, "Direction interministérielle du numérique", "Direction du numérique renommée", 1))
	l.eventually("renommee", "a", "b")
}

func TestServiceChangeUpdatesTheEntriesItNames(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"producteurs/dinum.md": "---\nname: DINUM\ntype: Ministère\n---\n",
		"api/a.md":             "---\ntitle: API Alpha\ntagline: Une API.\nis_open: 1\nproducer: dinum\nthemes: [Géographie]\nkeywords: []\n---\nTexte.\n",
	})
	l := follow(t, dir, dir)
	services := func() []string {
		ix, release := l.r.Live().Acquire()
		defer release()
		var names []string
		for _, s := range ix.Catalog().Entry("a").Services {
			names = append(names, s.Name)
		}
		return names
	}
	l.write("service/s.md", "---\ntitle: Mon service\nlink: https://example.org\ndescription: Un service.\napi:\n  - API Alpha\n---\n")
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Equal(services(), []string{"Mon service"}) {
		if time.Now().After(deadline) {
			t.Fatalf("services of a = %v, want [Mon service]", services())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRandomEditsWhileSearching replays a long random sequence of edits, renames, deletes and
// broken writes while searching concurrently; then the index must equal a fresh load.
func TestRandomEditsWhileSearching(t *testing.T) {
	dir := newFolder(t, map[string]string{"seed": "API Graine"})
	l := follow(t, dir, dir)
	rng := rand.New(rand.NewPCG(1, 2))
	stop := make(chan struct{})
	var failures, searches atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				ix, release := l.r.Live().Acquire()
				_, err := ix.Search(context.Background(), index.Request{Query: "api graine"})
				ix.Suggest("api", 8)
				release()
				searches.Add(1)
				if err != nil {
					failures.Add(1)
				}
			}
		})
	}
	slugs := []string{"e1", "e2", "e3", "e4", "e5", "e6"}
	for step := range 300 {
		slug := slugs[rng.IntN(len(slugs))]
		p := filepath.Join(dir, "apis", slug+".yaml")
		switch rng.IntN(5) {
		case 0, 1:
			l.write("apis/"+slug+".yaml", entry(fmt.Sprintf("API Graine %s v%d", slug, step), "Texte."))
		case 2:
			l.write("apis/"+slug+".yaml", "title: [broken") // a broken write
		case 3:
			os.Rename(p, filepath.Join(dir, "apis", slugs[rng.IntN(len(slugs))]+".yaml"))
		case 4:
			os.Remove(p)
		}
		if rng.IntN(4) == 0 {
			time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		}
	}
	// Fix whatever is left broken, then wait until the index equals a fresh load.
	for _, slug := range slugs {
		p := filepath.Join(dir, "apis", slug+".yaml")
		if data, err := os.ReadFile(p); err == nil && strings.Contains(string(data), "broken") {
			l.write("apis/"+slug+".yaml", entry("API Graine réparée "+slug, "Texte."))
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		root, _ := os.OpenRoot(dir)
		fresh, err := catalog.Load(root.FS())
		root.Close()
		if err != nil {
			t.Fatal(err)
		}
		ix, release := l.r.Live().Acquire()
		got := ix.Catalog().Entries
		same := reflect.DeepEqual(got, fresh.Entries)
		release()
		if same {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the edits, the index has %d entries, a fresh load %d", len(got), len(fresh.Entries))
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d of %d searches failed during the edits", failures.Load(), searches.Load())
	}
	// The bleve index agrees with the catalogue: every entry is found by its title.
	ix, release := l.r.Live().Acquire()
	defer release()
	for _, e := range ix.Catalog().Entries {
		res, err := ix.Search(context.Background(), index.Request{Query: `"` + e.Title + `"`, PerPage: 100})
		if err != nil || !slices.ContainsFunc(res.Hits, func(h index.Hit) bool { return h.Slug == e.Slug }) {
			t.Errorf("entry %s (%q) is not found by its title", e.Slug, e.Title)
		}
	}
	t.Logf("%d searches during 300 random edits, %d batches", searches.Load(), l.w.State().Batches)
}

// TestSaveToSearchable measures the time from a file's save to its change being searchable,
// with the default debounce.
func TestSaveToSearchable(t *testing.T) {
	dir := newFolder(t, map[string]string{"a": "API Alpha"})
	r, err := New(context.Background(), Config{Open: dirOpener(dir), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := watch.New(watch.Config{Dir: dir, Logger: quiet()}, r.Apply)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; r.Close() }()
	for w.State().Watches == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	l := &live{t: t, dir: dir, r: r, w: w}
	var times []time.Duration
	// Words far apart, so that typo tolerance never finds one for another.
	for _, word := range []string{"cerise", "banane", "pomme", "poivron", "fraise", "melon", "citron"} {
		start := time.Now()
		l.write("apis/a.yaml", entry("API Alpha "+word, "Texte."))
		l.eventually(word, "a")
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	t.Logf("save to searchable, default debounce (200ms): median %v, max %v over %d saves", times[len(times)/2], times[len(times)-1], len(times))
}

const snapshotDir = "../../../shared/catalogs/apigouv"

// TestSearchesDuringFullReindex rebuilds the snapshot's index while searches run: none fails,
// none waits for the rebuild, and concurrent reindex requests share one rebuild.
func TestSearchesDuringFullReindex(t *testing.T) {
	if _, err := os.Stat(snapshotDir); err != nil {
		t.Skipf("snapshot not found at %s: skipping", snapshotDir)
	}
	r, err := New(context.Background(), Config{Open: dirOpener(snapshotDir), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	before := r.Live().Generation()

	stop := make(chan struct{})
	var searches, failures atomic.Int64
	var slowest atomic.Int64
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				ix, release := r.Live().Acquire()
				res, err := ix.Search(context.Background(), index.Request{Query: "entreprise", Accesses: []string{"open"}})
				release()
				if d := time.Since(start); int64(d) > slowest.Load() {
					slowest.Store(int64(d))
				}
				searches.Add(1)
				if err != nil || res.Total == 0 {
					failures.Add(1)
				}
			}
		})
	}
	var results [4]Result
	var errs [4]error
	var calls sync.WaitGroup
	for i := range results {
		calls.Go(func() { results[i], errs[i] = r.Reindex(context.Background(), false) })
	}
	calls.Wait()
	close(stop)
	wg.Wait()
	for i := range results {
		if errs[i] != nil || results[i].Entries != 170 {
			t.Errorf("reindex %d: %+v, %v", i, results[i], errs[i])
		}
	}
	if after := r.Live().Generation(); after != before+1 {
		t.Errorf("4 concurrent reindex requests moved the generation from %d to %d, want one rebuild", before, after)
	}
	if failures.Load() > 0 {
		t.Errorf("%d of %d searches failed during the rebuild", failures.Load(), searches.Load())
	}
	t.Logf("%d searches during a full reindex of the snapshot (%.0f ms); slowest search %v",
		searches.Load(), results[0].DurationMS, time.Duration(slowest.Load()))
}

// TestFailedRebuildKeepsServing removes the catalogue folder: the rebuild fails, the old index
// keeps answering.
func TestFailedRebuildKeepsServing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "catalogue")
	writeFiles(t, dir, map[string]string{"producers/dinum.yaml": producer, "apis/a.yaml": entry("API Alpha", "Texte.")})
	r, err := New(context.Background(), Config{Open: dirOpener(dir), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	must(t, os.Rename(dir, filepath.Join(parent, "elsewhere")))
	if _, err := r.Reindex(context.Background(), false); err == nil {
		t.Fatal("reindex of a missing folder succeeded")
	}
	l := &live{t: t, r: r}
	if got := l.search("alpha"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("after a failed rebuild, search finds %v, want the old index's [a]", got)
	}
	if g := r.Live().Generation(); g != 1 {
		t.Errorf("generation = %d after a failed rebuild, want 1", g)
	}
}

// TestStatusListsErrorsFirst: with more problems than the status lists, the errors are listed,
// whatever their files' place in the folder.
func TestStatusListsErrorsFirst(t *testing.T) {
	files := map[string]string{"producers/dinum.yaml": producer, "apis/zz.yaml": "title: [broken"}
	for i := range maxStatusProblems + 20 {
		files[fmt.Sprintf("apis/a%03d.yaml", i)] = entry(fmt.Sprintf("API %d", i), "Texte.") + "colour: blue\n"
	}
	dir := t.TempDir()
	writeFiles(t, dir, files)
	r, err := New(context.Background(), Config{Open: dirOpener(dir), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st := r.Status()
	listed := slices.ContainsFunc(st.Problems, func(p catalog.Problem) bool { return p.Path == "apis/zz.yaml" && p.Severity == catalog.SeverityError })
	if st.Errors != 1 || !listed || len(st.Problems) != maxStatusProblems {
		t.Errorf("%d errors, %d problems listed, the error among them: %v; want it listed among %d", st.Errors, len(st.Problems), listed, maxStatusProblems)
	}
}
