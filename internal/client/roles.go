package client

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
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

// RoleFilter narrows ListRolesMatching; zero fields do not filter. The
// server lists every role, so the filter is applied here.
type RoleFilter struct {
	Builtin    *bool  // only built-in (true) or only custom (false) roles
	MinLevel   *int64 // only roles of at least this level (this privileged or less)
	MaxLevel   *int64 // only roles of at most this level (this privileged or more)
	NamePrefix string // only roles whose name starts with this
}

// Match reports whether r passes every filter in f.
func (f RoleFilter) Match(r Role) bool {
	return (f.Builtin == nil || r.Builtin == *f.Builtin) &&
		(f.MinLevel == nil || r.Level >= *f.MinLevel) &&
		(f.MaxLevel == nil || r.Level <= *f.MaxLevel) &&
		strings.HasPrefix(r.Name, f.NamePrefix)
}

// ListRolesMatching returns the roles that match f, by level then name.
func (c *Client) ListRolesMatching(ctx context.Context, f RoleFilter) ([]Role, error) {
	roles, err := c.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(roles, func(x Role) bool { return !f.Match(x) }), nil
}
