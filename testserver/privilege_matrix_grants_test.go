package testserver_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// holder is a caller of the grant matrix: a user or a token whose grants,
// not its level, open (or fail to open) the actions.
type holder struct {
	name   string
	role   string
	grants []string // "OPERATION@scope", to the user (a token's: to its role)
	token  bool
	cred   string
	actor  string
}

type grantCase struct {
	name    string
	allowed []string // the holders allowed; every other holder is refused
	status  int
	prep    func(m *matrix) request
}

// grantHolders are the matrix's callers. Every user is a guest (level 256)
// unless named otherwise, so only grants can open anything.
func grantHolders() []holder {
	return []holder{
		{name: "guest", role: "guest"},
		{name: "guest with CREATE_USER", role: "guest", grants: []string{"CREATE_USER@global"}},
		{name: "guest with MODIFY_USER", role: "guest", grants: []string{"MODIFY_USER@global"}},
		{name: "operator with CREATE_USER and MODIFY_USER", role: "operator", grants: []string{"CREATE_USER@global", "MODIFY_USER@global"}},
		{name: "guest with ADMIN_TENANT on tenant:acme", role: "guest",
			grants: []string{"ADMIN_TENANT@tenant:acme", "MODIFY_TENANT@tenant:acme", "VIEW_PROJECT@tenant:acme"}},
		{name: "guest with ADMIN_PROJECT on tenant:acme/project:web", role: "guest",
			grants: []string{"ADMIN_PROJECT@tenant:acme/project:web", "VIEW_PROJECT@tenant:acme/project:web"}},
		{name: "token whose role has ADMIN_INVENTORY on tenant:acme", token: true,
			grants: []string{"ADMIN_INVENTORY@tenant:acme", "DEPLOY_INVENTORY@tenant:acme"}},
	}
}

func grantMatrixCases() []grantCase {
	const (
		creator  = "guest with CREATE_USER"
		modifier = "guest with MODIFY_USER"
		operator = "operator with CREATE_USER and MODIFY_USER"
		tenant   = "guest with ADMIN_TENANT on tenant:acme"
		project  = "guest with ADMIN_PROJECT on tenant:acme/project:web"
		invToken = "token whose role has ADMIN_INVENTORY on tenant:acme"
	)
	createUser := func(role func(m *matrix) string) func(m *matrix) request {
		return func(m *matrix) request {
			n := m.name("new")
			return request{"POST", "/api/v1/users", map[string]any{"username": n, "email": n + "@example.com", "role": role(m)},
				func() bool { return m.count(`SELECT count(*) FROM users WHERE username = ?`, n) == 1 }}
		}
	}
	builtin := func(name string) func(*matrix) string { return func(*matrix) string { return name } }
	// grantedUser is a guest holding one grant.
	grantedUser := func(m *matrix, grant string) string {
		id := m.user("guest")
		op, scope, _ := strings.Cut(grant, "@")
		m.sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": op, "scope": scope, "user_id": id})
		return id
	}
	resetPassword := func(target func(m *matrix) string) func(m *matrix) request {
		return func(m *matrix) request {
			id := target(m)
			return request{"PUT", "/api/v1/users/" + id + "/password", map[string]any{"new_password": "a-new-password"},
				func() bool { return m.str(`SELECT password_hash FROM users WHERE id = ?`, id) != "" }}
		}
	}
	grantTo := func(operation, scope string, toRole bool) func(m *matrix) request {
		return func(m *matrix) request {
			body := map[string]any{"operation": operation, "scope": scope}
			col, val := "user_id", m.user("guest")
			if toRole {
				col, val = "role", m.customRole(500)
			}
			body[col] = val
			return request{"POST", "/api/v1/permissions", body, func() bool {
				return m.count(`SELECT count(*) FROM permissions WHERE operation = ? AND scope = ? AND `+col+` = ?`, operation, scope, val) == 1
			}}
		}
	}
	revoke := func(grant string) func(m *matrix) request {
		return func(m *matrix) request {
			id := grantedUser(m, grant)
			pid := m.str(`SELECT id FROM permissions WHERE user_id = ?`, id)
			return request{"DELETE", "/api/v1/permissions/" + pid, nil,
				func() bool { return m.count(`SELECT count(*) FROM permissions WHERE id = ?`, pid) == 0 }}
		}
	}

	return []grantCase{
		{name: "create a guest user", allowed: []string{creator, operator}, status: 201, prep: createUser(builtin("guest"))},
		{name: "create an operator user", allowed: []string{operator}, status: 201, prep: createUser(builtin("operator"))},
		{name: "create a supervisor user", prep: createUser(builtin("supervisor"))},
		{name: "create a user with a role holding a grant the caller lacks", prep: createUser(func(m *matrix) string {
			r := m.customRole(500)
			m.sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme", "role": r})
			return r
		})},
		{name: "change a guest's profile", allowed: []string{modifier, operator}, status: 200, prep: func(m *matrix) request {
			id := m.user("guest")
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"first_name": "Changed"}, userFirstName(m, id, "Changed")}
		}},
		{name: "disable a guest", allowed: []string{modifier, operator}, status: 200, prep: func(m *matrix) request {
			id := m.user("guest")
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"disabled": true},
				func() bool { return m.count(`SELECT disabled FROM users WHERE id = ?`, id) == 1 }}
		}},
		{name: "promote a guest to operator", allowed: []string{operator}, status: 200, prep: func(m *matrix) request {
			id := m.user("guest")
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"role": "operator"},
				func() bool { return m.str(`SELECT role FROM users WHERE id = ?`, id) == "operator" }}
		}},
		{name: "reset a guest's password", allowed: []string{modifier, operator}, status: 204, prep: resetPassword(func(m *matrix) string { return m.user("guest") })},
		{name: "reset an operator's password", allowed: []string{operator}, status: 204, prep: resetPassword(func(m *matrix) string { return m.user("operator") })},
		{name: "reset the password of a guest holding ADMIN_TENANT", prep: resetPassword(func(m *matrix) string {
			return grantedUser(m, "ADMIN_TENANT@tenant:acme")
		})},
		{name: "disable a guest holding VIEW_PROJECT on tenant:acme", prep: func(m *matrix) request {
			id := grantedUser(m, "VIEW_PROJECT@tenant:acme")
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"disabled": true},
				func() bool { return m.count(`SELECT disabled FROM users WHERE id = ?`, id) == 1 }}
		}},
		{name: "delete a guest", prep: func(m *matrix) request {
			id := m.user("guest")
			return request{"DELETE", "/api/v1/users/" + id, nil,
				func() bool { return m.count(`SELECT count(*) FROM users WHERE id = ?`, id) == 0 }}
		}},

		{name: "grant MODIFY_TENANT on tenant:acme", allowed: []string{tenant}, status: 201, prep: grantTo("MODIFY_TENANT", "tenant:acme", false)},
		{name: "grant CREATE_PROJECT on tenant:acme (not held)", prep: grantTo("CREATE_PROJECT", "tenant:acme", false)},
		{name: "grant ADMIN_TENANT on tenant:acme", prep: grantTo("ADMIN_TENANT", "tenant:acme", false)},
		{name: "grant MODIFY_TENANT on tenant:acme to a role", prep: grantTo("MODIFY_TENANT", "tenant:acme", true)},
		{name: "grant MODIFY_TENANT on tenant:other", prep: grantTo("MODIFY_TENANT", "tenant:other", false)},
		{name: "grant VIEW_PROJECT on tenant:acme/project:web", allowed: []string{project}, status: 201,
			prep: grantTo("VIEW_PROJECT", "tenant:acme/project:web", false)},
		{name: "grant VIEW_PROJECT on tenant:acme/project:api", prep: grantTo("VIEW_PROJECT", "tenant:acme/project:api", false)},
		{name: "grant VIEW_PROJECT on tenant:acme/project:web to a role", prep: grantTo("VIEW_PROJECT", "tenant:acme/project:web", true)},
		{name: "grant DEPLOY_INVENTORY on tenant:acme/inventory:prod", allowed: []string{invToken}, status: 201,
			prep: grantTo("DEPLOY_INVENTORY", "tenant:acme/inventory:prod", false)},
		{name: "grant DEPLOY_INVENTORY on inventory:prod", prep: grantTo("DEPLOY_INVENTORY", "inventory:prod", false)},
		{name: "grant SUPER_ADMIN on global", prep: grantTo("SUPER_ADMIN", "global", false)},
		{name: "grant CREATE_USER on global", prep: grantTo("CREATE_USER", "global", false)},
		{name: "revoke MODIFY_TENANT on tenant:acme", allowed: []string{tenant}, status: 204, prep: revoke("MODIFY_TENANT@tenant:acme")},
		{name: "revoke VIEW_PROJECT on tenant:acme/project:web", allowed: []string{project}, status: 204, prep: revoke("VIEW_PROJECT@tenant:acme/project:web")},
		{name: "revoke VIEW_PROJECT on tenant:acme/project:api", prep: revoke("VIEW_PROJECT@tenant:acme/project:api")},
		{name: "revoke ADMIN_TENANT on tenant:acme", prep: revoke("ADMIN_TENANT@tenant:acme")},
	}
}

// TestPrivilegeMatrix_GrantHolders sends write actions as callers whose
// grants, not their level, decide: user-management grants (capped by level
// and by the grants of the account touched) and delegated ADMIN_* grants
// (only what the delegate holds, on its scope and below, never ADMIN_* and
// never to a role). Each refusal is a 403 problem, audited as denied, and
// changes nothing; each allowed action is audited once and takes effect.
func TestPrivilegeMatrix_GrantHolders(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	m := &matrix{t: t, s: s, sys: as(t, s, s.Token)}
	m.db = db(t, s)

	holders := grantHolders()
	for i := range holders {
		h := &holders[i]
		to := map[string]any{}
		if h.token {
			h.role = m.customRole(300)
			to["role"] = h.role
		} else {
			id, tok := mkUser(t, s, fmt.Sprintf("holder%d", i), h.role)
			h.cred, h.actor = tok, fmt.Sprintf("holder%d", i)
			to["user_id"] = id
		}
		for _, g := range h.grants {
			op, scope, _ := strings.Cut(g, "@")
			body := map[string]any{"operation": op, "scope": scope}
			for k, v := range to {
				body[k] = v
			}
			m.sys.must(201, "POST", "/api/v1/permissions", body)
		}
		if h.token {
			tr := m.sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": h.role})
			h.cred, h.actor = tr.str("token"), "token:"+tr.str("id")
		}
	}

	allowed, denied := 0, 0
	for _, h := range holders {
		c := subject{name: h.name, cred: h.cred, actor: h.actor}
		for _, gc := range grantMatrixCases() {
			want := slices.Contains(gc.allowed, h.name)
			m.send(c, gc.name, gc.prep(m), want, gc.status)
			if want {
				allowed++
			} else {
				denied++
			}
		}
	}
	t.Logf("grant matrix: %d holders, %d write actions, %d allowed and %d denied requests checked",
		len(holders), len(grantMatrixCases()), allowed, denied)
}
