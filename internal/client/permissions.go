package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Permission grants an operation on a scope to exactly one principal: a user,
// a group or a role. The two unused principal fields are "".
type Permission struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"`
	Scope     string    `json:"scope"`
	UserID    string    `json:"user_id"`
	GroupID   string    `json:"group_id"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	Version   int64     `json:"version"`
}

// PermissionCreate is the body of POST /api/v1/permissions; set exactly one of
// UserID, GroupID and Role.
type PermissionCreate struct {
	Operation string `json:"operation"`
	Scope     string `json:"scope"`
	UserID    string `json:"user_id,omitempty"`
	GroupID   string `json:"group_id,omitempty"`
	Role      string `json:"role,omitempty"`
}

// PermissionFilter narrows ListPermissions; empty fields do not filter.
type PermissionFilter struct {
	UserID    string
	GroupID   string
	Role      string
	Scope     string
	Operation string
}

func (f PermissionFilter) query() url.Values {
	return filterQuery("user_id", f.UserID, "group_id", f.GroupID, "role", f.Role,
		"scope", f.Scope, "operation", f.Operation)
}

// CreatePermission grants a permission; ErrConflict when the same grant exists.
func (c *Client) CreatePermission(ctx context.Context, p PermissionCreate) (*Permission, error) {
	var out Permission
	if err := c.do(ctx, http.MethodPost, "/permissions", nil, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetPermission reads a permission by id.
func (c *Client) GetPermission(ctx context.Context, id string) (*Permission, error) {
	var out Permission
	if err := c.do(ctx, http.MethodGet, pathf("permissions", url.PathEscape(id)), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListPermissions returns every permission matching f, in creation order.
func (c *Client) ListPermissions(ctx context.Context, f PermissionFilter) ([]Permission, error) {
	return list[Permission](ctx, c, "/permissions", f.query())
}

// DeletePermission revokes a permission.
func (c *Client) DeletePermission(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathf("permissions", url.PathEscape(id)), nil, nil, nil)
}
