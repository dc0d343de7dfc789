package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersion runs "apisearch version": it names the Go version the binary was built with.
func TestVersion(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"version"}, noEnv, &out, io.Discard); err != nil {
		t.Fatalf("apisearch version: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "version ") || !strings.HasPrefix(lines[1], "commit ") {
		t.Fatalf("apisearch version printed %q, want version, commit and go lines", out.String())
	}
	if got := strings.TrimSpace(strings.TrimPrefix(lines[2], "go")); got != runtime.Version() {
		t.Errorf("apisearch version says Go %q, want %q", got, runtime.Version())
	}
	err := run(context.Background(), []string{"version", "extra"}, noEnv, io.Discard, io.Discard)
	if ee, ok := err.(exitError); !ok || ee != 2 {
		t.Errorf("apisearch version extra: %v, want exit status 2", err)
	}
}

// TestBuildInfoOf reads what the toolchain records, whole, partial or missing, and what a build
// without version control stamps at link time.
func TestBuildInfoOf(t *testing.T) {
	stamped := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "apisearch", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	const rev = "65ed40d0c1f2a3b4c5d6e7f8091a2b3c4d5e6f70"
	tests := []struct {
		name            string
		bi              *debug.BuildInfo
		ok              bool
		version, commit string // stamped at link time, as the Dockerfile's -ldflags -X do
		want            buildInfo
	}{
		{"clean tree", stamped("v0.0.0-20251207001000-65ed40d0c1f2", "vcs.revision", rev, "vcs.modified", "false"), true, "", "",
			buildInfo{Version: "v0.0.0-20251207001000-65ed40d0c1f2", Commit: rev, GoVersion: "go1.26.8"}},
		{"modified tree", stamped("v0.0.0-20251207001000-65ed40d0c1f2+dirty", "vcs.revision", rev, "vcs.modified", "true"), true, "", "",
			buildInfo{Version: "v0.0.0-20251207001000-65ed40d0c1f2+dirty", Commit: rev + "+dirty", GoVersion: "go1.26.8"}},
		{"built without version control", stamped("(devel)"), true, "", "",
			buildInfo{Version: "(devel)", Commit: "unknown", GoVersion: "go1.26.8"}},
		{"no version recorded", stamped(""), true, "", "",
			buildInfo{Version: "unknown", Commit: "unknown", GoVersion: "go1.26.8"}},
		{"no build information", nil, false, "", "",
			buildInfo{Version: "unknown", Commit: "unknown", GoVersion: runtime.Version()}},
		{"image built without .git, stamped", stamped("(devel)"), true, "v1.2.0", rev,
			buildInfo{Version: "v1.2.0", Commit: rev, GoVersion: "go1.26.8"}},
		{"stamps do not override what version control recorded", stamped("v0.0.0-20251207001000-65ed40d0c1f2", "vcs.revision", rev), true, "v9", "other",
			buildInfo{Version: "v0.0.0-20251207001000-65ed40d0c1f2", Commit: rev, GoVersion: "go1.26.8"}},
		{"no build information, stamped", nil, false, "v1.2.0", rev,
			buildInfo{Version: "v1.2.0", Commit: rev, GoVersion: runtime.Version()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildInfoOf(tt.bi, tt.ok, tt.version, tt.commit); got != tt.want {
				t.Errorf("buildInfoOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestBuildInfoMetric reads /metrics: the build's version, commit and Go version are the labels
// of apisearch_build_info.
func TestBuildInfoMetric(t *testing.T) {
	base := startServe(t)
	body := getBody(t, base+"/metrics", "")
	info := readBuildInfo()
	want := fmt.Sprintf("apisearch_build_info{commit=%q,goversion=%q,version=%q} 1\n", info.Commit, runtime.Version(), info.Version)
	if !strings.Contains(body, want) {
		t.Errorf("/metrics lacks %q:\n%s", want, grepLines(body, "apisearch_build_info"))
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
