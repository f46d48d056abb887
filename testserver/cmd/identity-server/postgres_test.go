package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
)

// The built server on PostgreSQL: started with -db postgres://… and the
// signing key in the environment, it logs in and creates a user over HTTP,
// and its log shows the database URL without a password.
func TestBinaryOnPostgres(t *testing.T) {
	if !pgtest.Enabled() {
		t.Skip("a PostgreSQL test: runs with IDENTITY_TEST_BACKEND=postgres (make test runs it)")
	}
	dsn := pgtest.URL(t)
	bin := filepath.Join(t.TempDir(), "identity-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	without := exec.Command(bin, "-listen", "127.0.0.1:0", "-db", dsn) //nolint:gosec // the binary just built
	without.Env = append(os.Environ(), "IDENTITY_SUPERUSER_PASSWORD=binary-password", "IDENTITY_SIGNING_KEY=")
	if out, err := without.CombinedOutput(); err == nil || !strings.Contains(string(out), "IDENTITY_SIGNING_KEY") {
		t.Fatalf("started on PostgreSQL without a signing key: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-password-cost", "low") //nolint:gosec // as above
	cmd.Env = append(os.Environ(), "IDENTITY_SUPERUSER_PASSWORD=binary-password", "IDENTITY_DATABASE_URL="+dsn,
		"IDENTITY_SIGNING_KEY="+strings.Repeat("s", 40))
	base, line := startListening(t, cmd)
	if !strings.Contains(line, `"db":"postgres://`) {
		t.Errorf("listening line does not name the database: %s", line)
	}
	post := func(path, token string, body any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		c := http.Client{Timeout: 10 * time.Second}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out := map[string]any{}
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	st, out := post("/api/v1/login", "", map[string]string{"username": "system", "password": "binary-password"})
	tok, _ := out["token"].(string)
	if st != 200 || tok == "" {
		t.Fatalf("login: %d %v", st, out)
	}
	if st, out := post("/api/v1/users", tok, map[string]any{"username": "pat", "email": "pat@example.com"}); st != 201 || out["username"] != "pat" {
		t.Fatalf("create user: %d %v", st, out)
	}
	if st, _ := post("/api/v1/users", tok, map[string]any{"username": "PAT", "email": "pat2@example.com"}); st != 409 {
		t.Fatalf("case-twin username: %d, want 409", st)
	}
}
