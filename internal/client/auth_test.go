package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// authFake is a server with one account whose sessions can be revoked.
type authFake struct {
	*fake
	password string
	logins   atomic.Int64
	mu       sync.Mutex
	valid    map[string]bool
}

func newAuthFake(t *testing.T, password string) *authFake {
	t.Helper()
	a := &authFake{password: password, valid: map[string]bool{}}
	a.fake = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/login" {
			var in loginRequest
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				writeProblem(w, 400, "bad json", nil)
				return
			}
			if in.Username != "system" || in.Password != a.password {
				writeProblem(w, 401, "invalid username or password", nil)
				return
			}
			n := a.logins.Add(1)
			token := fmt.Sprintf("session-token-%d-abcdef", n)
			a.mu.Lock()
			a.valid[token] = true
			a.mu.Unlock()
			writeJSON(w, 200, map[string]any{
				"token": token, "expires_at": time.Now().Add(time.Hour),
				"user": map[string]any{"id": "sys", "username": "system", "role": "sudo"},
			})
			return
		}
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		a.mu.Lock()
		ok := a.valid[token]
		a.mu.Unlock()
		if !ok {
			writeProblem(w, 401, "session expired or invalid", nil)
			return
		}
		writeJSON(w, 200, map[string]any{"kind": "user", "role": "sudo", "level": 0})
	})
	return a
}

func (a *authFake) revokeAll() {
	a.mu.Lock()
	clear(a.valid)
	a.mu.Unlock()
}

func TestLazyLogin(t *testing.T) {
	a := newAuthFake(t, "correct horse battery")
	c := newTestClient(t, a.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", "correct horse battery"
	})
	if a.hits.Load() != 0 {
		t.Fatal("New contacted the server")
	}
	for range 3 {
		me, err := c.Me(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if me.Role != "sudo" {
			t.Errorf("me = %+v", me)
		}
	}
	if a.logins.Load() != 1 || a.hits.Load() != 4 {
		t.Errorf("logins = %d, requests = %d; want 1 and 4", a.logins.Load(), a.hits.Load())
	}
	if c.RequestCount() != 4 {
		t.Errorf("RequestCount = %d, want 4 (the login counts)", c.RequestCount())
	}
}

func TestExplicitLogin(t *testing.T) {
	a := newAuthFake(t, "correct horse battery")
	c := newTestClient(t, a.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", "wrong password!"
	})
	err := c.Login(context.Background())
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "invalid username or password") {
		t.Fatalf("Login = %v, want ErrUnauthorized with the server's detail", err)
	}
	if strings.Contains(err.Error(), "wrong password!") {
		t.Error("the password leaked into the error")
	}

	c = newTestClient(t, a.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", "correct horse battery"
	})
	if err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.logins.Load() != 1 {
		t.Errorf("logins = %d, want 1", a.logins.Load())
	}

	tokenOnly := newTestClient(t, a.URL)
	if err := tokenOnly.Login(context.Background()); err == nil {
		t.Error("Login without username and password succeeded")
	}
}

func TestReloginOn401(t *testing.T) {
	a := newAuthFake(t, "correct horse battery")
	c := newTestClient(t, a.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", "correct horse battery"
	})
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.revokeAll()
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatalf("Me after the session was revoked: %v", err)
	}
	if a.logins.Load() != 2 {
		t.Errorf("logins = %d, want 2", a.logins.Load())
	}

	// Concurrent requests that all hit the revoked session log in once more,
	// not once each.
	a.revokeAll()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := c.Me(context.Background()); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := a.logins.Load(); got != 3 {
		t.Errorf("logins = %d, want 3", got)
	}
}

func TestNoReloginWithoutCredentials(t *testing.T) {
	a := newAuthFake(t, "correct horse battery")
	c := newTestClient(t, a.URL) // a token the server does not know
	_, err := c.Me(context.Background())
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("error = %v, want ErrUnauthorized", err)
	}
	if a.hits.Load() != 1 || a.logins.Load() != 0 {
		t.Errorf("requests = %d, logins = %d; want 1 and 0", a.hits.Load(), a.logins.Load())
	}
}

func TestReloginOnlyOnce(t *testing.T) {
	// A server that refuses every session: the client must give up after one
	// fresh login rather than loop.
	var logins atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/login" {
			logins.Add(1)
			writeJSON(w, 200, map[string]any{"token": "tok-abcdef", "expires_at": time.Now().Add(time.Hour)})
			return
		}
		writeProblem(w, 401, "user is disabled", nil)
	})
	c := newTestClient(t, f.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", "correct horse battery"
	})
	_, err := c.Me(context.Background())
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "user is disabled") ||
		!strings.Contains(err.Error(), `refused again right after a new login as "system"`) {
		t.Fatalf("error = %v", err)
	}
	if logins.Load() != 2 || f.hits.Load() != 4 {
		t.Errorf("logins = %d, requests = %d; want 2 and 4", logins.Load(), f.hits.Load())
	}
}

func TestSessionRenewedBeforeExpiry(t *testing.T) {
	var logins atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/login" {
			n := logins.Add(1)
			// The first session is about to expire.
			exp := time.Now().Add(time.Second)
			if n > 1 {
				exp = time.Now().Add(time.Hour)
			}
			writeJSON(w, 200, map[string]any{"token": fmt.Sprintf("tok-%d-abcdef", n), "expires_at": exp})
			return
		}
		writeJSON(w, 200, map[string]any{"kind": "user"})
	})
	c := newTestClient(t, f.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", "correct horse battery"
	})
	if err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if logins.Load() != 2 {
		t.Errorf("logins = %d, want 2 (the expiring session renewed)", logins.Load())
	}
}

func TestBearerAndHeaders(t *testing.T) {
	var got http.Header
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		writeJSON(w, 200, map[string]any{"id": "u1"})
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.UserAgent = "terraform-provider-identity/test" })
	ctx := WithIfMatch(context.Background(), 7)
	if _, err := c.UpdateUser(ctx, "u1", UserUpdate{}); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer test-token-0123456789" {
		t.Errorf("Authorization = %q", got.Get("Authorization"))
	}
	if got.Get("User-Agent") != "terraform-provider-identity/test" {
		t.Errorf("User-Agent = %q", got.Get("User-Agent"))
	}
	if got.Get("If-Match") != `"7"` {
		t.Errorf("If-Match = %q", got.Get("If-Match"))
	}
	if got.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type = %q", got.Get("Content-Type"))
	}
	// If-Match is for writes only.
	if _, err := c.GetUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if got.Get("If-Match") != "" {
		t.Errorf("GET sent If-Match %q", got.Get("If-Match"))
	}
}

// captureLogger records every log line.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) record(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.record("DEBUG", msg, fields)
}

func (l *captureLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.record("WARN", msg, fields)
}

func (l *captureLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestSecretsNeverLogged(t *testing.T) {
	const password = "s3cret-password-value"
	const newPassword = "n3w-password-value"
	const jwt = "eyJhbGciOiJIUzI1NiJ9.secret-jwt-payload"
	var calls atomic.Int64
	a := newAuthFake(t, password)
	tokens := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/login":
			writeJSON(w, 200, map[string]any{"token": "session-secret-abcdef", "expires_at": time.Now().Add(time.Hour)})
		case calls.Add(1) == 1:
			writeProblem(w, 503, "warming up", nil)
		case r.URL.Path == "/api/v1/tokens":
			writeJSON(w, 201, map[string]any{"id": "t1", "role": "operator", "token": jwt})
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	log := &captureLogger{}
	c := newTestClient(t, a.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", password
		c.Logger = log
	})
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.revokeAll()
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	bad := newTestClient(t, a.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", "wrong-"+password
		c.Logger = log
	})
	if err := bad.Login(context.Background()); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}

	c2 := newTestClient(t, tokens.URL, func(c *Config) {
		c.Token = ""
		c.Username, c.Password = "system", password
		c.Logger = log
	})
	tok, err := c2.CreateToken(context.Background(), TokenCreate{Role: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Secret != jwt {
		t.Errorf("secret = %q", tok.Secret)
	}
	if err := c2.SetUserPassword(context.Background(), "u1", newPassword, password); err != nil {
		t.Fatal(err)
	}

	logs := log.all()
	if !strings.Contains(logs, "identity API request") || !strings.Contains(logs, "WARN identity API request will be retried") {
		t.Fatalf("expected request and retry logs, got:\n%s", logs)
	}
	for _, secret := range []string{password, newPassword, jwt, "secret-jwt", "session-token-", "session-secret", "test-token-0123456789"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

func TestScrubFields(t *testing.T) {
	got := scrubFields(map[string]any{
		"Authorization": "Bearer x",
		"new_password":  "p",
		"error":         errors.New("bad thing with tok-123456 in it"),
		"path":          "/api/v1/users",
	}, []string{"tok-123456", ""})
	want := map[string]any{"Authorization": redacted, "new_password": redacted, "error": redacted, "path": "/api/v1/users"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
