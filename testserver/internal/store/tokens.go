package store

import (
	"context"
	"database/sql"
	"errors"
)

// Token is a third-party token's record; the JWT itself is never stored. It
// is not the wire format: the api package maps it to its own response.
type Token struct {
	ID          string
	Role        string
	Description string
	ExpiresAt   *string
	CreatedAt   string
	CreatedBy   string
	Version     int64
	LastUsedAt  *string // the last recorded use, at most a minute stale; nil when never
	Level       int     // the role's level, joined in
	seq         int64
}

const tokenCols = `t.seq, t.id, t.role, t.description, t.expires_at, t.created_at, t.created_by, t.version, r.level, t.last_used_at`
const tokenFrom = ` FROM tokens t JOIN roles r ON r.name = t.role`

func scanToken(s scanner) (Token, error) {
	var t Token
	var exp, used sql.NullString
	var level int64 // see scanUser
	err := s.Scan(&t.seq, &t.ID, &t.Role, &t.Description, &exp, &t.CreatedAt, &t.CreatedBy, &t.Version, &level, &used)
	t.Level = int(level)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	if exp.Valid {
		t.ExpiresAt = &exp.String
	}
	if used.Valid {
		t.LastUsedAt = &used.String
	}
	return t, err
}

// GetToken returns the token with that id; a revoked token is not found.
func GetToken(ctx context.Context, q Querier, id string) (Token, error) {
	return scanToken(q.QueryRowContext(ctx, `SELECT `+tokenCols+tokenFrom+` WHERE t.id = ?`, id))
}

// TokenFilter narrows ListTokens; empty fields do not filter.
type TokenFilter struct {
	CreatedBy string // the id of the user or token that created it
}

// ListTokens returns one page of tokens in creation order.
func ListTokens(ctx context.Context, q Querier, f TokenFilter, p Page) ([]Token, string, error) {
	var w where
	if f.CreatedBy != "" {
		w.add(`t.created_by = ?`, f.CreatedBy)
	}
	w.add(`t.seq > ?`, p.After)
	return queryPage(ctx, q, p, scanToken, func(x Token) int64 { return x.seq }, `SELECT `+tokenCols+tokenFrom+w.sql()+` ORDER BY t.seq LIMIT ?`, append(w.args, p.Limit+1)...)
}

// DeleteTokensCreatedBy revokes every token the user (or token) with that id
// created, and the tokens those created, and so on: their authority came
// from it. It returns how many it revoked.
func DeleteTokensCreatedBy(ctx context.Context, q Querier, creatorID string) (int64, error) {
	res, err := q.ExecContext(ctx, `WITH RECURSIVE doomed(id) AS (
			SELECT id FROM tokens WHERE created_by = ?
			UNION SELECT t.id FROM tokens t JOIN doomed d ON t.created_by = d.id)
		DELETE FROM tokens WHERE id IN (SELECT id FROM doomed)`, creatorID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// InsertToken stores a token record.
func InsertToken(ctx context.Context, q Querier, t *Token) error {
	var exp any
	if t.ExpiresAt != nil {
		exp = *t.ExpiresAt
	}
	return q.QueryRowContext(ctx, `INSERT INTO tokens(id, role, description, expires_at, created_at, created_by, version) VALUES (?,?,?,?,?,?,?) RETURNING seq`,
		t.ID, t.Role, t.Description, exp, t.CreatedAt, t.CreatedBy, t.Version).Scan(&t.seq)
}

// DeleteToken revokes a token by removing its record.
func DeleteToken(ctx context.Context, q Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM tokens WHERE id = ?`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// InsertSession stores a session by the hash of its token.
func InsertSession(ctx context.Context, q Querier, tokenHash, userID string, expiresAtUnixNano int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)`,
		tokenHash, userID, Now(), expiresAtUnixNano)
	return err
}

// SessionUser is what authenticating a request reads of the user a session
// belongs to.
type SessionUser struct {
	ID       string
	Username string
	Role     string
	Level    int // the role's level, joined in
	Disabled bool
	System   bool
}

const sessionUserQuery = `SELECT u.id, u.username, u.role, r.level, u.disabled, u.is_system, s.expires_at FROM sessions s
	JOIN users u ON u.id = s.user_id JOIN roles r ON r.name = u.role WHERE s.token_hash = ?`

// GetSessionUser returns the user a session belongs to, with its role's
// level, and when the session expires (Unix nanoseconds). Every request made
// with a session asks this, so it is one indexed read of the few columns
// authentication needs.
func GetSessionUser(ctx context.Context, q Querier, tokenHash string) (SessionUser, int64, error) {
	var u SessionUser
	var level, exp int64
	err := q.QueryRowContext(ctx, sessionUserQuery, tokenHash).
		Scan(&u.ID, &u.Username, &u.Role, &level, &u.Disabled, &u.System, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return u, 0, ErrNotFound
	}
	u.Level = int(level)
	return u, exp, err
}

// DeleteSession ends a session.
func DeleteSession(ctx context.Context, q Querier, tokenHash string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// DeleteUserSessions ends every session of a user except keepHash.
func DeleteUserSessions(ctx context.Context, q Querier, userID, keepHash string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash != ?`, userID, keepHash)
	return err
}

// DeleteExpiredSessions removes sessions that expired before nowUnixNano.
func DeleteExpiredSessions(ctx context.Context, q Querier, nowUnixNano int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, nowUnixNano)
	return err
}
