package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"apisearch/catalog"
	"apisearch/index"
	"apisearch/internal/catgen"
)

// TestMain lets the test binary be apisearch itself, in a child process that a test can kill:
// APISEARCH_TEST_MAIN holds its arguments, and APISEARCH_TEST_FSIZE a file size limit in bytes
// (what a full disk does to the writes of the index).
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("APISEARCH_TEST_MAIN"); ok {
		if limit, err := strconv.ParseUint(os.Getenv("APISEARCH_TEST_FSIZE"), 10, 64); err == nil {
			signal.Ignore(syscall.SIGXFSZ) // a write past the limit fails with EFBIG instead
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
				fmt.Fprintln(os.Stderr, "setrlimit:", err)
				os.Exit(3)
			}
		}
		os.Args = append([]string{"apisearch"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is apisearch running in another process.
type child struct {
	cmd    *exec.Cmd
	base   string // its URL once ready
	stderr *syncBuffer
	ready  chan struct{} // closed once it serves, with base set
	exited chan struct{} // closed when the process has exited, with err set
	err    error
}

// syncBuffer is a bytes.Buffer safe for a process's writes and a test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startChild starts "apisearch ARGS" in a child process, killed at the end of the test if it
// still runs.
func startChild(t *testing.T, env []string, args string) *child {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not starting child processes")
	}
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), stderr: &syncBuffer{}, ready: make(chan struct{}), exited: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), append(env, "APISEARCH_TEST_MAIN="+args)...)
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.stderr.Write([]byte(sc.Text() + "\n"))
			if addr, ok := servingAddr(sc.Text()); ok && c.base == "" {
				c.base = "http://" + addr
				close(c.ready)
			}
		}
		// A line too long for the scanner ends the scan; the rest must still be read.
		io.Copy(c.stderr, stderr)
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

// startReady starts a child and waits for it to serve, within a bound that only catches a hang.
func startReady(t *testing.T, env []string, args string) *child {
	t.Helper()
	c := startChild(t, env, args)
	select {
	case <-c.ready:
	case <-c.exited:
		t.Fatalf("apisearch stopped before serving: %v\n%s", c.err, c.stderr)
	case <-time.After(90 * time.Second):
		t.Fatalf("apisearch did not serve within 90s\n%s", c.stderr)
	}
	return c
}

// waitExit waits for the child to exit on its own and returns how it ended; the test fails if it
// is still running after within (what would be a hang: waiting on a lock, retrying a write).
func (c *child) waitExit(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case <-c.exited:
		return c.err
	case <-time.After(within):
		t.Fatalf("apisearch still runs after %v\n%s", within, c.stderr)
		return nil
	}
}

// kill9 kills the child as the kernel's OOM killer or a power cut would.
func (c *child) kill9(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.exited
}

// writeCatalogue writes a synthetic catalogue of n entries to a new folder.
func writeCatalogue(t *testing.T, n int) string {
	t.Helper()
	sample, err := catalog.Load(catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "catalogue")
	if err := os.CopyFS(dir, catgen.Generate(sample, n, 7)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sameAsFresh checks that the service answers as a fresh in-memory index of the folder does.
func sameAsFresh(t *testing.T, base, dir string, queries []string) {
	t.Helper()
	if diff := diffFromFresh(t, base, dir, queries); diff != "" {
		t.Error(diff)
	}
}

// diffFromFresh compares the service's answers with those of a fresh in-memory index of the
// folder, for the queries given: the same number of entries, the same totals and the same
// entries found. It returns the first difference, or "".
func diffFromFresh(t *testing.T, base, dir string, queries []string) string {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	c, err := catalog.Load(root.FS())
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := index.Build(context.Background(), c, index.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	var list struct{ Total int }
	if getJSON(t, base+"/apis", &list); list.Total != len(c.Entries) {
		return fmt.Sprintf("/apis lists %d entries, the folder has %d", list.Total, len(c.Entries))
	}
	for _, q := range queries {
		want, err := fresh.Search(context.Background(), index.Request{Query: q, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Total int
			Hits  []struct{ Slug string }
		}
		if status := getJSON(t, base+"/search?per_page=100&q="+url.QueryEscape(q), &got); status != http.StatusOK {
			return fmt.Sprintf("search %q: status %d", q, status)
		}
		if got.Total != want.Total {
			return fmt.Sprintf("search %q: %d results, a fresh index has %d", q, got.Total, want.Total)
		}
		if want.Total <= 100 {
			var g, w []string
			for _, h := range got.Hits {
				g = append(g, h.Slug)
			}
			for _, h := range want.Hits {
				w = append(w, h.Slug)
			}
			slices.Sort(g)
			slices.Sort(w)
			if !slices.Equal(g, w) {
				return fmt.Sprintf("search %q finds other entries than a fresh index", q)
			}
		}
	}
	return ""
}

// faultQueries are searches whose answers are compared with a fresh index after each fault.
var faultQueries = []string{"données", "entreprise", "adresse", "sante", "api ", "educ", "transport public", "énergie"}

// TestKillDuringIndexWrites kills the service with SIGKILL while it writes its index on disk (the
// first build, an incremental batch, a full reindex): each restart serves an index equal to the
// catalogue.
func TestKillDuringIndexWrites(t *testing.T) {
	dir := writeCatalogue(t, 1500)
	indexDir := t.TempDir()
	const token = "kill-test-admin-token"
	args := "serve --addr 127.0.0.1:0 --log-format text --debounce 50ms --catalog " + dir + " --index-dir " + indexDir
	env := []string{"APISEARCH_ADMIN_TOKEN=" + token}

	// 1. During the first build: killed as soon as the index folder appears.
	c := startChild(t, env, args)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(indexDir, "*", "store", "*")); len(m) > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.kill9(t)

	restart := func(step string) *child {
		t.Helper()
		c := startReady(t, env, args)
		t.Logf("%s: restarted; %s", step, c.logLine("index on disk"))
		sameAsFresh(t, c.base, dir, faultQueries)
		return c
	}
	c = restart("killed during the first build")

	// 2. During an incremental batch: 100 entries rewritten, killed while they are applied.
	files, _ := filepath.Glob(filepath.Join(dir, "apis", "*.yaml"))
	for _, f := range files[:100] {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, bytes.Replace(data, []byte("title: "), []byte("title: Nouvelle "), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(80 * time.Millisecond) // past the debounce: the batch is being applied
	c.kill9(t)
	c = restart("killed during an incremental batch")

	// 3. During a full reindex.
	go func() {
		req, _ := newRequest("POST", c.base+"/admin/reindex", token)
		if resp, err := httpClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(150 * time.Millisecond)
	c.kill9(t)
	restart("killed during a full reindex")
}

// logLine waits for a line of the child's log containing s and returns the last one; the
// line may still be on its way through the pipe, or its work still running on busy cores (a
// minute at most: the bound is for a hang, not a speed).
func (c *child) logLine(s string) string {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		lines := strings.Split(c.stderr.String(), "\n")
		for i := len(lines) - 1; i >= 0; i-- {
			if strings.Contains(lines[i], s) {
				return lines[i]
			}
		}
	}
	return ""
}

// TestFullDisk runs the service with its index on a disk that fills up (writes past 256 KiB fail,
// as on a full disk): it stops at once with an error naming the index folder instead of serving
// a partial index or hanging, the catalogue is untouched, and once there is room again it serves
// an index equal to the catalogue.
func TestFullDisk(t *testing.T) {
	dir := writeCatalogue(t, 600)
	indexDir := t.TempDir()
	args := "serve --addr 127.0.0.1:0 --catalog " + dir + " --index-dir " + indexDir
	before, _ := filepath.Glob(filepath.Join(dir, "*", "*"))

	c := startChild(t, []string{"APISEARCH_TEST_FSIZE=262144"}, args)
	if err := c.waitExit(t, 90*time.Second); err == nil || !strings.Contains(c.stderr.String(), indexDir) || !strings.Contains(c.stderr.String(), "file too large") {
		t.Errorf("on a full disk: exit %v, stderr:\n%s\nwant a failure naming %s and the write error", err, c.stderr, indexDir)
	}
	t.Logf("on a full disk: %s", c.logLine("apisearch:"))
	if after, _ := filepath.Glob(filepath.Join(dir, "*", "*")); !slices.Equal(before, after) {
		t.Errorf("the catalogue folder changed: %d files before, %d after", len(before), len(after))
	}

	c = startReady(t, nil, args)
	sameAsFresh(t, c.base, dir, faultQueries)
}

// TestTwoProcessesOnOneIndex points a second process at the index folder of a running one: it
// fails at once with a message naming the folder and the first process, and the first one goes
// on serving an undamaged index, reopened as it is by its next start.
func TestTwoProcessesOnOneIndex(t *testing.T) {
	dir := writeCatalogue(t, 300)
	indexDir := t.TempDir()
	args := "serve --addr 127.0.0.1:0 --log-format text --catalog " + dir + " --index-dir " + indexDir
	first := startReady(t, nil, args)

	second := startChild(t, nil, args)
	if err := second.waitExit(t, 30*time.Second); err == nil || !strings.Contains(second.stderr.String(), "in use by another apisearch process (pid "+strconv.Itoa(first.cmd.Process.Pid)+")") {
		t.Errorf("second process: exit %v, stderr:\n%s", err, second.stderr)
	}
	sameAsFresh(t, first.base, dir, faultQueries)

	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := first.waitExit(t, 30*time.Second); err != nil {
		t.Fatalf("first process after SIGTERM: %v\n%s", err, first.stderr)
	}
	again := startReady(t, nil, args)
	if !strings.Contains(again.logLine("index on disk"), "reopened=true") {
		t.Errorf("the index was not reopened after the second process's attempt:\n%s", again.stderr)
	}
	sameAsFresh(t, again.base, dir, faultQueries)
}

// TestDiskFullWhileServing fills the disk under a running service (writes past 1 MiB fail, as
// on a full disk) as 2 700 entries arrive: the change is refused with the write error in the log,
// the previous index keeps answering every search as before, and the failed build leaves no
// folder behind; after a stop, the index on disk, whose recorded catalogue is not the folder's,
// is rebuilt, equal to the catalogue.
func TestDiskFullWhileServing(t *testing.T) {
	dir := writeCatalogue(t, 3000)
	aside := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "apis", "*"))
	for _, f := range files[300:] {
		if err := os.Rename(f, filepath.Join(aside, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	before := t.TempDir() // the catalogue the first index holds, to compare with
	if err := os.CopyFS(before, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	indexDir := t.TempDir()
	args := "serve --addr 127.0.0.1:0 --log-format text --debounce 50ms --rate-limit 0 --catalog " + dir + " --index-dir " + indexDir
	c := startReady(t, []string{"APISEARCH_TEST_FSIZE=1048576"}, args)

	for _, f := range files[300:] {
		if err := os.Rename(filepath.Join(aside, filepath.Base(f)), f); err != nil {
			t.Fatal(err)
		}
	}
	if line := c.logLine("catalogue change not applied"); !strings.Contains(line, "file too large") || !strings.Contains(line, indexDir) {
		t.Fatalf("no refused change naming the index file and the write error in the log:\n%s", c.stderr)
	}
	// Searches with text read the index itself, not only the catalogue.
	if diff := diffFromFresh(t, c.base, before, faultQueries); diff != "" {
		t.Errorf("while the disk is full, the service does not answer as the previous index: %s", diff)
	}
	if folders, _ := filepath.Glob(filepath.Join(indexDir, "index-*")); len(folders) != 1 {
		t.Errorf("index folders after the refused change: %v, want only the one in service", folders)
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.waitExit(t, 60*time.Second); err != nil {
		t.Fatalf("stop on a full disk: %v\n%s", err, c.stderr)
	}

	again := startReady(t, nil, args)
	if line := again.logLine("index on disk"); !strings.Contains(line, "reopened=false") {
		t.Errorf("an index on disk that lacks changes was reopened: %s", line)
	}
	sameAsFresh(t, again.base, dir, faultQueries)
}
