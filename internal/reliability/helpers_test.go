package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/internal/client"
	_ "modernc.org/sqlite"
)

// soak reports whether the long variants run (make soak sets IDENTITY_SOAK=1).
func soak() bool { return os.Getenv("IDENTITY_SOAK") != "" }

// needTerraform skips tests that drive the terraform binary unless TF_ACC is set.
func needTerraform(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive terraform")
	}
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("terraform is not on PATH")
		}
		path = p
	}
	return path
}

// moduleRoot is the repository root, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var (
	buildMu  sync.Mutex
	binaries = map[string]string{}
	buildDir string
)

// binary builds a main package of this module once per test run and returns its path.
func binary(t *testing.T, pkg, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := binaries[pkg]; ok {
		return p
	}
	if buildDir == "" {
		// Shared by every test in the package so each binary is built once;
		// TestMain removes it.
		d, err := os.MkdirTemp("", "identity-reliability-") //nolint:usetesting // outlives any one test
		if err != nil {
			t.Fatal(err)
		}
		buildDir = d
	}
	out := filepath.Join(buildDir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = moduleRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	binaries[pkg] = out
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// tf runs terraform in one working directory against the provider binary built
// from this module (dev_overrides, so no init and no registry).
type tf struct {
	t    *testing.T
	bin  string
	dir  string
	env  []string
	logs string // TF_LOG file, when tracing
}

func newTF(t *testing.T) *tf {
	t.Helper()
	bin := needTerraform(t)
	provider := binary(t, ".", "terraform-provider-identity")
	dir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "terraform.rc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/seed/identity\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(provider))
	if err := os.WriteFile(cfg, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + cfg, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "NO_COLOR=1"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "IDENTITY_") || k == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	return &tf{t: t, bin: bin, dir: dir, env: env}
}

// write puts main.tf (with the required_providers block) into the working directory.
func (f *tf) write(body string) {
	f.t.Helper()
	hcl := "terraform {\n  required_providers {\n    identity = { source = \"seed/identity\" }\n  }\n}\n\n" + body
	if err := os.WriteFile(filepath.Join(f.dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		f.t.Fatal(err)
	}
}

// trace sends TF_LOG=trace for the provider and core to a file.
func (f *tf) trace() {
	f.logs = filepath.Join(f.dir, "trace.log")
	f.env = append(f.env, "TF_LOG=trace", "TF_LOG_PATH="+f.logs)
}

// cmd prepares a terraform command; extra is added to the environment.
func (f *tf) cmd(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, f.bin, args...)
	cmd.Dir = f.dir
	cmd.Env = f.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	return cmd, &stdout, &stderr
}

// run runs terraform to the end (bounded by timeout) and returns stdout, stderr and the error.
func (f *tf) run(timeout time.Duration, args ...string) (string, string, error) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd, stdout, stderr := f.cmd(ctx, args...)
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// must runs terraform and fails the test when it fails.
func (f *tf) must(timeout time.Duration, args ...string) string {
	f.t.Helper()
	out, errOut, err := f.run(timeout, args...)
	if err != nil {
		f.t.Fatalf("terraform %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, tail(out, 4000), tail(errOut, 4000))
	}
	return out
}

// planIsEmpty runs plan -detailed-exitcode: 0 means nothing to do, 2 means changes.
func (f *tf) planIsEmpty(timeout time.Duration) (bool, string) {
	f.t.Helper()
	out, errOut, err := f.run(timeout, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	if err == nil {
		return true, out
	}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 2 {
		return false, out
	}
	f.t.Fatalf("terraform plan: %v\n%s\n%s", err, tail(out, 4000), tail(errOut, 4000))
	return false, ""
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// providerBlock is a provider block for endpoint and token.
func providerBlock(endpoint, token string) string {
	return fmt.Sprintf("provider \"identity\" {\n  endpoint = %q\n  token    = %q\n}\n\n", endpoint, token)
}

// apiClient is a superuser client of a server, with retries off so faults are visible.
func apiClient(t *testing.T, url, token string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: url, Token: token, DisableRetries: true, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// openDB opens a server's database file read-only for checks.
func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func dbCount(t *testing.T, d *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkDBIntegrity runs SQLite's integrity and foreign key checks.
func checkDBIntegrity(t *testing.T, d *sql.DB) {
	t.Helper()
	var res string
	if err := d.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("PRAGMA integrity_check: %q %v", res, err)
	}
	rows, err := d.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatalf("PRAGMA foreign_key_check: %v", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("PRAGMA foreign_key_check: %d violations", n)
	}
}

// lockedBuffer is a concurrency-safe log sink for a server's logger.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// percentile returns the p-th percentile (0-100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

var clientAuditAll = client.AuditFilter{}

// apiLogin checks a username and password against the server.
func apiLogin(t *testing.T, url, username, password string) error {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: url, Username: username, Password: password, DisableRetries: true})
	if err != nil {
		return err
	}
	return c.Login(ctxFor(t, 30*time.Second))
}

// clientNew is a client that logs in with a username and password.
func clientNew(url, username, password string) (*client.Client, error) {
	return client.New(client.Config{Endpoint: url, Username: username, Password: password, MaxRetries: 2})
}

func clientUser(name string) client.UserCreate {
	return client.UserCreate{Username: name, Email: name + "@example.com"}
}
