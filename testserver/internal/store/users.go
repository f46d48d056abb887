package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Page bounds a list: at most Limit rows after the row with sequence After.
type Page struct {
	Limit int
	After int64
}

// EncodeCursor renders a sequence number as an opaque cursor.
func EncodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("s" + strconv.FormatInt(seq, 10)))
}

// DecodeCursor parses a cursor made by EncodeCursor; "" means the start.
func DecodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 's' {
		return 0, errors.New("malformed cursor")
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("malformed cursor")
	}
	return n, nil
}

// where accumulates SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// User is a stored user. It is not the wire format: the api package maps it
// to its own response, field by field, so the hash never leaves the server.
type User struct {
	ID           string
	Username     string
	Email        string
	FirstName    string
	LastName     string
	Organization string
	Role         string
	Disabled     bool
	Attributes   map[string]string
	CreatedAt    string
	UpdatedAt    string
	Version      int64
	LastLoginAt  *string // the last successful login; nil when never

	Level        int // the role's level, joined in
	System       bool
	PasswordHash string `json:"-"`
	seq          int64
}

const userCols = `u.seq, u.id, u.username, u.email, u.first_name, u.last_name, u.organization, u.role,
	u.disabled, u.attributes, u.password_hash, u.is_system, u.created_at, u.updated_at, u.version, r.level, u.last_login_at`

const userFrom = ` FROM users u JOIN roles r ON r.name = u.role`

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner) (User, error) {
	var u User
	var attrs string
	var lastLogin sql.NullString
	var level int64 // scanned as the driver returns it: into an int, database/sql formats and parses it
	err := s.Scan(&u.seq, &u.ID, &u.Username, &u.Email, &u.FirstName, &u.LastName, &u.Organization, &u.Role,
		&u.Disabled, &attrs, &u.PasswordHash, &u.System, &u.CreatedAt, &u.UpdatedAt, &u.Version, &level, &lastLogin)
	u.Level = int(level)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, err
	}
	if lastLogin.Valid {
		u.LastLoginAt = &lastLogin.String
	}
	u.Attributes = map[string]string{}
	if attrs == "{}" {
		return u, nil
	}
	if err := json.Unmarshal([]byte(attrs), &u.Attributes); err != nil {
		return u, fmt.Errorf("user %s attributes: %w", u.ID, err)
	}
	return u, nil
}

// GetUser returns the user with that id.
func GetUser(ctx context.Context, q Querier, id string) (User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+userFrom+` WHERE u.id = ?`, id))
}

// GetUserByUsername returns the user with that username (case-insensitive, indexed).
func GetUserByUsername(ctx context.Context, q Querier, username string) (User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+userFrom+` WHERE u.username = ?`, username))
}

// GetUserByEmail returns the user with that email (case-insensitive, indexed).
func GetUserByEmail(ctx context.Context, q Querier, email string) (User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+userFrom+` WHERE u.email_key = ?`, Fold(email)))
}

// GetSystemUser returns the bootstrap superuser.
func GetSystemUser(ctx context.Context, q Querier) (User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+userFrom+` WHERE u.is_system = 1`))
}

// UserFilter narrows ListUsers; empty fields do not filter.
type UserFilter struct {
	Email, Username, EmailSuffix, Role, GroupID string
	// Organization filters when non-nil; a pointer to "" selects the users
	// without an organization.
	Organization *string
	// FirstName and LastName match case-insensitively, through an index.
	FirstName, LastName string
	// InactiveSince, an activity time (ActivityTime), keeps the users with no
	// login since then, or none ever.
	InactiveSince string
}

// ListUsers returns one page of users in creation order and the next cursor.
func ListUsers(ctx context.Context, q Querier, f UserFilter, p Page) ([]User, string, error) {
	var w where
	if f.Email != "" {
		w.add(`u.email_key = ?`, Fold(f.Email))
	}
	if f.Username != "" {
		w.add(`u.username = ?`, f.Username)
	}
	if f.EmailSuffix != "" {
		w.add(`u.email_key LIKE ? ESCAPE '\'`, "%"+escapeLike(Fold(f.EmailSuffix)))
	}
	if f.Role != "" {
		w.add(`u.role = ?`, f.Role)
	}
	if f.Organization != nil {
		w.add(`u.organization_key = ?`, Fold(*f.Organization))
	}
	if f.GroupID != "" {
		w.add(`u.id IN (SELECT user_id FROM memberships WHERE group_id = ?)`, f.GroupID)
	}
	if f.FirstName != "" {
		w.add(`u.first_name = ? COLLATE NOCASE`, f.FirstName)
	}
	if f.LastName != "" {
		w.add(`u.last_name = ? COLLATE NOCASE`, f.LastName)
	}
	if f.InactiveSince != "" {
		w.add(`(u.last_login_at IS NULL OR u.last_login_at < ?)`, f.InactiveSince)
	}
	w.add(`u.seq > ?`, p.After)
	return queryPage(ctx, q, p, scanUser, func(x User) int64 { return x.seq }, `SELECT `+userCols+userFrom+w.sql()+` ORDER BY u.seq LIMIT ?`, append(w.args, p.Limit+1)...)
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// checkUserUnique returns a conflict when another user has the username or email.
func checkUserUnique(ctx context.Context, q Querier, u *User) error {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE username = ? AND id != ?`, u.Username, u.ID).Scan(&id)
	if err == nil {
		return Conflict("username", "username %q is already taken", u.Username)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	err = q.QueryRowContext(ctx, `SELECT id FROM users WHERE email_key = ? AND id != ?`, Fold(u.Email), u.ID).Scan(&id)
	if err == nil {
		return Conflict("email", "email %q is already used by another user", u.Email)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

func attrsJSON(a map[string]string) string {
	if a == nil {
		a = map[string]string{}
	}
	b, _ := json.Marshal(a) // a map[string]string always marshals
	return string(b)
}

// InsertUser stores a new user; ID, timestamps and version must be set.
// The unique indexes turn a taken username or email into no row inserted
// (ON CONFLICT DO NOTHING, which leaves the transaction usable on both
// backends); only then is it worth the two lookups that say which one, so a
// create that succeeds costs one statement instead of three.
func InsertUser(ctx context.Context, q Querier, u *User) error {
	err := q.QueryRowContext(ctx, `INSERT INTO users(id, username, email, first_name, last_name, organization, role, disabled,
		attributes, password_hash, is_system, created_at, updated_at, version, email_key, organization_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT DO NOTHING RETURNING seq`,
		u.ID, u.Username, u.Email, u.FirstName, u.LastName, u.Organization, u.Role, u.Disabled,
		attrsJSON(u.Attributes), u.PasswordHash, u.System, u.CreatedAt, u.UpdatedAt, u.Version, Fold(u.Email), Fold(u.Organization)).Scan(&u.seq)
	if errors.Is(err, sql.ErrNoRows) {
		if cerr := checkUserUnique(ctx, q, u); cerr != nil {
			return cerr
		}
		return Conflict("id", "user id %s is already taken", u.ID)
	}
	return err
}

// UpdateUser writes every mutable field of u and bumps its version.
func UpdateUser(ctx context.Context, q Querier, u *User) error {
	if err := checkUserUnique(ctx, q, u); err != nil {
		return err
	}
	u.UpdatedAt = Now()
	u.Version++
	res, err := q.ExecContext(ctx, `UPDATE users SET email = ?, first_name = ?, last_name = ?, organization = ?, role = ?,
		disabled = ?, attributes = ?, password_hash = ?, updated_at = ?, version = ?, email_key = ?, organization_key = ? WHERE id = ?`,
		u.Email, u.FirstName, u.LastName, u.Organization, u.Role, u.Disabled, attrsJSON(u.Attributes),
		u.PasswordHash, u.UpdatedAt, u.Version, Fold(u.Email), Fold(u.Organization), u.ID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// DeleteUser removes a user; its sessions, memberships and grants go with
// it, and so do the third-party tokens it created (DeleteTokensCreatedBy).
func DeleteUser(ctx context.Context, q Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if err := mustAffect(res); err != nil {
		return err
	}
	_, err = DeleteTokensCreatedBy(ctx, q, id)
	return err
}

func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// SystemEmail is the address given to the system user when it is created.
const SystemEmail = "system@identity.local"

// Bootstrap creates the built-in roles and the system user, and resets the
// system user's password hash, role and enabled state, all in one transaction.
func Bootstrap(ctx context.Context, q Querier, systemUserID, passwordHash string) error {
	if err := EnsureBuiltinRoles(ctx, q); err != nil {
		return err
	}
	u, err := GetSystemUser(ctx, q)
	if errors.Is(err, ErrNotFound) {
		now := Now()
		u = User{ID: systemUserID, Username: "system", Email: SystemEmail, Role: "sudo",
			Attributes: map[string]string{}, PasswordHash: passwordHash, System: true,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		return InsertUser(ctx, q, &u)
	}
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE users SET password_hash = ?, role = 'sudo', disabled = 0 WHERE id = ?`, passwordHash, u.ID)
	return err
}
