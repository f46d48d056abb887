package passwords

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy is returned when every hashing slot stayed taken for the whole
// wait: the caller should answer "try again shortly", not fail.
var ErrBusy = errors.New("too many password checks are running at once")

// hashMemoryBudget caps the default concurrency: that many KiB of argon2id
// memory may be in use at once (96 MiB; five hashes at the default cost).
const hashMemoryBudget = 96 << 10

// HasherConfig configures a Hasher.
type HasherConfig struct {
	Params Params
	// Concurrency is how many hashes and checks may run at once. The
	// default is twice the number of CPUs the runtime uses, at most as many
	// as fit in 96 MiB at Params' memory cost, and at least one.
	Concurrency int
	// Wait is how long a hash waits for a free slot before ErrBusy; default 2s.
	Wait time.Duration
	// Observe, when set, is called as each hash or check starts with the
	// number running, itself included. Tests use it to watch the bound.
	Observe func(inFlight int)
}

// Hasher hashes and verifies passwords through one bound on how many run at
// once. Each argon2id run holds Params.Memory KiB (19 MiB at the default
// cost) for its whole duration, so without a bound, concurrent requests
// that make the server hash (logins, above all for unknown users, which
// need no account) grow its memory without limit. Every hash the server
// computes for a request goes through one Hasher.
type Hasher struct {
	params   Params
	slots    chan struct{}
	wait     time.Duration
	observe  func(int)
	inFlight atomic.Int64
}

// NewHasher returns a Hasher; see HasherConfig for the defaults.
func NewHasher(cfg HasherConfig) *Hasher {
	n := cfg.Concurrency
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
		if m := cfg.Params.Memory; m > 0 && int(hashMemoryBudget/m) < n {
			n = int(hashMemoryBudget / m)
		}
		n = max(n, 1)
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 2 * time.Second
	}
	return &Hasher{params: cfg.Params, slots: make(chan struct{}, n), wait: cfg.Wait, observe: cfg.Observe}
}

// Params returns the cost of new hashes.
func (h *Hasher) Params() Params { return h.params }

// Concurrency returns how many hashes may run at once.
func (h *Hasher) Concurrency() int { return cap(h.slots) }

// Hash returns the hash of password at the Hasher's cost, once a slot is free.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return Hash(password, h.params)
}

// Verify checks password against a stored hash, once a slot is free.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return Verify(password, encoded)
}

// acquire takes a slot, waiting at most h.wait; ErrBusy when none frees up,
// the context's error when it ends first.
func (h *Hasher) acquire(ctx context.Context) (func(), error) {
	select {
	case h.slots <- struct{}{}:
	default:
		t := time.NewTimer(h.wait)
		defer t.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-t.C:
			return nil, ErrBusy
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	n := h.inFlight.Add(1)
	if h.observe != nil {
		h.observe(int(n))
	}
	return func() {
		h.inFlight.Add(-1)
		<-h.slots
	}, nil
}
