package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ThrottleBucket is one limit of a login throttle: at most Limit failures
// and attempts under way in Key within the window.
type ThrottleBucket struct {
	Key   string
	Limit int
}

// PendingTTL is how long an attempt under way counts against its buckets
// when it is never ended (its server stopped in the middle).
const PendingTTL = time.Minute

// ReserveAttempt takes one attempt in every bucket, or none: when a bucket
// is full it returns no ids and how long until it has room. The ids are the
// attempt's rows, in the order of buckets, for EndAttempt. It also drops
// rows that no longer count.
func ReserveAttempt(ctx context.Context, q Querier, buckets []ThrottleBucket, now time.Time, window time.Duration) ([]int64, time.Duration, error) {
	since, pendingSince := now.Add(-window).UnixNano(), now.Add(-PendingTTL).UnixNano()
	if _, err := q.ExecContext(ctx, `DELETE FROM login_attempts WHERE at <= ? AND (pending = 0 OR at <= ?)`,
		min(since, pendingSince), pendingSince); err != nil {
		return nil, 0, err
	}
	var wait time.Duration
	for _, b := range buckets {
		var failures, pending int
		var oldest sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM login_attempts WHERE bucket = ? AND pending = 0 AND at > ?),
				(SELECT count(*) FROM login_attempts WHERE bucket = ? AND pending = 1 AND at > ?),
				(SELECT min(at) FROM login_attempts WHERE bucket = ? AND pending = 0 AND at > ?)`,
			b.Key, since, b.Key, pendingSince, b.Key, since).Scan(&failures, &pending, &oldest)
		if err != nil {
			return nil, 0, err
		}
		if failures+pending < b.Limit {
			continue
		}
		w := time.Second
		if oldest.Valid {
			w = max(time.Unix(0, oldest.Int64).Add(window).Sub(now), time.Second)
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return nil, wait, nil
	}
	ids := make([]int64, len(buckets))
	for i, b := range buckets {
		if err := q.QueryRowContext(ctx, `INSERT INTO login_attempts(bucket, at, pending) VALUES (?, ?, 1) RETURNING id`,
			b.Key, now.UnixNano()).Scan(&ids[i]); err != nil {
			return nil, 0, err
		}
	}
	return ids, 0, nil
}

// AttemptOutcome is how a reserved attempt ended.
type AttemptOutcome int

// The outcomes of an attempt.
const (
	// AttemptFailed counts the attempt as a failure in each bucket.
	AttemptFailed AttemptOutcome = iota
	// AttemptSucceeded forgets the failures of the first bucket (the
	// account's) recorded before the attempt was reserved.
	AttemptSucceeded
	// AttemptCanceled forgets the attempt.
	AttemptCanceled
)

// EndAttempt ends the attempt whose rows ReserveAttempt returned.
func EndAttempt(ctx context.Context, q Querier, ids []int64, outcome AttemptOutcome, now time.Time) error {
	if len(ids) == 0 {
		return errors.New("no attempt")
	}
	if outcome == AttemptSucceeded {
		// Failures recorded before this attempt was reserved; those of
		// attempts that ended since stay.
		if _, err := q.ExecContext(ctx, `DELETE FROM login_attempts WHERE pending = 0
			AND bucket = (SELECT bucket FROM login_attempts WHERE id = ?) AND at < (SELECT at FROM login_attempts WHERE id = ?)`, ids[0], ids[0]); err != nil {
			return err
		}
	}
	for _, id := range ids {
		var err error
		if outcome == AttemptFailed {
			_, err = q.ExecContext(ctx, `UPDATE login_attempts SET pending = 0, at = ? WHERE id = ? AND pending = 1`, now.UnixNano(), id)
		} else {
			_, err = q.ExecContext(ctx, `DELETE FROM login_attempts WHERE id = ?`, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
