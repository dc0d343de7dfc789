package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// buildInfo says which build of apisearch runs: what `apisearch version` prints and the labels
// of the apisearch_build_info metric.
type buildInfo struct {
	// Version is the main module's version: a tag, a pseudo-version stamped by go build from
	// the commit, "(devel)" when built without version control, "unknown" when not recorded.
	Version string
	// Commit is the commit built from, followed by "+dirty" when the tree had uncommitted
	// changes (Go's own suffix for them); "unknown" when not recorded.
	Commit    string
	GoVersion string
}

// readBuildInfo reads the build information that the Go toolchain records in every binary.
func readBuildInfo() buildInfo {
	return buildInfoOf(debug.ReadBuildInfo())
}

// buildInfoOf turns the toolchain's record, which may be missing or partial, into a buildInfo.
func buildInfoOf(bi *debug.BuildInfo, ok bool) buildInfo {
	info := buildInfo{Version: "unknown", Commit: "unknown", GoVersion: runtime.Version()}
	if !ok {
		return info
	}
	if bi.Main.Version != "" {
		info.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	var revision string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision != "" {
		info.Commit = revision
		if modified {
			info.Commit += "+dirty"
		}
	}
	return info
}

// version prints the build's version, commit and Go version, one per line.
func version(args []string, info buildInfo, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "apisearch version: unexpected argument %q\n", args[0])
		return exitError(2)
	}
	fmt.Fprintf(stdout, "version %s\ncommit  %s\ngo      %s\n", info.Version, info.Commit, info.GoVersion)
	return nil
}
