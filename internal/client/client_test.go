package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fake is an httptest server whose handler counts requests.
type fake struct {
	*httptest.Server
	hits atomic.Int64
}

func newFake(t *testing.T, h http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// newTestClient returns a client for endpoint whose retry waits take no real
// time: it runs on a fakeClock (see fakeClockOf).
func newTestClient(t *testing.T, endpoint string, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Endpoint:     endpoint,
		Token:        "test-token-0123456789",
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 10 * time.Millisecond,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.clock = newFakeClock()
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(err)
	}
}

func writeProblem(w http.ResponseWriter, status int, detail string, fields map[string]string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	p := map[string]any{
		"type":   "https://identity.example/problems/x",
		"title":  http.StatusText(status),
		"status": status,
		"detail": detail,
	}
	if len(fields) > 0 {
		p["errors"] = fields
	}
	if err := json.NewEncoder(w).Encode(p); err != nil {
		panic(err)
	}
}

func TestNew_validation(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"ok", Config{Endpoint: "http://127.0.0.1:8080"}, ""},
		{"ok https with path", Config{Endpoint: "https://id.example.com/identity/"}, ""},
		{"missing", Config{}, "endpoint is required"},
		{"no scheme", Config{Endpoint: "127.0.0.1:8080"}, "scheme must be http or https"},
		{"ftp", Config{Endpoint: "ftp://example.com"}, "scheme must be http or https"},
		{"no host", Config{Endpoint: "http://"}, "a host is required"},
		{"userinfo", Config{Endpoint: "http://u:p@example.com"}, "not the URL"},
		{"query", Config{Endpoint: "http://example.com/?a=b"}, "query and fragment"},
		{"username only", Config{Endpoint: "http://example.com", Username: "u"}, "set together"},
		{"password only", Config{Endpoint: "http://example.com", Password: "p"}, "set together"},
		{"negative timeout", Config{Endpoint: "http://example.com", Timeout: -1}, "must not be negative"},
		{"negative retries", Config{Endpoint: "http://example.com", MaxRetries: -1}, "set DisableRetries"},
		{"min above max", Config{Endpoint: "http://example.com", RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond}, "greater than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestNew_passwordNotInError(t *testing.T) {
	_, err := New(Config{Endpoint: "http://alice:hunter22@example.com"})
	if err == nil || strings.Contains(err.Error(), "hunter22") {
		t.Fatalf("error = %v, want an error without the password", err)
	}
}

func TestEndpointPathPrefix(t *testing.T) {
	var gotPath string
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.EscapedPath()
		writeJSON(w, 200, map[string]any{"kind": "user"})
	})
	for _, suffix := range []string{"", "/", "/api/v1", "/api/v1/"} {
		c := newTestClient(t, f.URL+"/prefix"+suffix)
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
		if gotPath != "/prefix/api/v1/me" {
			t.Errorf("endpoint suffix %q: path = %q", suffix, gotPath)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		status   int
		sentinel error
	}{
		{400, ErrBadRequest},
		{401, ErrUnauthorized},
		{403, ErrForbidden},
		{404, ErrNotFound},
		{409, ErrConflict},
		{412, ErrPreconditionFailed},
		{429, ErrRateLimited},
	}
	all := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrPreconditionFailed, ErrRateLimited}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			detail := fmt.Sprintf("detail for %d", tt.status)
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				writeProblem(w, tt.status, detail, map[string]string{"email": "must be a plain email address"})
			})
			c := newTestClient(t, f.URL, func(c *Config) { c.DisableRetries = true })
			_, err := c.GetUser(context.Background(), "u1")
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			for _, other := range all {
				if !errors.Is(other, tt.sentinel) && errors.Is(err, other) {
					t.Errorf("error also matches %v", other)
				}
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Detail != detail || apiErr.Errors["email"] == "" {
				t.Errorf("APIError = %+v", apiErr)
			}
			want := fmt.Sprintf("GET /api/v1/users/u1: %d %s: %s (email: must be a plain email address)", tt.status, http.StatusText(tt.status), detail)
			if err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestAPIErrorMessage(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, 403, "admin (level 1) cannot assign role sudo (level 0)", nil)
	})
	c := newTestClient(t, f.URL)
	_, err := c.CreateUser(context.Background(), UserCreate{Username: "a", Email: "a@example.com", Role: "sudo"})
	want := "POST /api/v1/users: 403 Forbidden: admin (level 1) cannot assign role sudo (level 0)"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestNonJSONErrorPage(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.GetUser(context.Background(), "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadGateway {
		t.Fatalf("error = %v, want an *APIError with status 502", err)
	}
	if !strings.Contains(err.Error(), "502 Bad Gateway") || !strings.Contains(err.Error(), "text/html") {
		t.Errorf("Error() = %q", err.Error())
	}
	if got := f.hits.Load(); got != 3 {
		t.Errorf("attempts = %d, want 3 (GET retried on 502)", got)
	}
}

func TestNonJSONSuccessBody(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>hello</html>")
		},
		"broken json": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id": `)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, h)
			c := newTestClient(t, f.URL)
			_, err := c.GetUser(context.Background(), "u1")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 {
				t.Fatalf("error = %v, want an *APIError with status 200", err)
			}
		})
	}
}
