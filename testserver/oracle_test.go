package testserver_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/seed/terraform-provider-identity/testserver"
)

// TestOracles_AuthorizeBeforeRevealing: a caller who may not read an object
// learns nothing about it. Asked about an existing object and an unknown one,
// it gets the same refusal (the id aside), with no detail of the object, and
// If-Match is compared only once the caller may make the change, so a wrong
// version does not tell it the right one.
func TestOracles_AuthorizeBeforeRevealing(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	_, guestTok := mkUser(t, s, "nosy", "guest")
	guest := as(t, s, guestTok)
	guestKey := as(t, s, sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "guest"}).str("token"))

	secretUser := sys.must(201, "POST", "/api/v1/users", map[string]any{"username": "hidden-admin", "email": "hidden@example.com", "role": "admin"}).str("id")
	sys.must(201, "POST", "/api/v1/roles", map[string]any{"name": "hidden-role", "level": 300})
	group := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "hidden-group"}).str("id")
	perm := sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:hidden-project", "role": "auditor"}).str("id")
	token := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "guest", "description": "hidden-token"}).str("id")
	unknown := uuid.NewString()
	stale := []string{"If-Match", `"999"`}

	cases := []struct {
		name, method, path string // path has ID where the id goes
		existing, missing  string
		body               any
	}{
		{"read a user", "GET", "/api/v1/users/ID", secretUser, unknown, nil},
		{"change a user", "PATCH", "/api/v1/users/ID", secretUser, unknown, map[string]any{"first_name": "x"}},
		{"disable the system user", "PATCH", "/api/v1/users/ID", s.SystemUserID, unknown, map[string]any{"disabled": true}},
		{"delete a user", "DELETE", "/api/v1/users/ID", secretUser, unknown, nil},
		{"delete the system user", "DELETE", "/api/v1/users/ID", s.SystemUserID, unknown, nil},
		{"reset a password", "PUT", "/api/v1/users/ID/password", secretUser, unknown, map[string]any{"new_password": "a-new-password"}},
		{"reset the system user's password", "PUT", "/api/v1/users/ID/password", s.SystemUserID, unknown, map[string]any{"new_password": "a-new-password"}},
		{"read a role", "GET", "/api/v1/roles/ID", "hidden-role", "no-such-role", nil},
		{"change a role", "PATCH", "/api/v1/roles/ID", "hidden-role", "no-such-role", map[string]any{"description": "x"}},
		{"delete a role", "DELETE", "/api/v1/roles/ID", "hidden-role", "no-such-role", nil},
		{"delete a built-in role", "DELETE", "/api/v1/roles/ID", "auditor", "no-such-role", nil},
		{"read a group", "GET", "/api/v1/groups/ID", group, unknown, nil},
		{"change a group", "PATCH", "/api/v1/groups/ID", group, unknown, map[string]any{"name": "x"}},
		{"delete a group", "DELETE", "/api/v1/groups/ID", group, unknown, nil},
		{"list a group's members", "GET", "/api/v1/groups/ID/members", group, unknown, nil},
		{"replace a group's members", "PUT", "/api/v1/groups/ID/members", group, unknown, map[string]any{"user_ids": []string{}}},
		{"add a member", "PUT", "/api/v1/groups/ID/members/" + secretUser, group, unknown, nil},
		{"read a permission", "GET", "/api/v1/permissions/ID", perm, unknown, nil},
		{"revoke a permission", "DELETE", "/api/v1/permissions/ID", perm, unknown, nil},
		{"read a token", "GET", "/api/v1/tokens/ID", token, unknown, nil},
		{"revoke a token", "DELETE", "/api/v1/tokens/ID", token, unknown, nil},
	}
	for _, caller := range []struct {
		name string
		api  api
	}{{"guest session", guest}, {"guest token", guestKey}} {
		for _, tc := range cases {
			label := caller.name + ": " + tc.name
			answer := func(id string) (int, string) {
				r := caller.api.do(tc.method, strings.ReplaceAll(tc.path, "ID", id), tc.body, stale...)
				return r.status, strings.ReplaceAll(r.str("detail"), id, "ID")
			}
			st1, d1 := answer(tc.existing)
			st2, d2 := answer(tc.missing)
			if st1 != 403 || st2 != 403 || d1 != d2 {
				t.Errorf("%s: existing %d %q, unknown %d %q: want the same 403", label, st1, d1, st2, d2)
			}
			for _, secret := range []string{"hidden", "system", "admin (level", "project:", "version", "built-in"} {
				if strings.Contains(d1, secret) {
					t.Errorf("%s: the refusal %q reveals %q", label, d1, secret)
				}
			}
		}
	}

	// Creating a user with a role: a guest learns nothing of which roles exist.
	for _, role := range []string{"hidden-role", "no-such-role"} {
		r := guest.must(403, "POST", "/api/v1/users", map[string]any{"username": "x-" + role, "email": "x-" + role + "@example.com", "role": role})
		if strings.Contains(r.str("detail"), role) {
			t.Errorf("create a user with role %s: the refusal names it: %s", role, r.raw)
		}
	}

	// Nothing changed, and a caller who may make the change still gets 412 for a stale version.
	if n := count(t, s, `SELECT count(*) FROM users WHERE id = ? AND first_name = '' AND disabled = 0`, secretUser); n != 1 {
		t.Error("a refused request changed the user")
	}
	if n := count(t, s, `SELECT count(*) FROM permissions WHERE id = ?`, perm); n != 1 {
		t.Error("a refused request revoked the permission")
	}
	if r := sys.must(412, "PATCH", "/api/v1/users/"+secretUser, map[string]any{"first_name": "x"}, stale...); !strings.Contains(r.str("detail"), "version 1") {
		t.Errorf("stale If-Match of an allowed caller: %s", r.raw)
	}
	sys.must(404, "DELETE", "/api/v1/permissions/"+unknown, nil)
}
