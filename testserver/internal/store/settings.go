package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Settings are the server's settings. Until the first change they are the
// server's defaults, at version 1.
type Settings struct {
	SelfRegistration       bool
	SelfRegistrationRole   string
	PasswordMinLength      int
	SessionTTL             time.Duration
	LoginThrottleThreshold int
	LoginThrottleWindow    time.Duration
	UpdatedAt              string // "" until the first change
	Version                int64
}

// GetSettings returns the stored settings, or defaults (at version 1) when
// they were never changed.
func GetSettings(ctx context.Context, q Querier, defaults Settings) (Settings, error) {
	var s Settings
	var ttl, window int64
	err := q.QueryRowContext(ctx, `SELECT self_registration, self_registration_role, password_min_length, session_ttl_seconds,
		login_throttle_threshold, login_throttle_window_seconds, updated_at, version FROM server_settings WHERE id = 1`).
		Scan(&s.SelfRegistration, &s.SelfRegistrationRole, &s.PasswordMinLength, &ttl, &s.LoginThrottleThreshold, &window, &s.UpdatedAt, &s.Version)
	if errors.Is(err, sql.ErrNoRows) {
		defaults.UpdatedAt, defaults.Version = "", 1
		return defaults, nil
	}
	s.SessionTTL = time.Duration(ttl) * time.Second
	s.LoginThrottleWindow = time.Duration(window) * time.Second
	return s, err
}

// PutSettings stores s as the next version of the settings.
func PutSettings(ctx context.Context, q Querier, s *Settings) error {
	s.UpdatedAt = Now()
	s.Version++
	_, err := q.ExecContext(ctx, `INSERT INTO server_settings(id, self_registration, self_registration_role, password_min_length,
		session_ttl_seconds, login_throttle_threshold, login_throttle_window_seconds, updated_at, version)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET self_registration = excluded.self_registration, self_registration_role = excluded.self_registration_role,
		password_min_length = excluded.password_min_length, session_ttl_seconds = excluded.session_ttl_seconds,
		login_throttle_threshold = excluded.login_throttle_threshold, login_throttle_window_seconds = excluded.login_throttle_window_seconds,
		updated_at = excluded.updated_at, version = excluded.version`,
		s.SelfRegistration, s.SelfRegistrationRole, s.PasswordMinLength, int64(s.SessionTTL/time.Second),
		s.LoginThrottleThreshold, int64(s.LoginThrottleWindow/time.Second), s.UpdatedAt, s.Version)
	return err
}

// activityLayout is the fixed-width RFC 3339 form of activity times
// (last_login_at, last_used_at), so that their text order is time order.
const activityLayout = "2006-01-02T15:04:05.000000000Z"

// ActivityTime renders t as activity times are stored and compared.
func ActivityTime(t time.Time) string { return t.UTC().Format(activityLayout) }

// NoteLogin records a successful login of a user. It is activity, not a
// change: neither the version nor updated_at moves.
func NoteLogin(ctx context.Context, q Querier, userID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, ActivityTime(at), userID)
	return err
}

// NoteTokenUse records that a token was used at at, unless its last recorded
// use is less than every ago, so a busy token costs a write at most that
// often. It reports whether it wrote.
func NoteTokenUse(ctx context.Context, q Querier, tokenID string, at time.Time, every time.Duration) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		ActivityTime(at), tokenID, ActivityTime(at.Add(-every)))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
