// Package pgtest gives tests a fresh PostgreSQL database each: from the
// server named by IDENTITY_TEST_POSTGRES_URL when it is set, or else from a
// throwaway cluster that the test binary starts once (initdb and pg_ctl in a
// temporary folder, on a free loopback port) and that is stopped and removed
// when the binary exits, however it exits.
//
// Without PostgreSQL's server programs a test that asks for a database is
// skipped with a note on how to install them; under CI (CI=true) it fails
// instead, so CI never passes without having run it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL names a PostgreSQL server to use instead of a throwaway cluster: a
// URL whose user may create databases, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvURL = "IDENTITY_TEST_POSTGRES_URL"

// EnvBackend selects the database of the servers and stores that tests start
// without naming one: "postgres", or "sqlite" (the default).
const EnvBackend = "IDENTITY_TEST_BACKEND"

// Enabled reports whether tests run on PostgreSQL (EnvBackend=postgres).
func Enabled() bool { return os.Getenv(EnvBackend) == "postgres" }

var (
	once     sync.Once
	admin    *url.URL // the server's URL, on its maintenance database
	startErr error
)

// URL returns the URL of a new, empty database for tb, dropped when tb ends.
func URL(tb testing.TB) string {
	tb.Helper()
	u, drop, err := NewDatabase(context.Background())
	if errors.Is(err, ErrUnavailable) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required under CI: %v", err)
		}
		tb.Skipf("%v; install its server programs (apt-get install postgresql) or set %s", err, EnvURL)
	} else if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = drop() })
	return u
}

// ErrUnavailable is wrapped by NewDatabase's error when there is no
// PostgreSQL to use: EnvURL is not set and PostgreSQL's server programs
// cannot be found or started.
var ErrUnavailable = errors.New("PostgreSQL is not available")

// NewDatabase creates a new, empty database on the server EnvURL names, or
// else on a throwaway cluster started once for this process, and returns its
// URL and a function that drops it. Programs other than tests (benchmarks)
// use it through testserver.TemporaryPostgres.
func NewDatabase(ctx context.Context) (string, func() error, error) {
	once.Do(func() { admin, startErr = server() })
	if startErr != nil {
		return "", nil, fmt.Errorf("%w (%w)", ErrUnavailable, startErr)
	}
	name := "identity_test_" + randomHex(8)
	db, err := sql.Open("pgx", admin.String())
	if err != nil {
		return "", nil, err
	}
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", nil, fmt.Errorf("create test database: %w", err)
	}
	drop := func() error {
		db, err := sql.Open("pgx", admin.String())
		if err != nil {
			return err
		}
		defer func() { _ = db.Close() }()
		_, err = db.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		return err
	}
	u := *admin
	u.Path = "/" + name
	return u.String(), drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// server returns the admin URL of EnvURL, or starts a throwaway cluster.
func server() (*url.URL, error) {
	if v := os.Getenv(EnvURL); v != "" {
		u, err := url.Parse(v)
		if err != nil {
			return nil, fmt.Errorf("%s is not a URL: %w", EnvURL, err)
		}
		return u, nil
	}
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	return startCluster(bin)
}

// binDir finds PostgreSQL's server programs: pg_config --bindir, the newest
// /usr/lib/postgresql/*/bin (Debian keeps them off PATH), or PATH.
func binDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if isFile(filepath.Join(dir, "initdb")) {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("initdb was not found (pg_config --bindir, /usr/lib/postgresql/*/bin, PATH)")
}

func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// startCluster creates a cluster in a temporary folder and starts it on a
// free loopback port. PostgreSQL refuses to run as root, so as root it runs
// as the postgres user, which owns the folder.
func startCluster(bin string) (*url.URL, error) {
	dir, err := os.MkdirTemp("", "identity-pg-")
	if err != nil {
		return nil, err
	}
	run := func(name string, args ...string) *exec.Cmd {
		return exec.Command(filepath.Join(bin, name), args...) //nolint:gosec // PostgreSQL's own programs
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, errors.New("running as root needs the postgres user to run PostgreSQL (apt-get install postgresql creates it)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		run = func(name string, args ...string) *exec.Cmd {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...) //nolint:gosec // as above
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400", port, dir)
	if out, err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log")) //nolint:gosec // our own folder
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %w: %s %s", err, out, log)
	}
	if err := stopOnExit(run("pg_ctl", "-D", data, "-m", "immediate", "stop"), dir); err != nil {
		_ = run("pg_ctl", "-D", data, "-m", "immediate", "stop").Run()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path: "/postgres", RawQuery: "sslmode=disable"}, nil
}

// stopOnExit starts a shell that waits for this process to end (its stdin,
// a pipe only this process writes, reaches end of file) and then stops the
// cluster and removes its folder, so a crash or a killed test binary leaves
// nothing running.
func stopOnExit(stop *exec.Cmd, dir string) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	script := `cat >/dev/null; "$@" >/dev/null 2>&1; rm -rf "$0"`
	cmd := exec.Command("sh", append([]string{"-c", script, dir}, stop.Args...)...) //nolint:gosec // fixed script, our own arguments
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		_ = r.Close()
		_ = w.Close()
		return err
	}
	_ = r.Close()
	// w stays open as long as this process lives: the goroutine keeps it
	// from being collected (and closed) before then.
	go func() {
		_ = cmd.Wait()
		runtime.KeepAlive(w)
	}()
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", ln.Addr())
	}
	return addr.Port, nil
}
