package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

func TestLoginAttempts(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	window := 15 * time.Minute
	t0 := time.Now()
	acct, addr := ThrottleBucket{Key: "a|alice|192.0.2.1", Limit: 3}, ThrottleBucket{Key: "i|192.0.2.1", Limit: 4}
	reserve := func(at time.Time, b ...ThrottleBucket) ([]int64, time.Duration) {
		t.Helper()
		var ids []int64
		var wait time.Duration
		if err := s.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			ids, wait, err = ReserveAttempt(ctx, tx, b, at, window)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ids, wait
	}
	end := func(ids []int64, o AttemptOutcome, at time.Time) {
		t.Helper()
		if err := s.Tx(ctx, func(tx *sql.Tx) error { return EndAttempt(ctx, tx, ids, o, at) }); err != nil {
			t.Fatal(err)
		}
	}
	// Two failures and one attempt under way fill the account's three.
	for i := range 2 {
		ids, _ := reserve(t0.Add(time.Duration(i)*time.Second), acct, addr)
		end(ids, AttemptFailed, t0.Add(time.Duration(i)*time.Second))
	}
	pending, _ := reserve(t0.Add(2*time.Second), acct, addr)
	if ids, wait := reserve(t0.Add(3*time.Second), acct, addr); ids != nil || wait < window-5*time.Second {
		t.Fatalf("fourth attempt: %v, wait %s", ids, wait)
	}
	// A success forgets the account's earlier failures, not the address's.
	end(pending, AttemptSucceeded, t0.Add(3*time.Second))
	ids, _ := reserve(t0.Add(4*time.Second), acct, addr)
	if ids == nil {
		t.Fatal("refused after a success")
	}
	end(ids, AttemptCanceled, t0.Add(4*time.Second))
	// The address has 2 failures of its 4; another account from it has room
	// for two more attempts, then waits.
	other := ThrottleBucket{Key: "a|bob|192.0.2.1", Limit: 3}
	for range 2 {
		ids, _ := reserve(t0.Add(5*time.Second), other, addr)
		if ids == nil {
			t.Fatal("refused under the address limit")
		}
		end(ids, AttemptFailed, t0.Add(5*time.Second))
	}
	if ids, _ := reserve(t0.Add(6*time.Second), other, addr); ids != nil {
		t.Fatal("the address limit did not hold")
	}
	// Once the window has passed, the failures no longer count.
	if ids, _ := reserve(t0.Add(window+10*time.Second), other, addr); ids == nil {
		t.Fatal("refused after the window")
	}
}
