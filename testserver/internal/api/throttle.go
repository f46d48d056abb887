package api

import (
	"strings"
	"sync"
	"time"
)

// ThrottleConfig bounds failed logins. Two limits apply to every attempt:
// one per (account, client address), so guesses from one place lock the
// account for that place only and a stranger cannot lock a user out from
// elsewhere; and one per client address over every account, which caps how
// many guesses (and password checks) one address gets in all.
type ThrottleConfig struct {
	// MaxFailures is how many failed logins one client address may make on
	// one account within Window; default 5.
	MaxFailures int
	// MaxAddressFailures is how many failed logins one client address may
	// make within Window, whatever the accounts; default 50.
	MaxAddressFailures int
	// Window is how long a failure counts; default 15m.
	Window time.Duration
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.MaxAddressFailures <= 0 {
		c.MaxAddressFailures = 50
	}
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	return c
}

// LoginThrottle decides whether a login attempt may be checked at all. An
// attempt is reserved before the password is verified, so however many
// arrive at once, no more than the limits are checked in a window; each
// reservation ends with exactly one of Attempt's methods.
type LoginThrottle interface {
	// Reserve takes one attempt for account from addr at now. When a limit
	// is reached it returns nil and how long until an attempt frees up.
	Reserve(account, addr string, now time.Time) (Attempt, time.Duration)
	// Configure changes the limits from now on; counted failures stay.
	Configure(ThrottleConfig)
}

// Attempt is a reserved login attempt.
type Attempt interface {
	// Fail records a failed attempt against both limits.
	Fail(now time.Time)
	// Succeed ends the attempt and forgets the account's failures from
	// that address recorded before the attempt was reserved; failures of
	// attempts made at the same time stay, and so do the address's.
	Succeed()
	// Cancel ends an attempt that was never checked (the server was busy).
	Cancel()
}

// memThrottle keeps the counters in memory: one bucket per (account,
// address) and one per address, under one lock so a reservation takes both
// or neither.
type memThrottle struct {
	mu      sync.Mutex
	cfg     ThrottleConfig
	buckets map[string]*bucket
}

// bucket holds the failures of one key within the window, oldest first,
// and the attempts reserved and not yet ended.
type bucket struct {
	fails   []failure
	pending int
	seq     uint64 // failures ever recorded in this bucket
}

type failure struct {
	at  time.Time
	seq uint64
}

// maxBuckets is when idle buckets are swept.
const maxBuckets = 10000

// NewMemoryThrottle returns a LoginThrottle that keeps its counters in this
// process's memory.
func NewMemoryThrottle(cfg ThrottleConfig) LoginThrottle {
	return &memThrottle{cfg: cfg.withDefaults(), buckets: map[string]*bucket{}}
}

func (t *memThrottle) Configure(cfg ThrottleConfig) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = cfg.withDefaults()
}

func accountKey(account, addr string) string { return "a\x00" + account + "\x00" + addr }
func addressKey(addr string) string          { return "i\x00" + addr }

// get returns the bucket of key with failures older than the window dropped.
func (t *memThrottle) get(key string, now time.Time) *bucket {
	b, ok := t.buckets[key]
	if !ok {
		b = &bucket{}
		t.buckets[key] = b
	}
	cut := 0
	for cut < len(b.fails) && now.Sub(b.fails[cut].at) >= t.cfg.Window {
		cut++
	}
	b.fails = b.fails[cut:]
	return b
}

// full reports whether b has no attempt left under limit, and if so how
// long until its oldest failure leaves the window (a second when only
// attempts under way fill it: one of them may succeed).
func (t *memThrottle) full(b *bucket, limit int, now time.Time) (bool, time.Duration) {
	if len(b.fails)+b.pending < limit {
		return false, 0
	}
	if len(b.fails) == 0 {
		return true, time.Second
	}
	return true, max(b.fails[0].at.Add(t.cfg.Window).Sub(now), time.Second)
}

func (t *memThrottle) Reserve(account, addr string, now time.Time) (Attempt, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.buckets) > maxBuckets {
		t.sweep(now)
	}
	ak, ik := accountKey(account, addr), addressKey(addr)
	acct, ip := t.get(ak, now), t.get(ik, now)
	fullA, waitA := t.full(acct, t.cfg.MaxFailures, now)
	fullI, waitI := t.full(ip, t.cfg.MaxAddressFailures, now)
	if fullA || fullI {
		return nil, max(waitA, waitI)
	}
	acct.pending++
	ip.pending++
	return &memAttempt{t: t, acct: ak, addr: ik, before: acct.seq}, 0
}

// sweep drops buckets with nothing pending and no failure in the window.
func (t *memThrottle) sweep(now time.Time) {
	for k := range t.buckets {
		if b := t.get(k, now); b.pending == 0 && len(b.fails) == 0 {
			delete(t.buckets, k)
		}
	}
}

type memAttempt struct {
	t          *memThrottle
	acct, addr string
	before     uint64 // the account bucket's failures recorded before the reservation
	done       bool
}

// end releases the reservation once; it reports false when it was already ended.
func (a *memAttempt) end() (acct, addr *bucket, ok bool) {
	if a.done {
		return nil, nil, false
	}
	a.done = true
	acct, addr = a.t.buckets[a.acct], a.t.buckets[a.addr]
	acct.pending--
	addr.pending--
	return acct, addr, true
}

func (a *memAttempt) Fail(now time.Time) {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	acct, addr, ok := a.end()
	if !ok {
		return
	}
	for _, b := range []*bucket{acct, addr} {
		b.fails = append(b.fails, failure{at: now, seq: b.seq})
		b.seq++
	}
}

func (a *memAttempt) Succeed() {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	acct, _, ok := a.end()
	if !ok {
		return
	}
	kept := acct.fails[:0]
	for _, f := range acct.fails {
		if f.seq >= a.before {
			kept = append(kept, f)
		}
	}
	acct.fails = kept
}

func (a *memAttempt) Cancel() {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	a.end()
}

// accountName is the throttle's key for a login name: case folded like
// the username lookup.
func accountName(username string) string { return strings.ToLower(username) }
