package store

import (
	"context"
	"math"
)

// ChangeVersion returns the server-wide change counter: it goes up with every
// change to a user (other than the system user), a custom role, a group, a
// membership or a grant (migration 0006), so it is the version of the
// identities file.
func ChangeVersion(ctx context.Context, q Querier) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT value FROM change_counter WHERE id = 1`).Scan(&v)
	return v, err
}

// Identities is everything the identities file shows, read through one
// Querier (a transaction, so it is one consistent state): every user (the
// system user too, flagged, so a file can refer to it), every role (built-in
// ones too), group, membership and grant, in creation order.
type Identities struct {
	Version     int64
	Users       []User
	Roles       []Role
	Groups      []Group
	Members     []Membership
	Permissions []Permission
}

// whole is a page that holds every row.
var whole = Page{Limit: math.MaxInt32}

// LoadIdentities reads the identities file's content and its version.
func LoadIdentities(ctx context.Context, q Querier) (Identities, error) {
	var out Identities
	var err error
	if out.Version, err = ChangeVersion(ctx, q); err != nil {
		return out, err
	}
	if out.Users, _, err = ListUsers(ctx, q, UserFilter{}, whole); err != nil {
		return out, err
	}
	if out.Roles, _, err = ListRoles(ctx, q, RoleCursor{}, whole.Limit); err != nil {
		return out, err
	}
	if out.Groups, _, err = ListGroups(ctx, q, GroupFilter{}, whole); err != nil {
		return out, err
	}
	if out.Members, _, err = queryPage(ctx, q, whole, scanMember, func(x Membership) int64 { return x.seq },
		`SELECT `+memberCols+memberFrom+` WHERE m.seq > ? ORDER BY m.seq LIMIT ?`, whole.After, whole.Limit+1); err != nil {
		return out, err
	}
	if out.Permissions, _, err = ListPermissions(ctx, q, PermissionFilter{}, whole); err != nil {
		return out, err
	}
	return out, nil
}
