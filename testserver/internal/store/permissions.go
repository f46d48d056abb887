package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// Permission is a stored grant of an operation on a scope to one principal.
type Permission struct {
	ID        string `json:"id"`
	Operation string `json:"operation"`
	Scope     string `json:"scope"`
	UserID    string `json:"user_id"`
	GroupID   string `json:"group_id"`
	Role      string `json:"role"`
	CreatedAt string `json:"created_at"`
	Version   int64  `json:"version"`
	seq       int64
}

const permCols = `seq, id, operation, scope, coalesce(user_id, ''), coalesce(group_id, ''), coalesce(role, ''), created_at, version`

func scanPerm(s scanner) (Permission, error) {
	var p Permission
	err := s.Scan(&p.seq, &p.ID, &p.Operation, &p.Scope, &p.UserID, &p.GroupID, &p.Role, &p.CreatedAt, &p.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// GetPermission returns the permission with that id.
func GetPermission(ctx context.Context, q Querier, id string) (Permission, error) {
	return scanPerm(q.QueryRowContext(ctx, `SELECT `+permCols+` FROM permissions WHERE id = ?`, id))
}

// PermissionFilter narrows ListPermissions.
type PermissionFilter struct{ UserID, GroupID, Role, Scope, Operation string }

// ListPermissions returns one page of permissions in creation order.
func ListPermissions(ctx context.Context, q Querier, f PermissionFilter, p Page) ([]Permission, string, error) {
	var w where
	if f.UserID != "" {
		w.add(`user_id = ?`, f.UserID)
	}
	if f.GroupID != "" {
		w.add(`group_id = ?`, f.GroupID)
	}
	if f.Role != "" {
		w.add(`role = ?`, f.Role)
	}
	if f.Scope != "" {
		w.add(`scope = ?`, f.Scope)
	}
	if f.Operation != "" {
		w.add(`operation = ?`, f.Operation)
	}
	w.add(`seq > ?`, p.After)
	return queryPage(ctx, q, p, scanPerm, func(x Permission) int64 { return x.seq }, `SELECT `+permCols+` FROM permissions`+w.sql()+` ORDER BY seq LIMIT ?`, append(w.args, p.Limit+1)...)
}

// InsertPermission stores a new grant; the same grant twice is a conflict.
func InsertPermission(ctx context.Context, q Querier, p *Permission) error {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM permissions WHERE operation = ? AND scope = ? AND coalesce(user_id, '') = ?
		AND coalesce(group_id, '') = ? AND coalesce(role, '') = ?`, p.Operation, p.Scope, p.UserID, p.GroupID, p.Role).Scan(&id)
	if err == nil {
		return Conflict("operation", "this grant already exists as permission %s", id)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO permissions(id, operation, scope, user_id, group_id, role, created_at, version) VALUES (?,?,?,?,?,?,?,?)`,
		p.ID, p.Operation, p.Scope, nullable(p.UserID), nullable(p.GroupID), nullable(p.Role), p.CreatedAt, p.Version)
	if err != nil {
		return err
	}
	p.seq, err = res.LastInsertId()
	return err
}

// DeletePermission removes a grant.
func DeletePermission(ctx context.Context, q Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM permissions WHERE id = ?`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// Grant is an operation held on a scope.
type Grant struct{ Operation, Scope string }

// HeldGrants returns the grants among operations that a principal holds
// directly (userID), through its groups (userID's memberships) or through its
// role. userID is "" for a third-party token, which holds only role grants.
func HeldGrants(ctx context.Context, q Querier, userID, role string, operations []string) ([]Grant, error) {
	if len(operations) == 0 {
		return nil, nil
	}
	args := []any{userID, userID, role}
	for _, op := range operations {
		args = append(args, op)
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT operation, scope FROM permissions
		WHERE (user_id = ?1 OR group_id IN (SELECT group_id FROM memberships WHERE user_id = ?2) OR role = ?3)
		AND operation IN (`+strings.TrimSuffix(strings.Repeat("?,", len(operations)), ",")+`)
		ORDER BY operation, scope`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grant
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.Operation, &g.Scope); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
