package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Role is a named privilege level; a lower level means more privilege.
type Role struct {
	Name        string    `json:"name"`
	Level       int64     `json:"level"`
	Description string    `json:"description"`
	Builtin     bool      `json:"builtin"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version"`
}

// RoleCreate is the body of POST /api/v1/roles. Level is always sent: 0 is a
// meaningful level.
type RoleCreate struct {
	Name        string `json:"name"`
	Level       int64  `json:"level"`
	Description string `json:"description,omitempty"`
}

// RoleUpdate is the body of PATCH /api/v1/roles/{name}; nil fields are left
// unchanged.
type RoleUpdate struct {
	Level       *int64  `json:"level,omitempty"`
	Description *string `json:"description,omitempty"`
}

// CreateRole creates a custom role.
func (c *Client) CreateRole(ctx context.Context, r RoleCreate) (*Role, error) {
	var out Role
	if err := c.do(ctx, http.MethodPost, "/roles", nil, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRole reads a role by name.
func (c *Client) GetRole(ctx context.Context, name string) (*Role, error) {
	var out Role
	if err := c.do(ctx, http.MethodGet, pathf("roles", url.PathEscape(name)), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListRoles returns every role, by level then name.
func (c *Client) ListRoles(ctx context.Context) ([]Role, error) {
	return list[Role](ctx, c, "/roles", nil)
}

// UpdateRole changes the non-nil fields of r.
func (c *Client) UpdateRole(ctx context.Context, name string, r RoleUpdate) (*Role, error) {
	var out Role
	if err := c.do(ctx, http.MethodPatch, pathf("roles", url.PathEscape(name)), nil, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteRole deletes a custom role; ErrConflict while anything still uses it.
func (c *Client) DeleteRole(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, pathf("roles", url.PathEscape(name)), nil, nil, nil)
}
