package main

import (
	"debug/elf"
	"encoding/json"
	goversion "go/version"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDockerfile checks what can be checked without a Docker engine: the image builds the
// README's command as a static binary with a Go that satisfies go.mod, declares no anonymous
// volume, runs as a non-root user on the default port, and checks its health with the binary
// itself wherever serve listens.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	if n := strings.Count(df, "\nFROM "); n < 2 {
		t.Errorf("%d stages, want a multi-stage build", n)
	}
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)`).FindSubmatch(gomod)
	builder := regexp.MustCompile(`(?m)^FROM golang:(\d+\.\d+\.\d+)-\S+ AS build$`).FindStringSubmatch(df)
	switch {
	case goLine == nil:
		t.Errorf("go.mod has no go line")
	case builder == nil:
		t.Errorf("the build stage is not FROM golang:X.Y.Z-… AS build, a pinned Go release")
	case goversion.Compare("go"+builder[1], "go"+string(goLine[1])) < 0:
		t.Errorf("the builder's Go %s is older than go.mod's go %s", builder[1], goLine[1])
	}
	if !strings.Contains(df, "ENV GOTOOLCHAIN=local") {
		t.Errorf("the build stage does not set GOTOOLCHAIN=local: the builder could download another Go")
	}
	build := regexp.MustCompile(`RUN (CGO_ENABLED=0 go build .*)`).FindStringSubmatch(df)
	if build == nil || !strings.HasSuffix(build[1], "./cmd/apisearch") {
		t.Fatalf("no static build of ./cmd/apisearch (the README's `go run ./cmd/apisearch serve`) in the Dockerfile")
	}
	readme, _ := os.ReadFile("../../README.md")
	if !strings.Contains(string(readme), "go run ./cmd/apisearch serve") || !strings.Contains(df, `CMD ["serve"]`) {
		t.Errorf("the image does not run the README's command")
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(df)
	if user == nil || user[1] == "root" || strings.HasPrefix(user[1], "0") {
		t.Errorf("USER = %v, want a non-root user", user)
	}
	if regexp.MustCompile(`(?m)^\s*VOLUME\b`).MatchString(df) {
		t.Errorf("the Dockerfile declares a VOLUME: every run would leave an anonymous volume behind")
	}
	env := dockerfileEnv(df)
	if !strings.Contains(df, "EXPOSE 8080") || env["APISEARCH_ADDR"] != ":8080" {
		t.Errorf("the image does not listen on the port it exposes, 8080 (APISEARCH_ADDR=%q)", env["APISEARCH_ADDR"])
	}
	if env["APISEARCH_ADDR_FILE"] == "" {
		t.Errorf("the image sets no APISEARCH_ADDR_FILE: healthcheck would not follow serve --addr")
	}
	hc := regexp.MustCompile(`(?m)^HEALTHCHECK .*CMD (\[.*\])$`).FindStringSubmatch(df)
	var check []string
	if hc == nil || json.Unmarshal([]byte(hc[1]), &check) != nil || len(check) < 2 || check[0] != "/apisearch" || check[1] != "healthcheck" {
		t.Fatalf("HEALTHCHECK is %v, want CMD [\"/apisearch\", \"healthcheck\", …]", hc)
	}
	for _, arg := range check {
		if strings.HasPrefix(arg, "--addr") {
			t.Errorf("HEALTHCHECK gives %s: it must read the address serve wrote, as serve's flags may differ", arg)
		}
	}

	// Build as the Dockerfile does, and check the binary is static and answers.
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	bin := filepath.Join(t.TempDir(), "apisearch")
	line := strings.Replace(build[1], "/out/apisearch", bin, 1)
	line = strings.Replace(line, "./cmd/apisearch", ".", 1) // the test runs in cmd/apisearch
	// As in the image: no version control to read (-buildvcs=false stands for the context
	// without .git), and the build arguments as `docker build --build-arg` gives them.
	line = strings.Replace(line, "go build ", "go build -buildvcs=false ", 1)
	const version, commit = "v1.2.3-test", "0123456789abcdef0123456789abcdef01234567"
	cmd := exec.Command("sh", "-c", line)
	cmd.Env = append(os.Environ(), "VERSION="+version, "COMMIT="+commit)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary needs a dynamic loader: not static")
		}
	}
	if out, err := exec.Command(bin, "help").CombinedOutput(); err != nil || !strings.Contains(string(out), "healthcheck") {
		t.Errorf("apisearch help: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "version "+version+"\ncommit  "+commit+"\n") {
		t.Errorf("apisearch version: %v\n%s\nwant version %s and commit %s, the build arguments", err, out, version, commit)
	}
	err = exec.Command(bin, "healthcheck", "--addr", "127.0.0.1:1").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("healthcheck with nothing listening: %v, want exit status 1", err)
	}

	// `docker run IMAGE serve --addr :PORT`: the image's environment, another port, and the
	// HEALTHCHECK's command run beside it. The address file moves into the test's folder, and
	// APISEARCH_ADDR to a port where nothing listens (something may listen on 8080 here).
	dir := t.TempDir()
	env["APISEARCH_ADDR_FILE"] = filepath.Join(dir, "apisearch.addr")
	env["APISEARCH_ADDR"] = "127.0.0.1:1"
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--shutdown-delay", "0s")
	serve.Dir, serve.Env = dir, environ
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Kill()
		serve.Wait()
	}()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		hcmd := exec.Command(bin, check[1:]...)
		hcmd.Dir, hcmd.Env = dir, environ
		out, err := hcmd.CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("HEALTHCHECK beside serve --addr 127.0.0.1:0 still fails after 60s: %v\n%s", err, out)
		}
	}
}

// dockerfileEnv returns the variables that the Dockerfile's ENV instructions set, in their
// KEY=VALUE form, continued lines included.
func dockerfileEnv(df string) map[string]string {
	env := make(map[string]string)
	joined := strings.ReplaceAll(df, "\\\n", " ")
	for _, m := range regexp.MustCompile(`(?m)^ENV (.*)$`).FindAllStringSubmatch(joined, -1) {
		for _, kv := range strings.Fields(m[1]) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
	}
	return env
}

// TestDockerignore checks the build context that .dockerignore leaves: every file go build
// needs for ./cmd/apisearch is in it, and .git, the screenshots, node_modules, tests and
// folders a local run leaves behind are not.
func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	for _, path := range []string{".git/HEAD", "docs/screenshots/search-375.png", "internal/server/testdata/axe/node_modules/axe-core/axe.js",
		"cmd/apisearch/main_test.go", "catalog/testdata/broken.yaml", "index-data/index_meta.json", "stats.json", "README.md"} {
		if !dockerignored(patterns, path) {
			t.Errorf("%s is sent to the builder; .dockerignore should leave it out", path)
		}
	}
	out, err := exec.Command("go", "list", "-deps", "-f",
		`{{if .Module}}{{if eq .Module.Path "apisearch"}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}{{end}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	needed := []string{"go.mod", "go.sum"}
	for _, file := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, file)
		if err != nil {
			t.Fatal(err)
		}
		needed = append(needed, filepath.ToSlash(rel))
	}
	if len(needed) < 10 {
		t.Fatalf("go list found %d files for the build, want the module's sources: %q", len(needed), out)
	}
	for _, path := range needed {
		if dockerignored(patterns, path) {
			t.Errorf("%s is needed by go build but .dockerignore leaves it out", path)
		}
	}
}

// dockerignored says whether Docker leaves path out of the build context: the last pattern
// that matches the path or one of its parent folders decides, a "!" pattern bringing it back.
func dockerignored(patterns []string, path string) bool {
	parts := strings.Split(path, "/")
	ignored := false
	for _, p := range patterns {
		keep := strings.HasPrefix(p, "!")
		pat := strings.Split(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/"), "/")
		for n := 1; n <= len(parts); n++ {
			if matchSegments(pat, parts[:n]) {
				ignored = !keep
				break
			}
		}
	}
	return ignored
}

// matchSegments matches path segments against pattern segments, "**" standing for any number
// of segments and the others as filepath.Match reads them.
func matchSegments(pat, parts []string) bool {
	if len(pat) == 0 {
		return len(parts) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(parts); i++ {
			if matchSegments(pat[1:], parts[i:]) {
				return true
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	ok, err := filepath.Match(pat[0], parts[0])
	return err == nil && ok && matchSegments(pat[1:], parts[1:])
}
