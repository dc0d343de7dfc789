package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks what can be checked without a Docker engine: the image builds the
// README's command as a static binary, runs it as a non-root user on the default port, and
// checks its health with the binary itself.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	if n := strings.Count(df, "\nFROM "); n < 2 {
		t.Errorf("%d stages, want a multi-stage build", n)
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
	for _, want := range []string{"EXPOSE 8080", "APISEARCH_ADDR=:8080", `HEALTHCHECK`, `CMD ["/apisearch", "healthcheck"]`, "VOLUME"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}

	// Build as the Dockerfile does, and check the binary is static and answers.
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	bin := filepath.Join(t.TempDir(), "apisearch")
	line := strings.Replace(build[1], "/out/apisearch", bin, 1)
	line = strings.Replace(line, "./cmd/apisearch", ".", 1) // the test runs in cmd/apisearch
	if out, err := exec.Command("sh", "-c", line).CombinedOutput(); err != nil {
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
	err = exec.Command(bin, "healthcheck", "--addr", "127.0.0.1:1").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("healthcheck with nothing listening: %v, want exit status 1", err)
	}
}
