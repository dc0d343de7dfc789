// Command apisearch is the search service of the French catalogue of public-sector APIs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	var exit exitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		os.Exit(int(exit))
	default:
		fmt.Fprintln(os.Stderr, "apisearch:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status, once what had to be said was said.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `apisearch: the search service of the French catalogue of public APIs.

Usage:
  apisearch serve [flags]          serve the catalogue over HTTP
  apisearch check [flags] [DIR]    validate a catalogue folder and print a report
  apisearch healthcheck [flags]    exit 0 when the local service is ready (for containers)
  apisearch version                print the version, the commit and the Go version built with

Run "apisearch COMMAND --help" for a command's flags.
`

// run is the whole program, with its environment passed in so that tests can run it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError(2)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stderr)
	case "check":
		return check(args[1:], stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		return version(args[1:], readBuildInfo(), stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "apisearch: unknown command %q\n\n%s", args[0], usage)
	return exitError(2)
}
