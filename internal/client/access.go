package client

import (
	"context"
	"net/http"
	"net/url"
)

// AccessQuery asks whether a principal may do Operation on Scope: exactly
// one of UserID and TokenID names the principal.
type AccessQuery struct {
	UserID    string
	TokenID   string
	Operation string
	Scope     string
}

// Via is one grant that allows an operation on a scope, and how it reaches
// the principal: Kind "user" (granted to the user), "group" (to a group the
// user is a member of: GroupID, GroupName) or "role" (to its role: Role).
// GrantID is "" only for a level-0 role, which holds SUPER_ADMIN on global
// without a grant.
type Via struct {
	Kind      string `json:"kind"`
	GrantID   string `json:"grant_id"`
	Operation string `json:"operation"`
	Scope     string `json:"scope"`
	GroupID   string `json:"group_id"`
	GroupName string `json:"group_name"`
	Role      string `json:"role"`
}

// Decision is the server's answer to an AccessQuery.
type Decision struct {
	Allowed bool  `json:"allowed"`
	Via     []Via `json:"via"`
}

// EffectivePermission is one operation a user holds on one scope, with
// every grant that gives it.
type EffectivePermission struct {
	Operation string `json:"operation"`
	Scope     string `json:"scope"`
	Via       []Via  `json:"via"`
}

// Access asks the server whether q's principal may do q's operation on q's
// scope. The server evaluates the grants; an unknown operation or a scope
// the operation cannot take is an *APIError with status 400.
func (c *Client) Access(ctx context.Context, q AccessQuery) (*Decision, error) {
	query := filterQuery("user_id", q.UserID, "token_id", q.TokenID, "operation", q.Operation, "scope", q.Scope)
	var out Decision
	if err := c.do(ctx, http.MethodGet, "/access", query, nil, &out); err != nil {
		return nil, err
	}
	if out.Via == nil {
		out.Via = []Via{}
	}
	return &out, nil
}

// EffectivePermissions lists every (operation, scope) the user holds, in the
// server's stable order.
func (c *Client) EffectivePermissions(ctx context.Context, userID string) ([]EffectivePermission, error) {
	return list[EffectivePermission](ctx, c, pathf("users", url.PathEscape(userID), "effective-permissions"), nil)
}

// UserGroups lists the groups the user is a member of, by full name.
func (c *Client) UserGroups(ctx context.Context, userID string) ([]Group, error) {
	return list[Group](ctx, c, pathf("users", url.PathEscape(userID), "groups"), nil)
}
