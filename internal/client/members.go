package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Membership is one user's membership of one group.
type Membership struct {
	GroupID   string    `json:"group_id"`
	UserID    string    `json:"user_id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// MemberSet is a group's whole member set, as the ids-only member list and
// the whole-set PUT return it.
type MemberSet struct {
	GroupID string   `json:"group_id"`
	UserIDs []string `json:"user_ids"`
	// Exclusive is the group's members_exclusive mark: while it is set the
	// server refuses per-user additions and removals (ErrMembersExclusive).
	Exclusive bool  `json:"exclusive"`
	Version   int64 `json:"version"`
}

// memberSetPut is the body of the whole-set PUT; a nil Exclusive leaves the
// group's mark as it is.
type memberSetPut struct {
	UserIDs   []string `json:"user_ids"`
	Exclusive *bool    `json:"exclusive,omitempty"`
}

func membersPath(groupID string) string {
	return pathf("groups", url.PathEscape(groupID), "members")
}

// ListMembers returns every membership of a group.
func (c *Client) ListMembers(ctx context.Context, groupID string) ([]Membership, error) {
	return list[Membership](ctx, c, membersPath(groupID), nil)
}

// GetMemberSet returns the sorted ids of a group's members and its
// members_exclusive mark in one request.
func (c *Client) GetMemberSet(ctx context.Context, groupID string) (*MemberSet, error) {
	var out MemberSet
	q := url.Values{"ids_only": {"true"}}
	if err := c.do(ctx, http.MethodGet, membersPath(groupID), q, nil, &out); err != nil {
		return nil, err
	}
	if out.UserIDs == nil {
		out.UserIDs = []string{}
	}
	return &out, nil
}

// GetMemberIDs returns the sorted ids of a group's members in one request.
func (c *Client) GetMemberIDs(ctx context.Context, groupID string) ([]string, error) {
	set, err := c.GetMemberSet(ctx, groupID)
	if err != nil {
		return nil, err
	}
	return set.UserIDs, nil
}

// PutMemberSet replaces a group's whole member set in one request. A
// non-nil exclusive sets (true) or clears (false) the group's
// members_exclusive mark in the same request; nil leaves it as it is.
func (c *Client) PutMemberSet(ctx context.Context, groupID string, userIDs []string, exclusive *bool) (*MemberSet, error) {
	if userIDs == nil {
		userIDs = []string{}
	}
	var out MemberSet
	if err := c.do(ctx, http.MethodPut, membersPath(groupID), nil, memberSetPut{UserIDs: userIDs, Exclusive: exclusive}, &out); err != nil {
		return nil, err
	}
	if out.UserIDs == nil {
		out.UserIDs = []string{}
	}
	return &out, nil
}

// SetMembers replaces a group's whole member set in one request, leaving its
// members_exclusive mark as it is, and returns the resulting sorted ids.
func (c *Client) SetMembers(ctx context.Context, groupID string, userIDs []string) ([]string, error) {
	set, err := c.PutMemberSet(ctx, groupID, userIDs, nil)
	if err != nil {
		return nil, err
	}
	return set.UserIDs, nil
}

// AddMember makes a user a member of a group; adding an existing member
// succeeds and returns the existing membership. A group whose members are
// managed as a whole set refuses it with ErrMembersExclusive.
func (c *Client) AddMember(ctx context.Context, groupID, userID string) (*Membership, error) {
	var out Membership
	if err := c.do(ctx, http.MethodPut, membersPath(groupID)+pathf(url.PathEscape(userID)), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveMember removes a user from a group; ErrNotFound when not a member,
// ErrMembersExclusive when the group's members are managed as a whole set.
func (c *Client) RemoveMember(ctx context.Context, groupID, userID string) error {
	return c.do(ctx, http.MethodDelete, membersPath(groupID)+pathf(url.PathEscape(userID)), nil, nil, nil)
}

// GetMembership returns a user's membership of a group, or an error matching
// ErrNotFound when the user is not a member (or the group does not exist).
//
// It asks the member list filtered by user_id, which a server that supports
// the filter answers with at most one item in one request. The items are
// checked and further pages followed anyway, so the answer stays correct
// against a server that ignores the filter, only slower.
func (c *Client) GetMembership(ctx context.Context, groupID, userID string) (*Membership, error) {
	path := membersPath(groupID)
	if userID == "" {
		return nil, notFound(apiPrefix+path, "no member with an empty user id")
	}
	q := url.Values{"user_id": {userID}, "limit": {"500"}}
	seen := map[string]bool{}
	for {
		var p page[Membership]
		if err := c.do(ctx, http.MethodGet, path, q, nil, &p); err != nil {
			return nil, err
		}
		for i := range p.Items {
			if p.Items[i].UserID == userID {
				return &p.Items[i], nil
			}
		}
		if p.NextCursor == "" || seen[p.NextCursor] {
			return nil, notFound(apiPrefix+path, "user "+quote(userID)+" is not a member of group "+quote(groupID))
		}
		seen[p.NextCursor] = true
		q.Set("cursor", p.NextCursor)
	}
}
