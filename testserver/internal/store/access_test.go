package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
)

// accessFixture is a database with users, groups, memberships and grants
// for the access lookups.
type accessFixture struct {
	s      *Store
	users  map[string]*User
	groups map[string]*Group
	grants map[string]string // label -> grant id
}

func (f *accessFixture) grant(t testing.TB, tx *sql.Tx, label, op, scope, user, group, role string) {
	t.Helper()
	p := Permission{ID: uuid.NewString(), Operation: op, Scope: scope, Role: role, CreatedAt: Now(), Version: 1}
	if user != "" {
		p.UserID = f.users[user].ID
	}
	if group != "" {
		p.GroupID = f.groups[group].ID
	}
	if err := InsertPermission(context.Background(), tx, &p); err != nil {
		t.Fatalf("grant %s: %v", label, err)
	}
	f.grants[label] = p.ID
}

func newAccessFixture(t *testing.T) *accessFixture {
	t.Helper()
	s, _ := open(t)
	ctx := context.Background()
	f := &accessFixture{s: s, users: map[string]*User{}, groups: map[string]*Group{}, grants: map[string]string{}}
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		if err := EnsureBuiltinRoles(ctx, tx); err != nil {
			return err
		}
		for _, name := range []string{"alice", "bob"} {
			u := &User{ID: uuid.NewString(), Username: name, Email: name + "@example.com", Role: "operator", Attributes: map[string]string{},
				CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
			if err := InsertUser(ctx, tx, u); err != nil {
				return err
			}
			f.users[name] = u
		}
		for _, g := range []struct{ org, name string }{{"Acme", "Dev"}, {"", "Ops"}, {"", "Other"}} {
			grp := &Group{ID: uuid.NewString(), Name: g.name, Organization: g.org, CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
			if err := InsertGroup(ctx, tx, grp); err != nil {
				return err
			}
			f.groups[g.name] = grp
		}
		for _, m := range [][2]string{{"Dev", "alice"}, {"Ops", "alice"}, {"Other", "bob"}} {
			if _, err := AddMember(ctx, tx, f.groups[m[0]].ID, f.users[m[1]].ID); err != nil {
				return err
			}
		}
		f.grant(t, tx, "alice-web", "VIEW_PROJECT", "tenant:acme/project:web", "alice", "", "")
		f.grant(t, tx, "dev-acme", "VIEW_PROJECT", "tenant:acme", "", "Dev", "")
		f.grant(t, tx, "ops-global-modify", "MODIFY_PROJECT", "global", "", "Ops", "")
		f.grant(t, tx, "operator-super", "SUPER_ADMIN", "global", "", "", "operator")
		f.grant(t, tx, "operator-inv", "VIEW_INVENTORY", "inventory:prod", "", "", "operator")
		f.grant(t, tx, "alice-beta", "VIEW_PROJECT", "tenant:beta", "alice", "", "")
		f.grant(t, tx, "bob-web", "VIEW_PROJECT", "tenant:acme/project:web", "bob", "", "")
		f.grant(t, tx, "other-global", "VIEW_PROJECT", "global", "", "Other", "")
		f.grant(t, tx, "auditor-global", "VIEW_PROJECT", "global", "", "", "auditor")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *accessFixture) labels(grants []access.Grant) []string {
	byID := map[string]string{}
	for label, id := range f.grants {
		byID[id] = label
	}
	var out []string
	for _, g := range grants {
		out = append(out, byID[g.ID])
	}
	slices.Sort(out)
	return out
}

func TestUserAccess(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	web, _ := catalog.ParseScope("tenant:acme/project:web")

	p, grants, err := UserAccess(ctx, f.s.R, f.users["alice"].ID, DecisionFilter("VIEW_PROJECT", web))
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != f.users["alice"].ID || p.Role != "operator" || p.Level != 10 || p.Disabled {
		t.Fatalf("principal %+v", p)
	}
	if len(p.Groups) != 2 || p.Groups[0].FullName != "Acme:Dev" || p.Groups[1].FullName != "Ops" {
		t.Fatalf("groups %+v", p.Groups)
	}
	// Only VIEW_PROJECT or SUPER_ADMIN, only on the ancestors of the scope,
	// only reaching alice: not tenant:beta, not MODIFY_PROJECT, not bob's
	// or another group's or another role's.
	if got, want := f.labels(grants), []string{"alice-web", "dev-acme", "operator-super"}; !slices.Equal(got, want) {
		t.Fatalf("decision grants %v, want %v", got, want)
	}
	d := access.Evaluate(p, grants).Decide("VIEW_PROJECT", web)
	if !d.Allowed || len(d.Via) != 3 || d.Via[1].Kind != access.ViaGroup || d.Via[1].GroupName != "Acme:Dev" || d.Via[1].GroupID != f.groups["Dev"].ID {
		t.Fatalf("decision %+v", d)
	}

	// The zero filter loads everything that reaches alice.
	_, grants, err = UserAccess(ctx, f.s.R, f.users["alice"].ID, AccessFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.labels(grants), []string{"alice-beta", "alice-web", "dev-acme", "operator-inv", "operator-super", "ops-global-modify"}; !slices.Equal(got, want) {
		t.Fatalf("all grants %v, want %v", got, want)
	}

	if _, _, err := UserAccess(ctx, f.s.R, uuid.NewString(), AccessFilter{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}

	// A disabled user is loaded as such; the evaluation then holds nothing.
	bob := f.users["bob"]
	bob.Disabled = true
	if err := f.s.Tx(ctx, func(tx *sql.Tx) error { return UpdateUser(ctx, tx, bob) }); err != nil {
		t.Fatal(err)
	}
	p, grants, err = UserAccess(ctx, f.s.R, bob.ID, DecisionFilter("VIEW_PROJECT", web))
	if err != nil || !p.Disabled || len(grants) == 0 {
		t.Fatalf("disabled bob: %+v %v %v", p, grants, err)
	}
	if access.Evaluate(p, grants).Holds("VIEW_PROJECT", web) {
		t.Fatal("a disabled user holds a grant")
	}
}

func TestTokenAndRoleAccess(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	future := FormatTime(time.Now().Add(time.Hour))
	past := FormatTime(time.Now().Add(-time.Hour))
	tokens := map[string]*Token{}
	err := f.s.Tx(ctx, func(tx *sql.Tx) error {
		for name, exp := range map[string]*string{"live": &future, "expired": &past, "forever": nil} {
			tok := &Token{ID: uuid.NewString(), Role: "operator", ExpiresAt: exp, CreatedAt: Now(), CreatedBy: "system", Version: 1}
			if err := InsertToken(ctx, tx, tok); err != nil {
				return err
			}
			tokens[name] = tok
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	prod, _ := catalog.ParseScope("inventory:prod")
	for name, wantDisabled := range map[string]bool{"live": false, "expired": true, "forever": false} {
		p, grants, err := TokenAccess(ctx, f.s.R, tokens[name].ID, time.Now(), DecisionFilter("VIEW_INVENTORY", prod))
		if err != nil {
			t.Fatal(err)
		}
		if p.UserID != "" || p.Role != "operator" || p.Level != 10 || p.Disabled != wantDisabled || len(p.Groups) != 0 {
			t.Fatalf("%s token principal %+v", name, p)
		}
		// Only the role's grants: never a user's or a group's.
		if got, want := f.labels(grants), []string{"operator-inv", "operator-super"}; !slices.Equal(got, want) {
			t.Fatalf("%s token grants %v, want %v", name, got, want)
		}
	}
	if _, _, err := TokenAccess(ctx, f.s.R, uuid.NewString(), time.Now(), AccessFilter{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}

	p, grants, err := RoleAccess(ctx, f.s.R, "auditor", AccessFilter{})
	if err != nil || p.Role != "auditor" || p.Level != 100 || p.UserID != "" {
		t.Fatalf("role principal %+v %v", p, err)
	}
	if got := f.labels(grants); !slices.Equal(got, []string{"auditor-global"}) {
		t.Fatalf("role grants %v", got)
	}
	if _, _, err := RoleAccess(ctx, f.s.R, "nobody", AccessFilter{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown role: %v", err)
	}
}

// queryPlan returns the EXPLAIN QUERY PLAN details of query, joined by "; ".
func queryPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// xArgs returns n arguments for a query whose plan is asked.
func xArgs(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "x"
	}
	return out
}

func TestAccessLookupsUseIndexes(t *testing.T) {
	f := newAccessFixture(t)
	sqliteOnly(t, f.s)
	for _, c := range []struct {
		name        string
		query       string
		nArgs       int
		wantIndexes []string
	}{
		{"decision for a user", grantsQuery(true, true, 2, 3), 3 + 2*5 + 5,
			[]string{"permissions_user_grant (user_id=? AND operation=? AND scope=?)", "permissions_group_grant (group_id=? AND operation=? AND scope=?)",
				"permissions_role_grant (role=? AND operation=? AND scope=?)", "memberships_user_group (user_id=?)"}},
		{"decision for a token", grantsQuery(false, true, 2, 3), 6, []string{"permissions_role_grant (role=? AND operation=? AND scope=?)"}},
		{"effective permissions of a user", grantsQuery(true, true, 0, 0), 3,
			[]string{"permissions_user_grant (user_id=?)", "permissions_group_grant (group_id=?)", "permissions_role_grant (role=?)", "memberships_user_group (user_id=?)"}},
		{"a user's groups", userGroupsQuery, 1, []string{"memberships_user_group (user_id=?)", "(id=?)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := queryPlan(t, f.s.R, c.query, xArgs(c.nArgs)...)
			for _, idx := range c.wantIndexes {
				if !strings.Contains(plan, idx) {
					t.Errorf("plan does not use %s:\n  %s", idx, plan)
				}
			}
			if strings.Contains(plan, "SCAN ") {
				t.Errorf("plan scans:\n  %s", plan)
			}
		})
	}
}

func TestAccessFilterAddsSuperAdmin(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	_, grants, err := UserAccess(ctx, f.s.R, f.users["alice"].ID, AccessFilter{Operations: []string{"DEPLOY_INVENTORY"}, Scopes: []string{"global"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.labels(grants); !slices.Equal(got, []string{"operator-super"}) {
		t.Fatalf("grants %v", got)
	}
	// A principal with neither user nor role reads nothing (and runs no query).
	got, err := grantsReaching(ctx, f.s.R, "", "", AccessFilter{})
	if err != nil || got != nil {
		t.Fatalf("empty principal: %v %v", got, err)
	}
	if s := fmt.Sprint(DecisionFilter("VIEW_PROJECT", catalog.Scope{Kind: catalog.ScopeProject, Key: "web", Tenant: "acme"})); s != "{[VIEW_PROJECT] [global tenant:acme tenant:acme/project:web]}" {
		t.Fatalf("DecisionFilter = %s", s)
	}
}
