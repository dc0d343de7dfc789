package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ServiceConfig says how to start the service for a hostile run.
type ServiceConfig struct {
	// Binary is the apisearch binary to run. Empty: one is built from this module, which the
	// current folder must be inside.
	Binary string
	// Catalog is copied into a temporary folder that the service serves and follows.
	Catalog fs.FS
	// RateLimit is the service's --rate-limit: requests per second per client address.
	RateLimit float64
	// Stderr receives the service's log, errors only. Nil: discarded.
	Stderr io.Writer
}

// Service is apisearch running as a child process on a loopback port, believing the
// X-Forwarded-For of 127.0.0.1 (the load tool's attackers choose their addresses with it).
type Service struct {
	BaseURL    string // http://127.0.0.1:port
	PID        int
	Binary     string // the binary run
	CatalogDir string // the copy of the catalogue it serves and follows

	dir     string // the temporary folder: the catalogue's copy, the binary when built
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has exited
	waitErr error         // how it exited
}

// readyWait bounds how long the service may take to build its first index.
const readyWait = 2 * time.Minute

// StartService copies the catalogue into a temporary folder, builds the binary unless given
// one, starts it on a free loopback port and waits until /readyz answers 200. Close stops it.
func StartService(ctx context.Context, cfg ServiceConfig) (_ *Service, err error) {
	dir, err := os.MkdirTemp("", "apisearch-loadtest-")
	if err != nil {
		return nil, err
	}
	s := &Service{Binary: cfg.Binary, dir: dir, exited: make(chan struct{})}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.Binary == "" {
		s.Binary = filepath.Join(dir, "apisearch")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", s.Binary, "apisearch/cmd/apisearch").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build apisearch: %v\n%s", err, out)
		}
	}
	s.CatalogDir = filepath.Join(dir, "catalog")
	if err := os.CopyFS(s.CatalogDir, cfg.Catalog); err != nil {
		return nil, fmt.Errorf("copy the catalogue: %w", err)
	}

	// The load tool chooses the port rather than read the one the service announces, which
	// its --log-level error keeps quiet and which binaries of older commits, run side by side,
	// announce differently.
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	s.BaseURL = "http://" + addr
	s.cmd = exec.Command(s.Binary, "serve", "--addr", addr, "--catalog", s.CatalogDir,
		"--trusted-proxies", "127.0.0.1", "--rate-limit", strconv.FormatFloat(cfg.RateLimit, 'g', -1, 64),
		"--log-level", "error", "--log-format", "text")
	// The flags above are the whole configuration: none of the caller's APISEARCH_* variables.
	for _, v := range os.Environ() {
		if !strings.HasPrefix(v, "APISEARCH_") {
			s.cmd.Env = append(s.cmd.Env, v)
		}
	}
	s.cmd.Stderr = cfg.Stderr
	if err := s.cmd.Start(); err != nil {
		s.cmd = nil
		return nil, err
	}
	s.PID = s.cmd.Process.Pid
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()

	// Ready once /readyz answers 200, its first index built.
	timeout := time.NewTimer(readyWait)
	defer timeout.Stop()
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	for status(ctx, s.BaseURL+"/readyz") != http.StatusOK {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s exited before it was ready: %v", s.Binary, s.waitErr)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timeout.C:
			return nil, fmt.Errorf("%s was not ready after %v", s.Binary, readyWait)
		case <-poll.C:
		}
	}
	return s, nil
}

// freeLoopbackAddr returns a loopback address whose port was free a moment ago.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Close kills the service, waits until it has exited and removes the temporary folder.
func (s *Service) Close() error {
	if s.cmd != nil {
		if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return err
		}
		<-s.exited
	}
	return os.RemoveAll(s.dir)
}
