package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

// Role is a stored role.
type Role struct {
	Name        string `json:"name"`
	Level       int    `json:"level"`
	Description string `json:"description"`
	Builtin     bool   `json:"builtin"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	Version     int64  `json:"version"`
}

const roleCols = `name, level, description, builtin, created_at, updated_at, version`

func scanRole(s scanner) (Role, error) {
	var r Role
	err := s.Scan(&r.Name, &r.Level, &r.Description, &r.Builtin, &r.CreatedAt, &r.UpdatedAt, &r.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// EnsureBuiltinRoles creates the built-in roles that are missing and resets
// their levels, which are fixed.
func EnsureBuiltinRoles(ctx context.Context, q Querier) error {
	now := Now()
	for _, b := range catalog.BuiltinRoles {
		if _, err := q.ExecContext(ctx, `INSERT INTO roles(name, level, description, builtin, created_at, updated_at, version)
			VALUES (?, ?, ?, 1, ?, ?, 1)
			ON CONFLICT(name) DO UPDATE SET builtin = 1, level = excluded.level WHERE roles.level != excluded.level OR roles.builtin != 1`,
			b.Name, b.Level, b.Description, now, now); err != nil {
			return err
		}
	}
	return nil
}

// GetRole returns the role with that name.
func GetRole(ctx context.Context, q Querier, name string) (Role, error) {
	return scanRole(q.QueryRowContext(ctx, `SELECT `+roleCols+` FROM roles WHERE name = ?`, name))
}

// EncodeRoleCursor renders a (level, name) position as an opaque cursor.
func EncodeRoleCursor(level int, name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("r" + strconv.Itoa(level) + ":" + name))
}

// RoleCursor is a position in the role order (by level, then name).
type RoleCursor struct {
	Level int
	Name  string
	Set   bool
}

// DecodeRoleCursor parses a cursor made by EncodeRoleCursor.
func DecodeRoleCursor(c string) (RoleCursor, error) {
	if c == "" {
		return RoleCursor{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'r' {
		return RoleCursor{}, errors.New("malformed cursor")
	}
	lv, name, ok := strings.Cut(string(b[1:]), ":")
	n, err := strconv.Atoi(lv)
	if !ok || err != nil {
		return RoleCursor{}, errors.New("malformed cursor")
	}
	return RoleCursor{Level: n, Name: name, Set: true}, nil
}

// ListRoles returns one page of roles ordered by level, then name.
func ListRoles(ctx context.Context, q Querier, after RoleCursor, limit int) ([]Role, string, error) {
	var w where
	if after.Set {
		w.add(`(level > ? OR (level = ? AND name > ?))`, after.Level, after.Level, after.Name)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+roleCols+` FROM roles`+w.sql()+` ORDER BY level, name LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []Role
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		next = EncodeRoleCursor(last.Level, last.Name)
	}
	return out, next, nil
}

// InsertRole stores a new role.
func InsertRole(ctx context.Context, q Querier, r *Role) error {
	if _, err := GetRole(ctx, q, r.Name); err == nil {
		return Conflict("name", "role %q already exists", r.Name)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO roles(name, level, description, builtin, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?)`,
		r.Name, r.Level, r.Description, r.Builtin, r.CreatedAt, r.UpdatedAt, r.Version)
	return err
}

// UpdateRole writes level and description and bumps the version.
func UpdateRole(ctx context.Context, q Querier, r *Role) error {
	r.UpdatedAt = Now()
	r.Version++
	res, err := q.ExecContext(ctx, `UPDATE roles SET level = ?, description = ?, updated_at = ?, version = ? WHERE name = ?`,
		r.Level, r.Description, r.UpdatedAt, r.Version, r.Name)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// RoleUsage counts what refers to a role.
type RoleUsage struct {
	Users, Tokens, Permissions int
	SelfRegistration           bool // the settings give it to self-registered users
}

// InUse reports whether anything refers to the role.
func (u RoleUsage) InUse() bool { return u.Users+u.Tokens+u.Permissions > 0 || u.SelfRegistration }

// GetRoleUsage counts the users, tokens and permissions that use a role.
func GetRoleUsage(ctx context.Context, q Querier, name string) (RoleUsage, error) {
	var u RoleUsage
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users WHERE role = ?1), (SELECT count(*) FROM tokens WHERE role = ?1),
		(SELECT count(*) FROM permissions WHERE role = ?1), EXISTS (SELECT 1 FROM server_settings WHERE self_registration_role = ?1)`,
		name).Scan(&u.Users, &u.Tokens, &u.Permissions, &u.SelfRegistration)
	return u, err
}

// DeleteRole removes a role.
func DeleteRole(ctx context.Context, q Querier, name string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM roles WHERE name = ?`, name)
	if err != nil {
		return err
	}
	return mustAffect(res)
}
