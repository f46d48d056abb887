package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
)

// AccessFilter narrows the grants loaded to evaluate a principal. The zero
// filter loads every grant that reaches it (its effective permissions).
type AccessFilter struct {
	Operations []string // only these operations; SUPER_ADMIN, which implies them all, is always added
	Scopes     []string // only grants on these scopes
}

// DecisionFilter loads exactly the grants that can decide operation on
// scope: of operation or SUPER_ADMIN, on scope or a scope containing it.
func DecisionFilter(operation string, scope catalog.Scope) AccessFilter {
	return AccessFilter{Operations: []string{operation}, Scopes: ScopeStrings(scope.Ancestors())}
}

// Union returns a filter that loads what f and g each load (a superset: the
// operations of both on the scopes of both). A zero filter, or one with no
// Operations or no Scopes, is unrestricted on that axis and stays so.
func (f AccessFilter) Union(g AccessFilter) AccessFilter {
	return AccessFilter{Operations: unionAll(f.Operations, g.Operations), Scopes: unionAll(f.Scopes, g.Scopes)}
}

// unionAll merges two restrictions, where nil (empty) means "all".
func unionAll(a, b []string) []string {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// CoverFilter loads the grants that decide whether a principal holds every
// (operation, scope) that held's grants give (access.Set.Granted, counted
// even while disabled): those operations or SUPER_ADMIN, on those scopes or
// scopes containing them. ok is false when held gives nothing, so there is
// nothing to load.
func CoverFilter(held *access.Set) (f AccessFilter, ok bool) {
	if held == nil {
		return f, false
	}
	entries := held.Granted()
	if len(entries) == 0 {
		return f, false
	}
	for _, e := range entries {
		scope, err := catalog.ParseScope(e.Scope)
		if err != nil {
			continue
		}
		if !slices.Contains(f.Operations, e.Operation) {
			f.Operations = append(f.Operations, e.Operation)
		}
		for _, s := range ScopeStrings(scope.Ancestors()) {
			if !slices.Contains(f.Scopes, s) {
				f.Scopes = append(f.Scopes, s)
			}
		}
	}
	return f, len(f.Operations) > 0
}

// ScopeStrings renders scopes in their wire form, for AccessFilter.Scopes.
func ScopeStrings(scopes []catalog.Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = s.String()
	}
	return out
}

// UserAccess loads what evaluating a user needs: its role, level and state,
// its groups, and the grants that reach it (to the user, its groups or its
// role) narrowed by f. A user that does not exist is ErrNotFound.
func UserAccess(ctx context.Context, q Querier, userID string, f AccessFilter) (access.Principal, []access.Grant, error) {
	var p access.Principal
	err := q.QueryRowContext(ctx, `SELECT u.id, u.role, r.level, u.disabled FROM users u JOIN roles r ON r.name = u.role WHERE u.id = ?`, userID).
		Scan(&p.UserID, &p.Role, &p.Level, &p.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil, ErrNotFound
	} else if err != nil {
		return p, nil, err
	}
	if p.Groups, err = UserGroups(ctx, q, userID); err != nil {
		return p, nil, err
	}
	grants, err := grantsReaching(ctx, q, p.UserID, p.Role, f)
	return p, grants, err
}

// TokenAccess loads what evaluating a third-party token needs: its role and
// that role's grants narrowed by f. A token past its expiry at now holds
// nothing (Disabled); a revoked token is ErrNotFound.
func TokenAccess(ctx context.Context, q Querier, tokenID string, now time.Time, f AccessFilter) (access.Principal, []access.Grant, error) {
	t, err := GetToken(ctx, q, tokenID)
	if err != nil {
		return access.Principal{}, nil, err
	}
	p := access.Principal{Role: t.Role, Level: t.Level, Disabled: t.Expired(now)}
	grants, err := grantsReaching(ctx, q, "", p.Role, f)
	return p, grants, err
}

// RoleAccess loads a role as a principal holding only the role's own grants:
// what every user and token with that role receives from it. A role that
// does not exist is ErrNotFound.
func RoleAccess(ctx context.Context, q Querier, role string, f AccessFilter) (access.Principal, []access.Grant, error) {
	r, err := GetRole(ctx, q, role)
	if err != nil {
		return access.Principal{}, nil, err
	}
	p := access.Principal{Role: r.Name, Level: r.Level}
	grants, err := grantsReaching(ctx, q, "", p.Role, f)
	return p, grants, err
}

// Expired reports whether the token's expiry has passed at now.
func (t Token) Expired(now time.Time) bool {
	if t.ExpiresAt == nil {
		return false
	}
	exp, err := time.Parse(time.RFC3339Nano, *t.ExpiresAt)
	return err != nil || !now.Before(exp)
}

// userGroupsQuery reads a user's groups from the covering membership index.
const userGroupsQuery = `SELECT g.id, g.full_name FROM memberships m JOIN groups_ g ON g.id = m.group_id
	WHERE m.user_id = ? ORDER BY g.full_name, g.id`

// UserGroups returns the groups the user is a member of, by full name.
func UserGroups(ctx context.Context, q Querier, userID string) ([]access.Group, error) {
	rows, err := q.QueryContext(ctx, userGroupsQuery, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Group
	for rows.Next() {
		var g access.Group
		if err := rows.Scan(&g.ID, &g.FullName); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GroupIDsOf returns, for each of userIDs, the ids of its groups in id
// order, with one read of the membership index for the whole page.
func GroupIDsOf(ctx context.Context, q Querier, userIDs []string) (map[string][]string, error) {
	out := make(map[string][]string, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
		out[id] = []string{}
	}
	rows, err := q.QueryContext(ctx, `SELECT user_id, group_id FROM memberships WHERE user_id IN (`+placeholders(len(userIDs))+`)
		ORDER BY user_id, group_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u, g string
		if err := rows.Scan(&u, &g); err != nil {
			return nil, err
		}
		out[u] = append(out[u], g)
	}
	return out, rows.Err()
}

// grantsQuery builds the lookup of the grants that reach a principal: one
// SELECT per way a grant reaches it (the user, its groups, its role), each
// led by its principal column so it reads the principal's composite index
// (principal, operation, scope) and only the rows it returns.
func grantsQuery(user, role bool, nOps, nScopes int) string {
	filter := ""
	if nOps > 0 {
		filter += ` AND p.operation IN (` + placeholders(nOps) + `)`
	}
	if nScopes > 0 {
		filter += ` AND p.scope IN (` + placeholders(nScopes) + `)`
	}
	const cols = `SELECT p.id, p.operation, p.scope, coalesce(p.user_id, ''), coalesce(p.group_id, ''), coalesce(p.role, '') FROM permissions p WHERE `
	var parts []string
	if user {
		parts = append(parts,
			cols+`p.user_id = ?`+filter,
			cols+`p.group_id IN (SELECT m.group_id FROM memberships m WHERE m.user_id = ?)`+filter)
	}
	if role {
		parts = append(parts, cols+`p.role = ?`+filter)
	}
	return strings.Join(parts, " UNION ALL ")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// grantsReaching returns the grants to userID (and its groups) or to role,
// narrowed by f; userID is "" for a principal that is not a user.
func grantsReaching(ctx context.Context, q Querier, userID, role string, f AccessFilter) ([]access.Grant, error) {
	ops := f.Operations
	if len(ops) > 0 && !slices.Contains(ops, catalog.OpSuperAdmin) {
		ops = append(slices.Clone(ops), catalog.OpSuperAdmin)
	}
	query := grantsQuery(userID != "", role != "", len(ops), len(f.Scopes))
	if query == "" {
		return nil, nil
	}
	var filterArgs []any
	for _, op := range ops {
		filterArgs = append(filterArgs, op)
	}
	for _, s := range f.Scopes {
		filterArgs = append(filterArgs, s)
	}
	var args []any
	if userID != "" {
		args = append(append(append(args, userID), filterArgs...), userID)
		args = append(args, filterArgs...)
	}
	if role != "" {
		args = append(append(args, role), filterArgs...)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Grant
	for rows.Next() {
		var g access.Grant
		if err := rows.Scan(&g.ID, &g.Operation, &g.Scope, &g.UserID, &g.GroupID, &g.Role); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// UserHeld is what a user holds through the grants f selects: UserAccess,
// then access.Evaluate.
func UserHeld(ctx context.Context, q Querier, userID string, f AccessFilter) (*access.Set, error) {
	return evaluate(UserAccess(ctx, q, userID, f))
}

// TokenHeld is what a third-party token holds through the grants f selects.
func TokenHeld(ctx context.Context, q Querier, tokenID string, now time.Time, f AccessFilter) (*access.Set, error) {
	return evaluate(TokenAccess(ctx, q, tokenID, now, f))
}

// RoleHeld is what a role's own grants that f selects give.
func RoleHeld(ctx context.Context, q Querier, role string, f AccessFilter) (*access.Set, error) {
	return evaluate(RoleAccess(ctx, q, role, f))
}

func evaluate(p access.Principal, grants []access.Grant, err error) (*access.Set, error) {
	if err != nil {
		return nil, err
	}
	return access.Evaluate(p, grants), nil
}
