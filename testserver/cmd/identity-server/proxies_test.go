package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
)

// An invalid trusted proxy stops the start with an error that names the
// entry and where it came from; the flag wins over the environment.
func TestTrustedProxiesInvalid(t *testing.T) {
	t.Setenv("IDENTITY_SUPERUSER_PASSWORD", "")
	serveErr := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(args, &out, &errOut)
		if err == nil {
			t.Fatalf("identity-server %s started", strings.Join(args, " "))
		}
		return err.Error()
	}

	t.Setenv("IDENTITY_TRUSTED_PROXIES", "10.0.0.0/8, 10.0.0.300")
	if got, want := serveErr(), `IDENTITY_TRUSTED_PROXIES: "10.0.0.300" is neither an IP address nor a CIDR prefix`; got != want {
		t.Errorf("an invalid environment entry: %q, want %q", got, want)
	}
	if got, want := serveErr("-trusted-proxies", "192.0.2.7,lb.internal"), `-trusted-proxies: "lb.internal" is neither an IP address nor a CIDR prefix`; got != want {
		t.Errorf("an invalid flag entry: %q, want %q", got, want)
	}
	if got, want := serveErr("-trusted-proxies", "10.1.0.0/8"), `-trusted-proxies: "10.1.0.0/8" has bits set past its /8 length (did you mean 10.0.0.0/8?)`; got != want {
		t.Errorf("a prefix with host bits: %q, want %q", got, want)
	}
	if got, want := serveErr("-trusted-proxies", "10.0.0.0/40"), `-trusted-proxies: "10.0.0.0/40" is not a CIDR prefix such as 10.0.0.0/8 or 2001:db8::/32`; got != want {
		t.Errorf("a prefix too long: %q, want %q", got, want)
	}
	// A valid flag replaces the invalid environment: the start goes on to
	// the next check, the missing superuser password.
	if got := serveErr("-trusted-proxies", "10.0.0.0/8, 2001:db8::1"); !strings.Contains(got, "IDENTITY_SUPERUSER_PASSWORD") {
		t.Errorf("a valid flag over an invalid environment: %q", got)
	}
	// So does an empty one: no trusted proxies.
	if got := serveErr("-trusted-proxies", ""); !strings.Contains(got, "IDENTITY_SUPERUSER_PASSWORD") {
		t.Errorf("an empty flag over an invalid environment: %q", got)
	}
}

// The built server with IDENTITY_TRUSTED_PROXIES: an invalid entry exits
// with its message; with loopback trusted, two clients told apart only by
// X-Forwarded-For count apart, so one's wrong passwords do not lock the
// other out. On PostgreSQL (IDENTITY_TEST_BACKEND=postgres) the counters
// are in the database.
func TestBinaryTrustedProxies(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "identity-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "IDENTITY_SUPERUSER_PASSWORD=binary-password", "IDENTITY_DATABASE_URL=", "IDENTITY_SIGNING_KEY=")
	db := filepath.Join(t.TempDir(), "identity.db")
	if pgtest.Enabled() {
		// The counters are then in the database.
		db = pgtest.URL(t)
		env = append(env, "IDENTITY_SIGNING_KEY="+strings.Repeat("s", 40))
	}

	bad := exec.Command(bin, "-listen", "127.0.0.1:0", "-db", db) //nolint:gosec // the binary just built
	bad.Env = append(env, "IDENTITY_TRUSTED_PROXIES=127.0.0.1,localhost")
	out, err := bad.CombinedOutput()
	if want := `identity-server: IDENTITY_TRUSTED_PROXIES: "localhost" is neither an IP address nor a CIDR prefix`; err == nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("started with an invalid trusted proxy: %v\n%s\nwant %s", err, out, want)
	}

	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-db", db, "-password-cost", "low") //nolint:gosec // as above
	cmd.Env = append(env, "IDENTITY_TRUSTED_PROXIES=127.0.0.1/32, ::1")
	base, line := startListening(t, cmd)
	if !strings.Contains(line, `"trusted_proxies":"[127.0.0.1/32 ::1/128]"`) {
		t.Errorf("listening line does not name the trusted proxies: %s", line)
	}
	login := func(client, password string) int {
		b, _ := json.Marshal(map[string]string{"username": "system", "password": password})
		req, _ := http.NewRequest("POST", base+"/api/v1/login", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", client)
		c := http.Client{Timeout: 10 * time.Second}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode
	}
	for i := range 5 {
		if st := login("203.0.113.1", fmt.Sprintf("guess-%d", i)); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, st)
		}
	}
	if st := login("203.0.113.1", "binary-password"); st != http.StatusTooManyRequests {
		t.Fatalf("the guessing client after 5 failures: %d, want 429", st)
	}
	if st := login("203.0.113.2", "binary-password"); st != http.StatusOK {
		t.Fatalf("another client behind the same proxy: %d, want 200", st)
	}
}
