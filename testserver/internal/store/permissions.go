package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
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
type PermissionFilter struct {
	UserID, GroupID, Role, Scope, Operation string
	// Readable, when set, keeps only the grants it accepts (those a
	// delegated admin may read); a page is then filled from further rows, so
	// it is short only at the end.
	Readable func(Permission) bool
}

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
	seq := func(x Permission) int64 { return x.seq }
	query := `SELECT ` + permCols + ` FROM permissions` + w.sql()
	if len(w.conds) > 0 {
		query += ` AND seq > ?`
	} else {
		query += ` WHERE seq > ?`
	}
	query += ` ORDER BY seq LIMIT ?`
	if f.Readable == nil {
		return queryPage(ctx, q, p, scanPerm, seq, query, append(w.args, p.After, p.Limit+1)...)
	}
	var kept []Permission
	batch := Page{Limit: max(p.Limit, 100), After: p.After}
	for len(kept) <= p.Limit {
		rows, next, err := queryPage(ctx, q, batch, scanPerm, seq, query, append(slices.Clone(w.args), batch.After, batch.Limit+1)...)
		if err != nil {
			return nil, "", err
		}
		for _, x := range rows {
			if f.Readable(x) {
				kept = append(kept, x)
			}
		}
		if next == "" {
			break
		}
		batch.After = rows[len(rows)-1].seq
	}
	if len(kept) > p.Limit {
		kept = kept[:p.Limit]
		return kept, EncodeCursor(kept[len(kept)-1].seq), nil
	}
	return kept, "", nil
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
	return q.QueryRowContext(ctx, `INSERT INTO permissions(id, operation, scope, user_id, group_id, role, created_at, version) VALUES (?,?,?,?,?,?,?,?) RETURNING seq`,
		p.ID, p.Operation, p.Scope, nullable(p.UserID), nullable(p.GroupID), nullable(p.Role), p.CreatedAt, p.Version).Scan(&p.seq)
}

// DeletePermission removes a grant.
func DeletePermission(ctx context.Context, q Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM permissions WHERE id = ?`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}
