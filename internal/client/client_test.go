package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// newTestClient returns a client for f with fast retries.
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
			c := newTestClient(t, f.URL, func(c *Config) { c.MaxRetries = -1 })
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

func TestRetryAfterHonoured(t *testing.T) {
	var calls atomic.Int64
	var times []time.Time
	var mu sync.Mutex
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeProblem(w, http.StatusTooManyRequests, "slow down", nil)
			return
		}
		writeJSON(w, 200, map[string]any{"id": "u1"})
	})
	c := newTestClient(t, f.URL)
	start := time.Now()
	u, err := c.GetUser(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if u.ID != "u1" {
		t.Errorf("user = %+v", u)
	}
	if got := f.hits.Load(); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
	if c.RequestCount() != 2 {
		t.Errorf("RequestCount = %d, want 2", c.RequestCount())
	}
	mu.Lock()
	gap := times[1].Sub(times[0])
	mu.Unlock()
	if gap < 950*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("gap between attempts = %s (total %s), want about 1s although RetryWaitMax is 10ms", gap, elapsed)
	}
}

func TestRetryAfterBeyondCapNotWaited(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeProblem(w, http.StatusTooManyRequests, "too many failed logins", nil)
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.MaxRetryAfter = 2 * time.Second })
	start := time.Now()
	_, err := c.GetUser(context.Background(), "u1")
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("error = %v, want ErrRateLimited", err)
	}
	if time.Since(start) > time.Second || f.hits.Load() != 1 {
		t.Errorf("took %s and %d attempts, want one prompt attempt", time.Since(start), f.hits.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 2 ", 2 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"Friday, 02-Jan-26 03:04:15 GMT", 10 * time.Second, true}, // RFC 850
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	for attempt := range 40 {
		d := c.backoff(10*time.Millisecond, 80*time.Millisecond, attempt, nil)
		if d < 10*time.Millisecond || d > 80*time.Millisecond {
			t.Errorf("attempt %d: backoff %s outside [10ms, 80ms]", attempt, d)
		}
	}
	resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"100000"}}}
	if d := c.backoff(time.Millisecond, time.Millisecond, 0, resp); d != DefaultMaxRetryAfter {
		t.Errorf("capped Retry-After = %s, want %s", d, DefaultMaxRetryAfter)
	}
}

func TestRetryMatrix(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		status   int
		attempts int64 // with MaxRetries 2, when the server always fails
	}{
		{"GET 503", http.MethodGet, 503, 3},
		{"POST 503", http.MethodPost, 503, 3},
		{"POST 429", http.MethodPost, 429, 3},
		{"GET 500", http.MethodGet, 500, 3},
		{"POST 500", http.MethodPost, 500, 1},
		{"POST 502", http.MethodPost, 502, 1},
		{"POST 504", http.MethodPost, 504, 1},
		{"PUT 502", http.MethodPut, 502, 3},
		{"DELETE 504", http.MethodDelete, 504, 3},
		{"PATCH 500", http.MethodPatch, 500, 3},
		{"GET 501", http.MethodGet, 501, 1},
		{"GET 400", http.MethodGet, 400, 1},
		{"GET 404", http.MethodGet, 404, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != tt.method {
					t.Errorf("method = %s", r.Method)
				}
				writeProblem(w, tt.status, "nope", nil)
			})
			c := newTestClient(t, f.URL, func(c *Config) { c.MaxRetries = 2 })
			err := c.do(context.Background(), tt.method, "/things", nil, map[string]string{"a": "b"}, nil)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
				t.Fatalf("error = %v, want an *APIError with status %d", err, tt.status)
			}
			if got := f.hits.Load(); got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
			if got := c.RequestCount(); got != tt.attempts {
				t.Errorf("RequestCount = %d, want %d", got, tt.attempts)
			}
		})
	}
}

func TestRetry503ThenSuccess(t *testing.T) {
	var calls atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			writeProblem(w, 503, "starting", nil)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"username":"bob"`) {
			t.Errorf("retried body = %s", body)
		}
		writeJSON(w, 201, map[string]any{"id": "u2", "username": "bob"})
	})
	c := newTestClient(t, f.URL)
	u, err := c.CreateUser(context.Background(), UserCreate{Username: "bob", Email: "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "u2" || f.hits.Load() != 3 {
		t.Errorf("user %+v after %d attempts", u, f.hits.Load())
	}
}

// dropAfterRead reads the whole request, then closes the connection without
// answering: the server may have acted, and the client cannot know.
func dropAfterRead(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("no hijacker")
			return
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close()
	}
}

func TestNetworkErrorAfterSend(t *testing.T) {
	for _, tt := range []struct {
		method   string
		attempts int64
	}{{http.MethodPost, 1}, {http.MethodGet, 3}, {http.MethodDelete, 3}} {
		t.Run(tt.method, func(t *testing.T) {
			f := newFake(t, dropAfterRead(t))
			c := newTestClient(t, f.URL, func(c *Config) { c.MaxRetries = 2 })
			err := c.do(context.Background(), tt.method, "/users", nil, map[string]string{"a": "b"}, nil)
			var netErr *NetworkError
			if !errors.As(err, &netErr) {
				t.Fatalf("error = %v (%T), want a *NetworkError", err, err)
			}
			if !strings.HasPrefix(err.Error(), "cannot reach identity server at "+f.URL+": ") {
				t.Errorf("Error() = %q", err.Error())
			}
			if got := f.hits.Load(); got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
		})
	}
}

func TestConnectionRefusedRetriedForPOST(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, "http://"+addr, func(c *Config) { c.MaxRetries = 2 })
	_, err = c.CreateGroup(context.Background(), GroupCreate{Name: "g"})
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach identity server at http://"+addr+": POST /api/v1/groups: ") {
		t.Fatalf("error = %v", err)
	}
	if got := c.RequestCount(); got != 3 {
		t.Errorf("attempts = %d, want 3: a refused connection never reached the server", got)
	}
}

func TestContextCancellationStopsRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, 503, "down", nil)
	})
	c := newTestClient(t, f.URL, func(c *Config) {
		c.RetryWaitMin = 10 * time.Second
		c.RetryWaitMax = 10 * time.Second
	})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetUser(ctx, "u1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("returned after %s, want promptly after the deadline", elapsed)
	}
	if f.hits.Load() != 1 {
		t.Errorf("attempts = %d, want 1", f.hits.Load())
	}
}

func TestContextCancelledInFlight(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newTestClient(t, f.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	_, err := c.ListUsers(ctx, UserFilter{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if f.hits.Load() != 1 {
		t.Errorf("attempts = %d, want 1", f.hits.Load())
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	var calls atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		writeJSON(w, 200, map[string]any{"id": "u1"})
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	if _, err := c.GetUser(context.Background(), "u1"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if f.hits.Load() != 2 {
		t.Errorf("attempts = %d, want 2 (the slow one timed out and was retried)", f.hits.Load())
	}
}

func TestOwnPasswordChangeNotRepeated(t *testing.T) {
	for _, tt := range []struct {
		current  string
		attempts int64
	}{{"", 3}, {"old-password", 1}} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			writeProblem(w, http.StatusBadGateway, "proxy lost the answer", nil)
		})
		c := newTestClient(t, f.URL, func(c *Config) { c.MaxRetries = 2 })
		if err := c.SetUserPassword(context.Background(), "u1", "new-password", tt.current); err == nil {
			t.Fatal("want an error")
		}
		if got := f.hits.Load(); got != tt.attempts {
			t.Errorf("current password %q: attempts = %d, want %d", tt.current, got, tt.attempts)
		}
	}
}
