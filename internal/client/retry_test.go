package client

import (
	"context"
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

// fakeClock is a clock whose Sleep returns at once, moving the time forward
// by the wait, and records every wait. onSleep, when set, runs first (with
// the wait's number, from 1) and may end the context; with block set, Sleep
// instead waits for the context to end, as a wait that outlasts it would.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Duration
	onSleep func(n int)
	block   bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	n, hook := len(f.sleeps), f.onSleep
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	if f.block {
		<-ctx.Done()
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return nil
}

func (f *fakeClock) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// fakeClockOf returns the fake clock newTestClient gave c.
func fakeClockOf(t *testing.T, c *Client) *fakeClock {
	t.Helper()
	fc, ok := c.clock.(*fakeClock)
	if !ok {
		t.Fatal("the client does not run on a fake clock")
	}
	return fc
}

func sum(ds []time.Duration) time.Duration {
	var total time.Duration
	for _, d := range ds {
		total += d
	}
	return total
}

func TestRetryAfterHonoured(t *testing.T) {
	var calls atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeProblem(w, http.StatusTooManyRequests, "slow down", nil)
			return
		}
		writeJSON(w, 200, map[string]any{"id": "u1"})
	})
	c := newTestClient(t, f.URL)
	u, err := c.GetUser(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "u1" {
		t.Errorf("user = %+v", u)
	}
	if got := f.hits.Load(); got != 2 || c.RequestCount() != 2 {
		t.Errorf("attempts = %d, RequestCount = %d; want 2", got, c.RequestCount())
	}
	// RetryWaitMax is 10ms: the wait is the server's, plus at most a quarter.
	waits := fakeClockOf(t, c).waits()
	if len(waits) != 1 || waits[0] < time.Second || waits[0] > 1250*time.Millisecond {
		t.Errorf("waits = %v, want one of 1s to 1.25s", waits)
	}
}

func TestRetryAfterBeyondCapNotWaited(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeProblem(w, http.StatusTooManyRequests, "come back later", nil)
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.MaxRetryAfter = 2 * time.Second })
	_, err := c.GetUser(context.Background(), "u1")
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("error = %v, want ErrRateLimited", err)
	}
	if waits := fakeClockOf(t, c).waits(); len(waits) != 0 || f.hits.Load() != 1 {
		t.Errorf("waits %v and %d attempts, want one attempt and no wait", waits, f.hits.Load())
	}
	if !strings.Contains(err.Error(), "retry after 1h0m0s, longer than the client waits (2s)") {
		t.Errorf("Error() = %q, want it to say why it did not wait", err.Error())
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
	c := newTestClient(t, "http://127.0.0.1:1", func(c *Config) {
		c.RetryWaitMin, c.RetryWaitMax = 10*time.Millisecond, 80*time.Millisecond
	})
	for retry := range 40 {
		d := c.backoff(retry, nil)
		if d < 10*time.Millisecond || d > 80*time.Millisecond {
			t.Errorf("retry %d: backoff %s outside [10ms, 80ms]", retry, d)
		}
	}
	for _, status := range []int{429, 503} {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {"8"}}}
		for range 20 {
			if d := c.backoff(0, resp); d < 8*time.Second || d > 10*time.Second {
				t.Errorf("%d with Retry-After 8: backoff %s outside [8s, 10s]", status, d)
			}
		}
	}
	// Retry-After on any other status is not a request to wait.
	resp := &http.Response{StatusCode: 500, Header: http.Header{"Retry-After": {"8"}}}
	if d := c.backoff(0, resp); d > 80*time.Millisecond {
		t.Errorf("500 with Retry-After: backoff %s", d)
	}
}

func TestRetryMatrix(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		status   int
		attempts int64 // with MaxRetries 2, when the server always fails
	}{
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
			if got := f.hits.Load(); got != tt.attempts || c.RequestCount() != tt.attempts || int64(apiErr.Attempts) != tt.attempts {
				t.Errorf("attempts = %d, RequestCount = %d, APIError.Attempts = %d; want %d", got, c.RequestCount(), apiErr.Attempts, tt.attempts)
			}
		})
	}
}

// TestPushbackRetriedUntilTimeout: a 429 or 503 is retried for as long as
// the request timeout allows, for every method and beyond MaxRetries, and the
// error then says why the client stopped.
func TestPushbackRetriedUntilTimeout(t *testing.T) {
	for _, tt := range []struct {
		method     string
		status     int
		retryAfter string
	}{
		{http.MethodGet, 429, "1"},
		{http.MethodPost, 429, "1"},
		{http.MethodPost, 503, "1"},
		{http.MethodGet, 503, ""},
	} {
		t.Run(fmt.Sprint(tt.method, " ", tt.status, " Retry-After ", tt.retryAfter), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				writeProblem(w, tt.status, "busy", nil)
			})
			c := newTestClient(t, f.URL, func(c *Config) {
				c.MaxRetries = 2
				c.Timeout = 10 * time.Second
				c.RetryWaitMin, c.RetryWaitMax = time.Second, time.Second
			})
			err := c.do(context.Background(), tt.method, "/things", nil, map[string]string{"a": "b"}, nil)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
				t.Fatalf("error = %v, want an *APIError with status %d", err, tt.status)
			}
			waits := fakeClockOf(t, c).waits()
			// Every wait is 1s to 1.25s, and they all fit in the 10s.
			if total := sum(waits); total > 10*time.Second || total+1250*time.Millisecond <= 10*time.Second {
				t.Errorf("waits %v total %s; want as many as fit in 10s", waits, total)
			}
			if got := f.hits.Load(); got != int64(len(waits)+1) || got < 9 {
				t.Errorf("attempts = %d after %d waits; want at least 9, far beyond MaxRetries", got, len(waits))
			}
			want := fmt.Sprintf("(after %d attempts; the next attempt would pass the request timeout of 10s)", f.hits.Load())
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), want)
			}
		})
	}
}

// TestRequestTimeoutBoundsFailureRetries: retries after failures stop when
// the next wait would pass the request timeout, before MaxRetries runs out.
func TestRequestTimeoutBoundsFailureRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusBadGateway, "upstream down", nil)
	})
	c := newTestClient(t, f.URL, func(c *Config) {
		c.MaxRetries = 10
		c.Timeout = 10 * time.Second
		c.RetryWaitMin, c.RetryWaitMax = 4*time.Second, 4*time.Second
	})
	_, err := c.GetUser(context.Background(), "u1")
	if waits := fakeClockOf(t, c).waits(); len(waits) != 2 || sum(waits) != 8*time.Second {
		t.Errorf("waits = %v, want 4s and 4s", waits)
	}
	if got := f.hits.Load(); got != 3 {
		t.Errorf("attempts = %d, want 3 (at 0s, 4s and 8s; 12s would pass the timeout)", got)
	}
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts; the next attempt would pass the request timeout of 10s") {
		t.Errorf("error = %v", err)
	}
}

// TestTimeoutDuringWaitReportsLastAnswer: when the request timeout passes
// while the client waits to retry, the last answer is reported, body and all.
func TestTimeoutDuringWaitReportsLastAnswer(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusServiceUnavailable, "maintenance until noon", nil)
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	fakeClockOf(t, c).block = true
	_, err := c.GetUser(context.Background(), "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable || apiErr.Detail != "maintenance until noon" {
		t.Fatalf("error = %v (%T), want the 503 with its detail", err, err)
	}
	if !strings.Contains(err.Error(), "the request timeout of 50ms passed while waiting to retry") || f.hits.Load() != 1 {
		t.Errorf("Error() = %q after %d attempts", err.Error(), f.hits.Load())
	}
}

func TestDisableRetries(t *testing.T) {
	for _, status := range []int{429, 503, 502} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			writeProblem(w, status, "no", nil)
		})
		c := newTestClient(t, f.URL, func(c *Config) { c.DisableRetries = true })
		if _, err := c.GetUser(context.Background(), "u1"); err == nil {
			t.Fatalf("%d: want an error", status)
		}
		if f.hits.Load() != 1 || len(fakeClockOf(t, c).waits()) != 0 {
			t.Errorf("%d: %d attempts, want 1", status, f.hits.Load())
		}
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

// TestContextCancellationStopsRetries: the caller cancelling while the
// client waits to retry ends the call at once with the caller's error.
func TestContextCancellationStopsRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, 503, "down", nil)
	})
	c := newTestClient(t, f.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fakeClockOf(t, c).onSleep = func(int) { cancel() }
	_, err := c.GetUser(ctx, "u1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if f.hits.Load() != 1 {
		t.Errorf("attempts = %d, want 1", f.hits.Load())
	}
}

// TestContextCancelledInFlight: cancelling while the server holds the
// request ends the call, without a retry.
func TestContextCancelledInFlight(t *testing.T) {
	arrived := make(chan struct{}, 1)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	c := newTestClient(t, f.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
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

// TestRequestTimeoutEndsHungRequest: a server that never answers is given up
// on when the request timeout passes, with an error naming the timeout, and
// the call is not retried past it.
func TestRequestTimeoutEndsHungRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	_, err := c.GetUser(context.Background(), "u1")
	var netErr *NetworkError
	if !errors.As(err, &netErr) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v (%T), want a *NetworkError wrapping context.DeadlineExceeded", err, err)
	}
	if !strings.Contains(err.Error(), "no answer within the request timeout of 50ms") {
		t.Errorf("Error() = %q", err.Error())
	}
	if f.hits.Load() != 1 {
		t.Errorf("attempts = %d, want 1", f.hits.Load())
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

// TestLoginLockout: the server's lockout of an account is reported at once
// with whose logins and for how long; a proxy's 429 on login is retried.
func TestLoginLockout(t *testing.T) {
	loginAs := func(endpoint string) *Client {
		return newTestClient(t, endpoint, func(c *Config) {
			c.Token = ""
			c.Username, c.Password = "alice", "correct horse battery"
		})
	}
	locked := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "300")
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"type":"https://identity.example/problems/rate-limited","title":"Too many requests","status":429,"detail":"too many failed logins for this account; retry after 300 seconds"}`)
	})
	c := loginAs(locked.URL)
	err := c.Login(context.Background())
	var lockErr *LoginLockedError
	if !errors.As(err, &lockErr) || !errors.Is(err, ErrRateLimited) || lockErr.RetryAfter != 300*time.Second {
		t.Fatalf("error = %v (%T), want a *LoginLockedError of 300s matching ErrRateLimited", err, err)
	}
	if want := `too many failed logins for "alice", retry after 300 s`; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Error() = %q, want it to start with %q", err.Error(), want)
	}
	if locked.hits.Load() != 1 || len(fakeClockOf(t, c).waits()) != 0 {
		t.Errorf("%d attempts and waits %v; want one attempt, no wait", locked.hits.Load(), fakeClockOf(t, c).waits())
	}

	// A proxy's plain 429 says nothing about the account: waited for.
	var first atomic.Bool
	first.Store(true)
	proxied := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if first.CompareAndSwap(true, false) {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, 200, map[string]any{"token": "tok-abcdef", "expires_at": time.Now().Add(time.Hour)})
	})
	c = loginAs(proxied.URL)
	if err := c.Login(context.Background()); err != nil {
		t.Fatalf("Login through a proxy's 429: %v", err)
	}
	if c.RequestCount() != 2 || len(fakeClockOf(t, c).waits()) != 1 {
		t.Errorf("RequestCount = %d, waits %v; want 2 and one wait", c.RequestCount(), fakeClockOf(t, c).waits())
	}
}

// TestWrongScheme: an http:// endpoint for an HTTPS server, and an https://
// endpoint for a plain HTTP server, fail on the first attempt saying which
// scheme to use.
func TestWrongScheme(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"kind": "user"})
	}))
	t.Cleanup(tlsSrv.Close)
	plain := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"kind": "user"})
	})
	host := strings.TrimPrefix(tlsSrv.URL, "https://")
	plainHost := strings.TrimPrefix(plain.URL, "http://")
	for _, tt := range []struct {
		name, endpoint, want string
	}{
		{"http to https", "http://" + host, "the endpoint is http:// but the server speaks HTTPS; use https://" + host},
		{"https to http", "https://" + plainHost, "the endpoint is https:// but the server answers plain HTTP; use http://" + plainHost},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.endpoint, func(c *Config) { c.MaxRetries = 3 })
			_, err := c.Me(context.Background())
			if !errors.Is(err, ErrWrongScheme) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want ErrWrongScheme saying %q", err, tt.want)
			}
			if c.RequestCount() != 1 {
				t.Errorf("RequestCount = %d, want 1: retrying cannot help", c.RequestCount())
			}
		})
	}
	t.Run("untrusted certificate", func(t *testing.T) {
		c := newTestClient(t, tlsSrv.URL, func(c *Config) { c.MaxRetries = 3 })
		_, err := c.Me(context.Background())
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("error = %v, want a certificate error", err)
		}
		if c.RequestCount() != 1 {
			t.Errorf("RequestCount = %d, want 1", c.RequestCount())
		}
	})
	t.Run("trusted certificate", func(t *testing.T) {
		c := newTestClient(t, tlsSrv.URL, func(c *Config) {
			c.HTTPClient = tlsSrv.Client() // trusts the server's certificate
		})
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatalf("Me over trusted TLS: %v", err)
		}
	})
}
