package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"apisearch/internal/server"

	"github.com/mattn/go-isatty"
)

// serveConfig is the configuration of the serve command: flags, else APISEARCH_* variables.
type serveConfig struct {
	Addr           string
	Catalog        string
	IndexDir       string
	AdminTokenFile string
	AdminToken     string // read from AdminTokenFile or APISEARCH_ADMIN_TOKEN
	CORSOrigins    []string
	// PublicURL is the URL clients reach the service at, the OpenAPI document's server; empty:
	// the scheme and host of each request.
	PublicURL      string
	TrustedProxies []string
	LogLevel       slog.Level
	LogFormat      string
	Watch          bool
	Debounce       time.Duration
	RateLimit      float64
	// RateLimitClients bounds the clients the rate limit tracks at once.
	RateLimitClients int
	// AnswerCacheBytes bounds the memory of the cache of public answers.
	AnswerCacheBytes int64
	// ReindexWait bounds how long POST /admin/reindex waits before answering 202.
	ReindexWait time.Duration
	// MaxConnections bounds the open client connections; past three quarters of it, idle
	// keep-alive connections are closed.
	MaxConnections int
	// ShutdownDelay is how long /readyz answers 503 before the listener closes on SIGTERM.
	ShutdownDelay time.Duration
	// DataDir is the folder of the statistics file: IndexDir when not given; none keeps the
	// statistics in memory only.
	DataDir string
	// AddrFile is where serve writes the address it listens on, for healthcheck to read; empty:
	// no file.
	AddrFile string
}

// envName is the environment variable of a flag: APISEARCH_ and the flag in capitals.
func envName(flagName string) string {
	return "APISEARCH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseServeConfig reads the flags, then the environment for every flag not given: flags win.
// A bad value is a ConfigError naming the flag or variable.
func parseServeConfig(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	var cors, proxies, level string
	fl.StringVar(&cfg.Addr, "addr", ":8080", "address to listen on")
	fl.StringVar(&cfg.AddrFile, "addr-file", "", "file to write the address listened on into, which healthcheck reads (default: none)")
	fl.StringVar(&cfg.Catalog, "catalog", "", "catalogue folder (default: ./catalog when run from the repository, else the catalogue embedded in the binary)")
	fl.StringVar(&cfg.IndexDir, "index-dir", "", "keep the index on disk in this folder, reopened at start when it matches the catalogue (default: in memory)")
	fl.StringVar(&cfg.DataDir, "data-dir", "", "keep the statistics in this folder, saved every minute and at shutdown, read at start (default: --index-dir when given, else in memory only)")
	fl.StringVar(&cfg.AdminTokenFile, "admin-token-file", "", "file holding the admin token (or APISEARCH_ADMIN_TOKEN); without a token there are no admin endpoints")
	fl.StringVar(&cors, "cors-origins", "", "comma-separated origins allowed to call the public API from a browser; * for any")
	fl.StringVar(&cfg.PublicURL, "public-url", "", "URL the service is reached at, which the OpenAPI document gives as its server: a scheme, a host, maybe a path prefix (default: the scheme and host of each request)")
	fl.StringVar(&proxies, "trusted-proxies", "", "comma-separated addresses or CIDRs of the proxies whose X-Forwarded-For is believed")
	fl.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&cfg.LogFormat, "log-format", "auto", "json, text, or auto: text in a terminal, JSON elsewhere")
	fl.BoolVar(&cfg.Watch, "watch", true, "follow changes to the catalogue folder; false serves a frozen catalogue")
	fl.DurationVar(&cfg.Debounce, "debounce", 200*time.Millisecond, "quiet time that closes a batch of file changes")
	fl.Float64Var(&cfg.RateLimit, "rate-limit", 20, "requests per second allowed to one client IP on the public endpoints, bursts of twice as many; 0 for none")
	fl.IntVar(&cfg.RateLimitClients, "rate-limit-clients", server.DefaultRateLimitClients, "clients the rate limit tracks at once (about 300 bytes each); the least recently seen is dropped past it")
	fl.Int64Var(&cfg.AnswerCacheBytes, "answer-cache-bytes", server.DefaultAnswerCacheBytes, "memory in bytes of the cache of public answers")
	fl.DurationVar(&cfg.ReindexWait, "reindex-wait", 20*time.Second, "how long POST /admin/reindex waits for the rebuild before answering 202 (less than the 30s write timeout)")
	fl.IntVar(&cfg.MaxConnections, "max-connections", 1024, "open client connections at most; past three quarters of it idle keep-alive connections are closed")
	fl.DurationVar(&cfg.ShutdownDelay, "shutdown-delay", 5*time.Second, "on SIGTERM, how long /readyz answers 503 before new connections are refused, for load balancers to notice")
	fl.Usage = func() {} // errors are one line; --help prints the usage below

	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			serveUsage(fl, stderr)
			return cfg, err
		}
		return cfg, fmt.Errorf("%v (see apisearch serve --help)", err)
	}
	if fl.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fl.Arg(0))
	}
	given := make(map[string]bool)
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fl.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := fl.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, e)
			}
		}
	})
	if err != nil {
		return cfg, err
	}
	if cfg.CORSOrigins, err = corsOrigins(cors); err != nil {
		return cfg, err
	}
	if cfg.PublicURL != "" {
		cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
		if err := server.CheckPublicURL(cfg.PublicURL); err != nil {
			return cfg, fmt.Errorf("--public-url: %w", err)
		}
	}
	if err := checkAddr(cfg.Addr); err != nil {
		return cfg, err
	}
	cfg.TrustedProxies = splitList(proxies)
	if err := cfg.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return cfg, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	switch cfg.LogFormat {
	case "auto", "json", "text":
	default:
		return cfg, fmt.Errorf("--log-format %q: want json, text or auto", cfg.LogFormat)
	}
	if cfg.Debounce < 10*time.Millisecond || cfg.Debounce > time.Minute {
		return cfg, fmt.Errorf("--debounce %v: want between 10ms and 1m", cfg.Debounce)
	}
	if cfg.RateLimit < 0 {
		return cfg, fmt.Errorf("--rate-limit %v: want 0 (none) or more", cfg.RateLimit)
	}
	if cfg.RateLimitClients < 1 || cfg.RateLimitClients > 10_000_000 {
		return cfg, fmt.Errorf("--rate-limit-clients %d: want between 1 and 10000000", cfg.RateLimitClients)
	}
	if cfg.AnswerCacheBytes < 0 {
		return cfg, fmt.Errorf("--answer-cache-bytes %d: want 0 (the default size) or more", cfg.AnswerCacheBytes)
	}
	if cfg.ReindexWait < time.Second || cfg.ReindexWait >= writeTimeout {
		return cfg, fmt.Errorf("--reindex-wait %v: want at least 1s and less than the write timeout, %v", cfg.ReindexWait, writeTimeout)
	}
	if cfg.MaxConnections < 8 {
		return cfg, fmt.Errorf("--max-connections %d: want 8 or more", cfg.MaxConnections)
	}
	if cfg.ShutdownDelay < 0 || cfg.ShutdownDelay > time.Minute {
		return cfg, fmt.Errorf("--shutdown-delay %v: want between 0s and 1m", cfg.ShutdownDelay)
	}
	if cfg.AdminToken, err = adminToken(cfg.AdminTokenFile, getenv); err != nil {
		return cfg, err
	}
	if cfg.DataDir == "" {
		cfg.DataDir = cfg.IndexDir
	} else if info, err := os.Stat(cfg.DataDir); err == nil && !info.IsDir() {
		return cfg, fmt.Errorf("--data-dir %s: not a folder", cfg.DataDir)
	}
	if cfg.Catalog != "" {
		if info, err := os.Stat(cfg.Catalog); err != nil || !info.IsDir() {
			return cfg, fmt.Errorf("--catalog %s: not a folder", cfg.Catalog)
		}
	}
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// corsOrigins reads --cors-origins: * or origins such as https://api.gouv.fr. A trailing slash
// is dropped, since browsers never send one and such an origin would match nothing.
func corsOrigins(list string) ([]string, error) {
	origins := splitList(list)
	for i, o := range origins {
		if o == "*" {
			continue
		}
		o = strings.TrimSuffix(o, "/")
		if err := server.CheckOrigin(o); err != nil {
			return nil, fmt.Errorf("--cors-origins: %w", err)
		}
		origins[i] = o
	}
	return origins, nil
}

// checkAddr rejects an --addr that cannot be listened on whatever the machine: no port, a
// port out of range or a host that is not one.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want host:port or :port, such as :8080 (%v)", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--addr %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if strings.ContainsAny(host, " /?#@") {
		return fmt.Errorf("--addr %q: host %q is not a host name or an address", addr, host)
	}
	return nil
}

// serveUsage prints the flags with their environment variables.
func serveUsage(fl *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, "Usage: apisearch serve [flags]\n\nServes the catalogue's search API. Every flag can also be set by its environment\nvariable; a flag given on the command line wins.\n\n")
	fl.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" && f.DefValue != "0" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  --%s, %s%s\n      %s\n", f.Name, envName(f.Name), def, f.Usage)
	})
	fmt.Fprintf(w, "  %s\n      the admin token itself, when --admin-token-file is not given\n", envName("admin-token"))
}

// minTokenLength is the shortest admin token accepted: a token that can be guessed is no lock.
const minTokenLength = 16

// adminToken reads the admin token from file, else from APISEARCH_ADMIN_TOKEN; "" disables
// admin. A file that cannot be read, an empty token file and a token shorter than
// minTokenLength are configuration errors.
func adminToken(file string, getenv func(string) string) (string, error) {
	source := envName("admin-token")
	raw := getenv(source)
	token := strings.TrimSpace(raw)
	if raw != "" && token == "" {
		// Blank is a mistake, not a choice: unset the variable to run without admin endpoints.
		return "", fmt.Errorf("%s is blank: set a token or unset it to disable the admin endpoints", source)
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--admin-token-file: %w", err)
		}
		source, token = "--admin-token-file "+file, strings.TrimSpace(string(data))
		if token == "" {
			return "", fmt.Errorf("%s is empty", source)
		}
	}
	if n := len(token); n > 0 && n < minTokenLength {
		return "", fmt.Errorf("the admin token from %s is %d characters long, the minimum is %d (openssl rand -hex 32 makes one)", source, n, minTokenLength)
	}
	return token, nil
}

// newLogger makes the service's logger: JSON for machines, text in a terminal.
func newLogger(cfg serveConfig, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
