package testserver_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// ladder is every built-in role, most privileged first.
var ladder = []struct {
	name  string
	level int
}{{"sudo", 0}, {"admin", 1}, {"supervisor", 2}, {"operator", 10}, {"auditor", 100}, {"guest", 256}}

// subject is one caller of the matrix: a user session or a third-party token of a role.
type subject struct {
	role   string
	level  int
	token  bool
	cred   string
	userID string // "" for tokens
	actor  string // the audit log's name for the caller
	// above is the role just more privileged than this one (sudo for sudo).
	above string
	name  string // how a refusal names the subject; "user:ROLE" or "token:ROLE" when empty
}

func (s subject) String() string {
	if s.name != "" {
		return s.name
	}
	if s.token {
		return "token:" + s.role
	}
	return "user:" + s.role
}

// matrix is the shared state of one matrix run: a server, its database and fresh names.
type matrix struct {
	t   *testing.T
	s   *testserver.Server
	sys api
	db  *sql.DB
	seq atomic.Int64
}

func (m *matrix) name(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, m.seq.Add(1))
}

func (m *matrix) count(query string, args ...any) int {
	m.t.Helper()
	var n int
	if err := m.db.QueryRow(query, args...).Scan(&n); err != nil {
		m.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// audited counts the audit records of the subject's requests with that outcome.
func (m *matrix) audited(c subject, outcome string) int {
	m.t.Helper()
	// Identical refusals within a minute share a row and add to its count.
	return m.count(`SELECT coalesce(sum(count), 0) FROM audit WHERE actor = ? AND outcome = ?`, c.actor, outcome)
}

func (m *matrix) str(query string, args ...any) string {
	m.t.Helper()
	var v string
	if err := m.db.QueryRow(query, args...).Scan(&v); err != nil {
		m.t.Fatalf("%s: %v", query, err)
	}
	return v
}

// user creates a user with role (no password) and returns its id.
func (m *matrix) user(role string) string {
	m.t.Helper()
	n := m.name("u")
	return m.sys.must(201, "POST", "/api/v1/users", map[string]any{"username": n, "email": n + "@example.com", "role": role}).str("id")
}

func (m *matrix) group() string {
	m.t.Helper()
	return m.sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": m.name("g")}).str("id")
}

func (m *matrix) customRole(level int) string {
	m.t.Helper()
	n := m.name("r")
	m.sys.must(201, "POST", "/api/v1/roles", map[string]any{"name": n, "level": level})
	return n
}

// request is what one case sends, and how to see on the server whether it took effect.
type request struct {
	method, path string
	body         any
	applied      func() bool
}

type matrixCase struct {
	name string
	// allow is the "Who may do what" rule for this action.
	allow    func(c subject) bool
	status   int
	userOnly bool // the action is about the caller's own account
	prep     func(m *matrix, c subject) request
}

func levelOf(role string) int {
	for _, r := range ladder {
		if r.name == role {
			return r.level
		}
	}
	panic("unknown role " + role)
}

var (
	manageUsers   = func(c subject) bool { return c.level <= 2 }
	manageAbove   = func(c subject) bool { return c.level <= 2 && levelOf(c.above) >= c.level }
	adminOnly     = func(c subject) bool { return c.level <= 1 }
	sudoOnly      = func(c subject) bool { return c.level == 0 }
	never         = func(subject) bool { return false }
	always        = func(subject) bool { return true }
	userFirstName = func(m *matrix, id, want string) func() bool {
		return func() bool { return m.str(`SELECT first_name FROM users WHERE id = ?`, id) == want }
	}
)

func matrixCases() []matrixCase {
	createUser := func(role func(c subject) string) func(m *matrix, c subject) request {
		return func(m *matrix, c subject) request {
			n := m.name("new")
			return request{"POST", "/api/v1/users", map[string]any{"username": n, "email": n + "@example.com", "role": role(c)},
				func() bool { return m.count(`SELECT count(*) FROM users WHERE username = ?`, n) == 1 }}
		}
	}
	patchUser := func(role func(c subject) string) func(m *matrix, c subject) request {
		return func(m *matrix, c subject) request {
			id := m.user(role(c))
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"first_name": "Changed"}, userFirstName(m, id, "Changed")}
		}
	}
	setRole := func(target, to func(c subject) string) func(m *matrix, c subject) request {
		return func(m *matrix, c subject) request {
			id := m.user(target(c))
			want := to(c)
			// A role that is already the target's still counts only when the PATCH wrote (version 2).
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"role": want},
				func() bool {
					return m.count(`SELECT count(*) FROM users WHERE id = ? AND role = ? AND version > 1`, id, want) == 1
				}}
		}
	}
	deleteUser := func(role func(c subject) string) func(m *matrix, c subject) request {
		return func(m *matrix, c subject) request {
			id := m.user(role(c))
			return request{"DELETE", "/api/v1/users/" + id, nil,
				func() bool { return m.count(`SELECT count(*) FROM users WHERE id = ?`, id) == 0 }}
		}
	}
	resetPassword := func(role func(c subject) string) func(m *matrix, c subject) request {
		return func(m *matrix, c subject) request {
			id := m.user(role(c))
			return request{"PUT", "/api/v1/users/" + id + "/password", map[string]any{"new_password": "a-new-password"},
				func() bool { return m.str(`SELECT password_hash FROM users WHERE id = ?`, id) != "" }}
		}
	}
	guest := func(subject) string { return "guest" }
	sudo := func(subject) string { return "sudo" }
	own := func(c subject) string { return c.role }
	above := func(c subject) string { return c.above }
	system := func(m *matrix) string { return m.s.SystemUserID }

	return []matrixCase{
		{name: "create a guest user", allow: manageUsers, status: 201, prep: createUser(guest)},
		{name: "create a user with the caller's own role", allow: manageUsers, status: 201, prep: createUser(own)},
		{name: "create a user with a more privileged role", allow: manageAbove, status: 201, prep: createUser(above)},
		{name: "create a sudo user", allow: sudoOnly, status: 201, prep: createUser(sudo)},
		{name: "change a guest's profile", allow: manageUsers, status: 200, prep: patchUser(guest)},
		{name: "change a peer's profile", allow: manageUsers, status: 200, prep: patchUser(own)},
		{name: "change a more privileged user's profile", allow: manageAbove, status: 200, prep: patchUser(above)},
		{name: "promote a guest to sudo", allow: sudoOnly, status: 200, prep: setRole(guest, sudo)},
		{name: "promote a guest to the caller's role", allow: manageUsers, status: 200, prep: setRole(guest, own)},
		{name: "promote a guest above the caller's role", allow: manageAbove, status: 200, prep: setRole(guest, above)},
		{name: "demote a more privileged user to guest", allow: manageAbove, status: 200, prep: setRole(above, guest)},
		{name: "send a guest an empty change", allow: manageUsers, status: 200, prep: func(m *matrix, _ subject) request {
			id := m.user("guest")
			// An empty change stores nothing (the version stays), so the
			// effect to look for is the audited success.
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{},
				func() bool { return m.count(auditedUpdates, id) > 0 }}
		}},
		{name: "send the system user an empty change", allow: sudoOnly, status: 200, prep: func(m *matrix, _ subject) request {
			before := m.count(auditedUpdates, system(m))
			return request{"PATCH", "/api/v1/users/" + system(m), map[string]any{"disabled": false},
				func() bool { return m.count(auditedUpdates, system(m)) != before }}
		}},
		{name: "disable a guest", allow: manageUsers, status: 200, prep: func(m *matrix, _ subject) request {
			id := m.user("guest")
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"disabled": true},
				func() bool { return m.count(`SELECT disabled FROM users WHERE id = ?`, id) == 1 }}
		}},
		{name: "disable a more privileged user", allow: manageAbove, status: 200, prep: func(m *matrix, c subject) request {
			id := m.user(c.above)
			return request{"PATCH", "/api/v1/users/" + id, map[string]any{"disabled": true},
				func() bool { return m.count(`SELECT disabled FROM users WHERE id = ?`, id) == 1 }}
		}},
		{name: "delete a guest", allow: manageUsers, status: 204, prep: deleteUser(guest)},
		{name: "delete a more privileged user", allow: manageAbove, status: 204, prep: deleteUser(above)},
		{name: "reset a guest's password", allow: manageUsers, status: 204, prep: resetPassword(guest)},
		{name: "reset a more privileged user's password", allow: manageAbove, status: 204, prep: resetPassword(above)},
		{name: "disable the system user", allow: never, prep: func(m *matrix, _ subject) request {
			return request{"PATCH", "/api/v1/users/" + system(m), map[string]any{"disabled": true},
				func() bool { return m.count(`SELECT disabled FROM users WHERE id = ?`, system(m)) == 1 }}
		}},
		{name: "demote the system user", allow: never, prep: func(m *matrix, _ subject) request {
			return request{"PATCH", "/api/v1/users/" + system(m), map[string]any{"role": "guest"},
				func() bool { return m.str(`SELECT role FROM users WHERE id = ?`, system(m)) != "sudo" }}
		}},
		{name: "delete the system user", allow: never, prep: func(m *matrix, _ subject) request {
			return request{"DELETE", "/api/v1/users/" + system(m), nil,
				func() bool { return m.count(`SELECT count(*) FROM users WHERE id = ?`, system(m)) == 0 }}
		}},
		{name: "reset the system user's password", allow: never, prep: func(m *matrix, _ subject) request {
			before := m.str(`SELECT password_hash FROM users WHERE id = ?`, system(m))
			return request{"PUT", "/api/v1/users/" + system(m) + "/password", map[string]any{"new_password": "hijacked-password"},
				func() bool { return m.str(`SELECT password_hash FROM users WHERE id = ?`, system(m)) != before }}
		}},

		{name: "change one's own profile", allow: always, status: 200, userOnly: true, prep: func(m *matrix, c subject) request {
			want := m.name("Self")
			return request{"PATCH", "/api/v1/users/" + c.userID, map[string]any{"first_name": want}, userFirstName(m, c.userID, want)}
		}},
		{name: "promote oneself one role up", allow: manageAbove, status: 200, userOnly: true, prep: func(m *matrix, c subject) request {
			return request{"PATCH", "/api/v1/users/" + c.userID, map[string]any{"role": c.above},
				func() bool { return m.str(`SELECT role FROM users WHERE id = ?`, c.userID) == c.above }}
		}},
		{name: "promote oneself to sudo", allow: sudoOnly, status: 200, userOnly: true, prep: func(m *matrix, c subject) request {
			return request{"PATCH", "/api/v1/users/" + c.userID, map[string]any{"role": "sudo"},
				func() bool { return m.str(`SELECT role FROM users WHERE id = ?`, c.userID) == "sudo" }}
		}},

		{name: "create a role below the caller", allow: adminOnly, status: 201, prep: func(m *matrix, _ subject) request {
			n := m.name("role")
			return request{"POST", "/api/v1/roles", map[string]any{"name": n, "level": 500},
				func() bool { return m.count(`SELECT count(*) FROM roles WHERE name = ?`, n) == 1 }}
		}},
		{name: "create a role at the caller's level", allow: never, prep: func(m *matrix, c subject) request {
			n := m.name("role")
			return request{"POST", "/api/v1/roles", map[string]any{"name": n, "level": c.level},
				func() bool { return m.count(`SELECT count(*) FROM roles WHERE name = ?`, n) == 1 }}
		}},
		{name: "create a level-0 role", allow: never, prep: func(m *matrix, _ subject) request {
			n := m.name("role")
			return request{"POST", "/api/v1/roles", map[string]any{"name": n, "level": 0},
				func() bool { return m.count(`SELECT count(*) FROM roles WHERE name = ?`, n) == 1 }}
		}},
		{name: "describe a custom role", allow: adminOnly, status: 200, prep: func(m *matrix, _ subject) request {
			n := m.customRole(500)
			return request{"PATCH", "/api/v1/roles/" + n, map[string]any{"description": "changed"},
				func() bool { return m.str(`SELECT description FROM roles WHERE name = ?`, n) == "changed" }}
		}},
		{name: "move a custom role to the caller's level", allow: never, prep: func(m *matrix, c subject) request {
			n := m.customRole(500)
			return request{"PATCH", "/api/v1/roles/" + n, map[string]any{"level": c.level},
				func() bool { return m.count(`SELECT level FROM roles WHERE name = ?`, n) != 500 }}
		}},
		{name: "delete a custom role", allow: adminOnly, status: 204, prep: func(m *matrix, _ subject) request {
			n := m.customRole(500)
			return request{"DELETE", "/api/v1/roles/" + n, nil,
				func() bool { return m.count(`SELECT count(*) FROM roles WHERE name = ?`, n) == 0 }}
		}},
		{name: "change a built-in role's level", allow: never, prep: func(m *matrix, _ subject) request {
			return request{"PATCH", "/api/v1/roles/guest", map[string]any{"level": 300},
				func() bool { return m.count(`SELECT level FROM roles WHERE name = 'guest'`) != 256 }}
		}},
		{name: "delete a built-in role", allow: never, prep: func(m *matrix, _ subject) request {
			return request{"DELETE", "/api/v1/roles/auditor", nil,
				func() bool { return m.count(`SELECT count(*) FROM roles WHERE name = 'auditor'`) == 0 }}
		}},

		{name: "create a group", allow: adminOnly, status: 201, prep: func(m *matrix, _ subject) request {
			n := m.name("G")
			return request{"POST", "/api/v1/groups", map[string]any{"name": n},
				func() bool { return m.count(`SELECT count(*) FROM groups_ WHERE name = ?`, n) == 1 }}
		}},
		{name: "rename a group", allow: adminOnly, status: 200, prep: func(m *matrix, _ subject) request {
			id, n := m.group(), m.name("Renamed")
			return request{"PATCH", "/api/v1/groups/" + id, map[string]any{"name": n},
				func() bool { return m.str(`SELECT name FROM groups_ WHERE id = ?`, id) == n }}
		}},
		{name: "delete a group", allow: adminOnly, status: 204, prep: func(m *matrix, _ subject) request {
			id := m.group()
			return request{"DELETE", "/api/v1/groups/" + id, nil,
				func() bool { return m.count(`SELECT count(*) FROM groups_ WHERE id = ?`, id) == 0 }}
		}},
		{name: "replace a group's member set", allow: adminOnly, status: 200, prep: func(m *matrix, _ subject) request {
			id, u := m.group(), m.user("guest")
			return request{"PUT", "/api/v1/groups/" + id + "/members", map[string]any{"user_ids": []string{u}},
				func() bool { return m.count(`SELECT count(*) FROM memberships WHERE group_id = ?`, id) == 1 }}
		}},
		{name: "add a member", allow: adminOnly, status: 200, prep: func(m *matrix, _ subject) request {
			id, u := m.group(), m.user("guest")
			return request{"PUT", "/api/v1/groups/" + id + "/members/" + u, nil,
				func() bool { return m.count(`SELECT count(*) FROM memberships WHERE group_id = ?`, id) == 1 }}
		}},
		{name: "remove a member", allow: adminOnly, status: 204, prep: func(m *matrix, _ subject) request {
			id, u := m.group(), m.user("guest")
			m.sys.must(200, "PUT", "/api/v1/groups/"+id+"/members/"+u, nil)
			return request{"DELETE", "/api/v1/groups/" + id + "/members/" + u, nil,
				func() bool { return m.count(`SELECT count(*) FROM memberships WHERE group_id = ?`, id) == 0 }}
		}},
		{name: "add oneself to a group", allow: adminOnly, status: 200, userOnly: true, prep: func(m *matrix, c subject) request {
			id := m.group()
			return request{"PUT", "/api/v1/groups/" + id + "/members/" + c.userID, nil,
				func() bool { return m.count(`SELECT count(*) FROM memberships WHERE group_id = ?`, id) == 1 }}
		}},

		// Grants go to fresh custom roles: a grant to a built-in role would
		// reach later subjects' targets and change what they may do to them.
		{name: "grant VIEW_PROJECT on a project to a role", allow: adminOnly, status: 201, prep: func(m *matrix, _ subject) request {
			scope := "project:" + m.name("p")
			return request{"POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": scope, "role": m.customRole(500)},
				func() bool { return m.count(`SELECT count(*) FROM permissions WHERE scope = ?`, scope) == 1 }}
		}},
		{name: "grant SUPER_ADMIN to a guest", allow: sudoOnly, status: 201, prep: func(m *matrix, _ subject) request {
			u := m.user("guest")
			return request{"POST", "/api/v1/permissions", map[string]any{"operation": "SUPER_ADMIN", "scope": "global", "user_id": u},
				func() bool { return m.count(`SELECT count(*) FROM permissions WHERE user_id = ?`, u) == 1 }}
		}},
		{name: "grant SUPER_ADMIN to oneself", allow: sudoOnly, status: 201, userOnly: true, prep: func(m *matrix, c subject) request {
			return request{"POST", "/api/v1/permissions", map[string]any{"operation": "SUPER_ADMIN", "scope": "global", "user_id": c.userID},
				func() bool {
					return m.count(`SELECT count(*) FROM permissions WHERE user_id = ? AND operation = 'SUPER_ADMIN'`, c.userID) == 1
				}}
		}},
		{name: "revoke a permission", allow: adminOnly, status: 204, prep: func(m *matrix, _ subject) request {
			id := m.sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:" + m.name("p"), "role": m.customRole(500)}).str("id")
			return request{"DELETE", "/api/v1/permissions/" + id, nil,
				func() bool { return m.count(`SELECT count(*) FROM permissions WHERE id = ?`, id) == 0 }}
		}},

		{name: "mint a guest token", allow: sudoOnly, status: 201, prep: func(m *matrix, _ subject) request {
			d := m.name("tok")
			return request{"POST", "/api/v1/tokens", map[string]any{"role": "guest", "description": d},
				func() bool { return m.count(`SELECT count(*) FROM tokens WHERE description = ?`, d) == 1 }}
		}},
		{name: "mint a sudo token", allow: sudoOnly, status: 201, prep: func(m *matrix, _ subject) request {
			d := m.name("tok")
			return request{"POST", "/api/v1/tokens", map[string]any{"role": "sudo", "description": d},
				func() bool { return m.count(`SELECT count(*) FROM tokens WHERE description = ?`, d) == 1 }}
		}},
		{name: "revoke a token", allow: sudoOnly, status: 204, prep: func(m *matrix, _ subject) request {
			id := m.sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "guest"}).str("id")
			return request{"DELETE", "/api/v1/tokens/" + id, nil,
				func() bool { return m.count(`SELECT count(*) FROM tokens WHERE id = ?`, id) == 0 }}
		}},
	}
}

// TestPrivilegeMatrix sends every write endpoint as a user session and as a
// third-party token of every built-in role, and asserts the exact allow/deny
// of "Who may do what": the status, that a refusal is a 403 problem naming
// the rule and is audited once as denied, that an allowed write is audited
// once as a success, and on the server that the change happened exactly when
// it was allowed.
func TestPrivilegeMatrix(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	m := &matrix{t: t, s: s, sys: as(t, s, s.Token)}
	m.db = db(t, s)

	var subjects []subject
	for i, r := range ladder {
		up := ladder[max(i-1, 0)].name
		id, tok := mkUser(t, s, "caller-"+r.name, r.name)
		subjects = append(subjects, subject{role: r.name, level: r.level, cred: tok, userID: id, actor: "caller-" + r.name, above: up})
		tr := m.sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": r.name, "description": "matrix " + r.name})
		subjects = append(subjects, subject{role: r.name, level: r.level, token: true, cred: tr.str("token"), actor: "token:" + tr.str("id"), above: up})
	}

	allowed, denied := 0, 0
	for _, c := range subjects {
		for _, mc := range matrixCases() {
			if mc.userOnly && c.token {
				continue
			}
			want := mc.allow(c)
			m.send(c, mc.name, mc.prep(m, c), want, mc.status)
			if want {
				allowed++
			} else {
				denied++
			}
		}
		// Undo a self-promotion so the next case starts from the subject's own role.
		if c.userID != "" {
			m.sys.must(200, "PATCH", "/api/v1/users/"+c.userID, map[string]any{"role": c.role})
		}
	}
	t.Logf("privilege matrix: %d subjects, %d write actions, %d allowed and %d denied requests checked",
		len(subjects), len(matrixCases()), allowed, denied)
}

// send makes req as c and asserts the outcome: when want, the success
// status and one success audit record; otherwise a 403 problem naming the
// rule and one denied audit record; and on the server that the change took
// effect exactly when it was allowed.
func (m *matrix) send(c subject, action string, req request, want bool, status int) {
	t := m.t
	t.Helper()
	deniedBefore, succeededBefore := m.audited(c, "denied"), m.audited(c, "success")
	r := as(t, m.s, c.cred).do(req.method, req.path, req.body)
	label := fmt.Sprintf("%s: %s (%s %s)", c, action, req.method, req.path)
	if want {
		if r.status != status {
			t.Errorf("%s: status %d, want %d (allowed): %s", label, r.status, status, r.raw)
		}
		if n := m.audited(c, "success") - succeededBefore; n != 1 {
			t.Errorf("%s: %d success audit records, want 1", label, n)
		}
	} else {
		if r.status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403: %s", label, r.status, r.raw)
		} else {
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: refusal content type %q", label, ct)
			}
			if detail := r.str("detail"); detail == "" || !strings.Contains(r.str("type"), "forbidden") {
				t.Errorf("%s: refusal without a rule: %s", label, r.raw)
			}
		}
		if n := m.audited(c, "denied") - deniedBefore; n != 1 {
			t.Errorf("%s: %d denied audit records, want 1", label, n)
		}
	}
	if got := req.applied(); got != want {
		t.Errorf("%s: change applied = %v, want %v", label, got, want)
	}
}

// auditedUpdates counts the successful updates of one user in the audit log.
const auditedUpdates = `SELECT count(*) FROM audit WHERE object_type = 'user' AND object_id = ? AND action = 'user.update' AND outcome = 'success'`
