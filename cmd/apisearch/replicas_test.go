package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitSyncFolder lays out a folder as git-sync v4 keeps a checkout of the national catalogue:
// the repository in root/.git, the commit in the worktree root/.worktrees/<commit>, published
// by the link root/catalogue; the catalogue is the checkout's _data folder.
type gitSyncFolder struct {
	t    *testing.T
	root string
}

func newGitSyncFolder(t *testing.T) *gitSyncFolder {
	return &gitSyncFolder{t: t, root: t.TempDir()}
}

// catalog is the folder serve is given.
func (g *gitSyncFolder) catalog() string { return filepath.Join(g.root, "catalogue", "_data") }

// publish checks out a commit holding the given APIs (slug: title) and swaps the link to it,
// then deletes the previous worktree, as git-sync does.
func (g *gitSyncFolder) publish(commit string, apis map[string]string) {
	g.t.Helper()
	wt := filepath.Join(".worktrees", commit)
	files := map[string]string{
		filepath.Join(".git", "worktrees", commit, "HEAD"):      commit + "\n",
		filepath.Join(".git", "worktrees", commit, "commondir"): "../..\n",
		filepath.Join(wt, ".git"):                               "gitdir: ../../.git/worktrees/" + commit + "\n",
		filepath.Join(wt, "_data", "producteurs", "dinum.md"):   "---\nname: DINUM\ntype: Ministère\n---\n",
	}
	for slug, title := range apis {
		files[filepath.Join(wt, "_data", "api", slug+".md")] = "---\ntitle: " + title + "\ntagline: Une API.\nproducer: dinum\nis_open: 1\n---\nTexte.\n"
	}
	for rel, content := range files {
		p := filepath.Join(g.root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			g.t.Fatal(err)
		}
	}
	link := filepath.Join(g.root, "catalogue")
	previous, _ := os.Readlink(link)
	if err := os.Symlink(wt, filepath.Join(g.root, "tmp-link")); err != nil {
		g.t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(g.root, "tmp-link"), link); err != nil {
		g.t.Fatal(err)
	}
	if previous != "" {
		if err := os.RemoveAll(filepath.Join(g.root, previous)); err != nil {
			g.t.Fatal(err)
		}
	}
}

// served is what a replica says of the catalogue it serves.
type served struct {
	Version, Commit string
}

// status reads what a replica serves in /admin/status.
func status(t *testing.T, base, token string) served {
	t.Helper()
	req, err := newRequest("GET", base+"/admin/status", token)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		CatalogVersion string `json:"catalog_version"`
		CatalogCommit  string `json:"catalog_commit"`
	}
	getAuthJSON(t, req, &st)
	return served{st.CatalogVersion, st.CatalogCommit}
}

// checkReported checks that /readyz reports s too, and that /metrics has one
// apisearch_catalog_info series, labelled with s.
func checkReported(t *testing.T, base string, s served) {
	t.Helper()
	var ready struct {
		CatalogVersion string `json:"catalog_version"`
		CatalogCommit  string `json:"catalog_commit"`
	}
	if code := getJSON(t, base+"/readyz", &ready); code != http.StatusOK || (served{ready.CatalogVersion, ready.CatalogCommit}) != s {
		t.Errorf("/readyz = %d %+v, want %+v", code, ready, s)
	}
	body := getBody(t, base+"/metrics", "")
	series := grepLines(body, "apisearch_catalog_info{")
	if want := fmt.Sprintf("apisearch_catalog_info{commit=%q,version=%q} 1", s.Commit, s.Version); series != want {
		t.Errorf("/metrics: %q, want the one series %q", series, want)
	}
}

func getAuthJSON(t *testing.T, req *http.Request, v any) {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d", req.Method, req.URL, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
}

// TestReplicasConverge runs two replicas, each following its own git-sync checkout of the same
// repository, as in docs/kubernetes: they report the same catalogue version and commit (in
// /admin/status, /readyz and /metrics), and both report the new ones once git-sync has checked
// out a new commit on each.
func TestReplicasConverge(t *testing.T) {
	const token = "token-de-test-assez-long"
	env := func(k string) string {
		if k == "APISEARCH_ADMIN_TOKEN" {
			return token
		}
		return ""
	}
	first, second := strings.Repeat("a", 40), strings.Repeat("b", 40)
	apis := map[string]string{"api-alpha": "API Alpha", "api-bravo": "API Bravo"}
	var folders []*gitSyncFolder
	var bases []string
	for range 2 {
		g := newGitSyncFolder(t)
		g.publish(first, apis)
		folders = append(folders, g)
		bases = append(bases, startServeEnv(t, env, "--catalog", g.catalog(), "--debounce", "50ms"))
	}
	before := status(t, bases[0], token)
	if before.Commit != first || before.Version == "" {
		t.Fatalf("first replica serves %+v, want commit %s and a version", before, first)
	}
	if other := status(t, bases[1], token); other != before {
		t.Errorf("replicas on the same commit disagree: %+v and %+v", before, other)
	}
	checkReported(t, bases[0], before)

	apis["api-charlie"] = "API Charlie"
	for _, g := range folders {
		g.publish(second, apis)
	}
	for i, base := range bases {
		deadline := time.Now().Add(10 * time.Second)
		for s := status(t, base, token); s.Commit != second; s = status(t, base, token) {
			if time.Now().After(deadline) {
				t.Fatalf("replica %d still serves %+v 10 s after the new commit", i, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	after := status(t, bases[0], token)
	if after.Version == before.Version {
		t.Errorf("the version did not change with the catalogue: %s", after.Version)
	}
	if other := status(t, bases[1], token); other != after {
		t.Errorf("replicas on the new commit disagree: %+v and %+v", after, other)
	}
	// /readyz and the metric follow: the metric's old labels are gone.
	checkReported(t, bases[0], after)
}
