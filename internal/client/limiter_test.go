package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

func TestLimiterAIMD(t *testing.T) {
	l := newLimiter(16)
	ctx := context.Background()
	acquire := func() slot {
		t.Helper()
		s, err := l.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Sequential pushback halves the window each time, down to one.
	for _, want := range []int{8, 4, 2, 1, 1} {
		l.release(acquire(), outcomePushback)
		if got := l.allowed(); got != want {
			t.Fatalf("after pushback: window %d, want %d", got, want)
		}
	}
	// Additive increase: a window's worth of good answers adds one slot.
	l.release(acquire(), outcomeOK)
	if got := l.allowed(); got != 2 {
		t.Fatalf("after one success at window 1: %d, want 2", got)
	}
	for range 2 {
		l.release(acquire(), outcomeOK)
	}
	if got := l.allowed(); got != 2 {
		t.Fatalf("after 2 more successes: %d, want 2 (2.5 rounds down)", got)
	}
	// Neutral outcomes (network errors, 500s) change nothing.
	l.release(acquire(), outcomeNeutral)
	if got := l.allowed(); got != 2 {
		t.Fatalf("after a neutral outcome: %d, want 2", got)
	}
	// Never above the maximum.
	for range 1000 {
		l.release(acquire(), outcomeOK)
	}
	if got := l.allowed(); got != 16 {
		t.Fatalf("after many successes: %d, want the maximum 16", got)
	}
}

// TestLimiterOneDecreasePerWindow: answers to attempts that were in flight
// together halve the window once, not once each.
func TestLimiterOneDecreasePerWindow(t *testing.T) {
	l := newLimiter(16)
	var slots []slot
	for range 10 {
		s, err := l.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		slots = append(slots, s)
	}
	for _, s := range slots {
		l.release(s, outcomePushback)
	}
	if got := l.allowed(); got != 8 {
		t.Fatalf("window after 10 concurrent 429s: %d, want 8", got)
	}
	// An attempt sent after that decrease is counted again.
	s, _ := l.acquire(context.Background())
	l.release(s, outcomePushback)
	if got := l.allowed(); got != 4 {
		t.Fatalf("window after a later 429: %d, want 4", got)
	}
}

func TestLimiterBlocksWhenFull(t *testing.T) {
	l := newLimiter(1)
	held, err := l.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Full: an acquire whose context has ended gives up with its cause.
	done, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("gave up")
	cancel(cause)
	if _, err := l.acquire(done); !errors.Is(err, cause) {
		t.Fatalf("acquire on a full limiter = %v, want the context's cause", err)
	}
	// A waiter gets the slot once it is released.
	got := make(chan error, 1)
	go func() {
		s, err := l.acquire(context.Background())
		if err == nil {
			l.release(s, outcomeOK)
		}
		got <- err
	}()
	l.release(held, outcomeOK)
	if err := <-got; err != nil {
		t.Fatalf("waiting acquire: %v", err)
	}
}

// TestClientSlowsDownOnPushback: once the server has pushed back, the
// client's requests queue behind a smaller in-flight limit, shared by every
// request of the client.
func TestClientSlowsDownOnPushback(t *testing.T) {
	var (
		pushback          atomic.Bool
		inFlight, maxSeen atomic.Int64
		arrived           = make(chan struct{}, 64)
		release           = make(chan struct{})
	)
	pushback.Store(true)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if pushback.Load() {
			w.Header().Set("Retry-After", "0")
			writeProblem(w, http.StatusTooManyRequests, "slow down", nil)
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxSeen.Load()
			if n <= m || maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		arrived <- struct{}{}
		<-release
		writeJSON(w, 200, map[string]any{"id": "u1"})
	})
	c := newTestClient(t, f.URL, func(c *Config) { c.DisableRetries = true })
	// Seven refusals in a row take the window from 64 to 1.
	for range 7 {
		if _, err := c.GetUser(context.Background(), "u1"); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("GetUser = %v, want ErrRateLimited", err)
		}
	}
	if got := c.limiter.allowed(); got != 1 {
		t.Fatalf("window after 7 refusals: %d, want 1", got)
	}
	pushback.Store(false)
	// Two concurrent requests: one reaches the server, the other waits for
	// its slot, so the server never sees both at once.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := c.GetUser(context.Background(), "u1"); err != nil {
				t.Error(err)
			}
		})
	}
	for range 2 {
		<-arrived
		release <- struct{}{}
	}
	wg.Wait()
	if got := maxSeen.Load(); got != 1 {
		t.Errorf("the server saw %d requests at once, want 1", got)
	}
	if got := c.limiter.allowed(); got != 2 {
		t.Errorf("window after 2 answers at window 1: %d, want 2 (1 + 1 + 1/2)", got)
	}
}
