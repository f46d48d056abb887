package api

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// storeThrottle keeps a throttle's counters in the database, so that
// replicas sharing it count together: five wrong passwords spread over three
// replicas lock the account as five on one would, and so do an address's
// registrations. Its reservations run in write transactions, one at a time.
//
// When the database fails it refuses the attempt for a second, so an error
// never turns the throttle off.
type storeThrottle struct {
	st  *store.Store
	log hclog.Logger
	// space prefixes every key, so throttles sharing the table (logins,
	// registrations) count apart.
	space string
	mu    sync.Mutex
	cfg   ThrottleConfig
}

// throttleTimeout bounds each of the throttle's transactions.
const throttleTimeout = 5 * time.Second

// NewStoreThrottle returns a LoginThrottle that keeps its counters in st.
func NewStoreThrottle(st *store.Store, log hclog.Logger, cfg ThrottleConfig) LoginThrottle {
	return newStoreThrottle(st, log, "", cfg)
}

func newStoreThrottle(st *store.Store, log hclog.Logger, space string, cfg ThrottleConfig) *storeThrottle {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &storeThrottle{st: st, log: log, space: space, cfg: cfg.withDefaults()}
}

// NewStoreRegisterThrottle returns the self-registration limit
// (RegisterMaxAttempts per address within RegisterWindow) kept in st, in a
// key space of its own, so replicas sharing the database count an address's
// registrations together.
func NewStoreRegisterThrottle(st *store.Store, log hclog.Logger) LoginThrottle {
	return newStoreThrottle(st, log, "register\x00", registerThrottleConfig)
}

func (t *storeThrottle) Configure(cfg ThrottleConfig) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = cfg.withDefaults()
}

func (t *storeThrottle) Reserve(account, addr string, now time.Time) (Attempt, time.Duration) {
	t.mu.Lock()
	cfg := t.cfg
	t.mu.Unlock()
	buckets := []store.ThrottleBucket{{Key: bucketKey(t.space + accountKey(account, addr)), Limit: cfg.MaxFailures},
		{Key: bucketKey(t.space + addressKey(addr)), Limit: cfg.MaxAddressFailures}}
	ctx, cancel := context.WithTimeout(context.Background(), throttleTimeout)
	defer cancel()
	var ids []int64
	var wait time.Duration
	err := t.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, wait, err = store.ReserveAttempt(ctx, tx, buckets, now, cfg.Window)
		return err
	})
	if err != nil {
		t.log.Error("throttle: reserve", "space", t.space, "error", err)
		return nil, time.Second
	}
	if ids == nil {
		return nil, wait
	}
	return &storeAttempt{t: t, ids: ids}, 0
}

// bucketKey is the stored form of a throttle key: its SHA-256, since keys
// hold what clients send (and NUL separators, which PostgreSQL text cannot).
func bucketKey(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}

type storeAttempt struct {
	t    *storeThrottle
	ids  []int64
	once sync.Once
}

func (a *storeAttempt) end(outcome store.AttemptOutcome, now time.Time) {
	a.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), throttleTimeout)
		defer cancel()
		if err := a.t.st.Tx(ctx, func(tx *sql.Tx) error { return store.EndAttempt(ctx, tx, a.ids, outcome, now) }); err != nil {
			a.t.log.Error("login throttle: end attempt", "error", err)
		}
	})
}

func (a *storeAttempt) Fail(now time.Time) { a.end(store.AttemptFailed, now) }
func (a *storeAttempt) Succeed()           { a.end(store.AttemptSucceeded, time.Now()) }
func (a *storeAttempt) Cancel()            { a.end(store.AttemptCanceled, time.Now()) }
