package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Group is a named set of users, optionally within an organization.
type Group struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organization string `json:"organization"`
	FullName     string `json:"full_name"`
	Description  string `json:"description"`
	MemberCount  int64  `json:"member_count"`
	// MembersExclusive is set while the group's member set is managed as a
	// whole: per-user additions and removals are refused.
	MembersExclusive bool      `json:"members_exclusive"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int64     `json:"version"`
}

// GroupCreate is the body of POST /api/v1/groups.
type GroupCreate struct {
	Name         string `json:"name"`
	Organization string `json:"organization,omitempty"`
	Description  string `json:"description,omitempty"`
}

// GroupUpdate is the body of PATCH /api/v1/groups/{id}; nil fields are left
// unchanged, a pointer to "" clears a field.
type GroupUpdate struct {
	Name         *string `json:"name,omitempty"`
	Organization *string `json:"organization,omitempty"`
	Description  *string `json:"description,omitempty"`
}

// GroupFilter narrows ListGroups; empty fields do not filter.
type GroupFilter struct {
	Name         string
	Organization string
	// NoOrganization selects the groups without an organization; it is
	// ignored when Organization is set.
	NoOrganization bool
	FullName       string
}

func (f GroupFilter) query() url.Values {
	q := filterQuery("name", f.Name, "organization", f.Organization, "full_name", f.FullName)
	if f.NoOrganization && f.Organization == "" {
		q.Set("organization", "")
	}
	return q
}

// CreateGroup creates a group.
func (c *Client) CreateGroup(ctx context.Context, g GroupCreate) (*Group, error) {
	var out Group
	if err := c.do(ctx, http.MethodPost, "/groups", nil, g, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetGroup reads a group by id.
func (c *Client) GetGroup(ctx context.Context, id string) (*Group, error) {
	var out Group
	if err := c.do(ctx, http.MethodGet, pathf("groups", url.PathEscape(id)), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListGroups returns every group matching f, in creation order.
func (c *Client) ListGroups(ctx context.Context, f GroupFilter) ([]Group, error) {
	return list[Group](ctx, c, "/groups", f.query())
}

// UpdateGroup changes the non-nil fields of g.
func (c *Client) UpdateGroup(ctx context.Context, id string, g GroupUpdate) (*Group, error) {
	var out Group
	if err := c.do(ctx, http.MethodPatch, pathf("groups", url.PathEscape(id)), nil, g, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteGroup deletes a group with its memberships and permissions.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathf("groups", url.PathEscape(id)), nil, nil, nil)
}
