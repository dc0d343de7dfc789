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

// stampedVersion and stampedCommit are set when linking (-ldflags "-X main.stampedVersion=…"),
// by builds that have no version control to read: the Docker image's, whose context has no .git.
var stampedVersion, stampedCommit string

// readBuildInfo reads the build information that the Go toolchain records in every binary, and
// the version and commit stamped at link time.
func readBuildInfo() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	return buildInfoOf(bi, ok, stampedVersion, stampedCommit)
}

// buildInfoOf turns the toolchain's record, which may be missing or partial, into a buildInfo;
// a version or commit stamped at link time fills in what the toolchain could not record.
func buildInfoOf(bi *debug.BuildInfo, ok bool, version, commit string) buildInfo {
	info := toolchainInfo(bi, ok)
	if version != "" && (info.Version == "(devel)" || info.Version == "unknown") {
		info.Version = version
	}
	if commit != "" && info.Commit == "unknown" {
		info.Commit = commit
	}
	return info
}

// toolchainInfo turns the toolchain's record, which may be missing or partial, into a buildInfo.
func toolchainInfo(bi *debug.BuildInfo, ok bool) buildInfo {
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
