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

// storeThrottle keeps the login throttle's counters in the database, so
// that replicas sharing it count failed logins together: five wrong
// passwords spread over three replicas lock the account as five on one
// would. Its reservations run in write transactions, one at a time.
//
// When the database fails it refuses the attempt for a second, so an error
// never turns the throttle off.
type storeThrottle struct {
	st  *store.Store
	log hclog.Logger
	mu  sync.Mutex
	cfg ThrottleConfig
}

// throttleTimeout bounds each of the throttle's transactions.
const throttleTimeout = 5 * time.Second

// NewStoreThrottle returns a LoginThrottle that keeps its counters in st.
func NewStoreThrottle(st *store.Store, log hclog.Logger, cfg ThrottleConfig) LoginThrottle {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &storeThrottle{st: st, log: log, cfg: cfg.withDefaults()}
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
	buckets := []store.ThrottleBucket{{Key: bucketKey(accountKey(account, addr)), Limit: cfg.MaxFailures},
		{Key: bucketKey(addressKey(addr)), Limit: cfg.MaxAddressFailures}}
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
		t.log.Error("login throttle: reserve", "error", err)
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
