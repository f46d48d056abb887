package testserver_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// accessQuery builds GET /api/v1/access for a user (or, with token, a token).
func accessQuery(id, operation, scope string, token bool) string {
	key := "user_id"
	if token {
		key = "token_id"
	}
	return "/api/v1/access?" + url.Values{key: {id}, "operation": {operation}, "scope": {scope}}.Encode()
}

// vias renders a decision's via list as "kind:operation@scope[:group or role]" for comparison.
func vias(r resp) string {
	raw, _ := r.body["via"].([]any)
	var out []string
	for _, v := range raw {
		m, _ := v.(map[string]any)
		s := fmt.Sprintf("%v:%v@%v", m["kind"], m["operation"], m["scope"])
		if g, ok := m["group_name"]; ok {
			s += ":" + fmt.Sprint(g)
		}
		if role, ok := m["role"]; ok {
			s += ":" + fmt.Sprint(role)
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

func allowed(r resp) bool {
	b, _ := r.body["allowed"].(bool)
	return b
}

// TestAccess_Paths asks GET /api/v1/access about each way a grant reaches a
// principal: directly, through a group, through the role, SUPER_ADMIN, the
// level-0 rule, a token's role, and scope containment.
func TestAccess_Paths(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	aliceID, _ := mkUser(t, s, "alice", "operator")
	bobID, _ := mkUser(t, s, "bob", "guest")
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Dev", "organization": "Acme"}).str("id")
	sys.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+aliceID, nil)
	grant := func(body map[string]any) string {
		t.Helper()
		return sys.must(201, "POST", "/api/v1/permissions", body).str("id")
	}
	groupGrant := grant(map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme", "group_id": gid})
	userGrant := grant(map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme/inventory:prod", "user_id": aliceID})
	grant(map[string]any{"operation": "MODIFY_PROJECT", "scope": "global", "role": "operator"})
	grant(map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme/project:web", "user_id": aliceID})
	grant(map[string]any{"operation": "SUPER_ADMIN", "scope": "global", "user_id": bobID})
	tok := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "operator"})

	cases := []struct {
		name, id, operation, scope string
		token                      bool
		allowed                    bool
		via                        string
	}{
		{"group grant on the tenant reaches its project", aliceID, "VIEW_PROJECT", "tenant:acme/project:api", false, true,
			"group:VIEW_PROJECT@tenant:acme:Acme:Dev"},
		{"group and direct grants both listed, broadest first", aliceID, "VIEW_PROJECT", "tenant:acme/project:web", false, true,
			"group:VIEW_PROJECT@tenant:acme:Acme:Dev,user:VIEW_PROJECT@tenant:acme/project:web"},
		{"not another tenant's project", aliceID, "VIEW_PROJECT", "tenant:other/project:web", false, false, ""},
		{"not a project of no tenant", aliceID, "VIEW_PROJECT", "project:web", false, false, ""},
		{"direct grant on an inventory", aliceID, "DEPLOY_INVENTORY", "tenant:acme/inventory:prod", false, true,
			"user:DEPLOY_INVENTORY@tenant:acme/inventory:prod"},
		{"nothing on the tenant above it", aliceID, "DEPLOY_INVENTORY", "tenant:acme", false, false, ""},
		{"nothing on a sibling inventory", aliceID, "DEPLOY_INVENTORY", "tenant:acme/inventory:dev", false, false, ""},
		{"role grant on global reaches every project", aliceID, "MODIFY_PROJECT", "tenant:zeta/project:x", false, true,
			"role:MODIFY_PROJECT@global:operator"},
		{"SUPER_ADMIN implies every operation", bobID, "DEPLOY_INVENTORY", "inventory:prod", false, true,
			"user:SUPER_ADMIN@global"},
		{"level 0 holds everything without a grant", s.SystemUserID, "CREATE_USER", "global", false, true,
			"role:SUPER_ADMIN@global:sudo"},
		{"a token holds its role's grants", tok.str("id"), "MODIFY_PROJECT", "project:web", true, true,
			"role:MODIFY_PROJECT@global:operator"},
		{"a token holds no user's or group's grant", tok.str("id"), "VIEW_PROJECT", "tenant:acme", true, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := as(t, s, s.Token).must(200, "GET", accessQuery(c.id, c.operation, c.scope, c.token), nil)
			if allowed(r) != c.allowed || vias(r) != c.via {
				t.Fatalf("allowed %v via %q, want %v via %q: %s", allowed(r), vias(r), c.allowed, c.via, r.raw)
			}
			if v, ok := r.body["via"].([]any); !ok || (len(v) == 0) == c.allowed {
				t.Fatalf("via is not a list matching the decision: %s", r.raw)
			}
		})
	}

	// Every field of a via, for each kind.
	r := sys.must(200, "GET", accessQuery(aliceID, "VIEW_PROJECT", "tenant:acme/project:web", false), nil)
	via, _ := r.body["via"].([]any)
	first, _ := via[0].(map[string]any)
	if first["grant_id"] != groupGrant || first["group_id"] != gid || first["group_name"] != "Acme:Dev" || first["kind"] != "group" {
		t.Errorf("group via %v", first)
	}
	if _, ok := first["role"]; ok {
		t.Errorf("a group via carries a role: %v", first)
	}
	r = sys.must(200, "GET", accessQuery(aliceID, "DEPLOY_INVENTORY", "tenant:acme/inventory:prod", false), nil)
	via, _ = r.body["via"].([]any)
	direct, _ := via[0].(map[string]any)
	if direct["grant_id"] != userGrant || direct["kind"] != "user" || direct["group_id"] != nil {
		t.Errorf("user via %v", direct)
	}
	r = sys.must(200, "GET", accessQuery(s.SystemUserID, "SUPER_ADMIN", "global", false), nil)
	via, _ = r.body["via"].([]any)
	level0, _ := via[0].(map[string]any)
	if level0["grant_id"] != "" || level0["role"] != "sudo" {
		t.Errorf("level-0 via %v", level0)
	}
}

// TestAccess_TakesEffectAtOnce: membership, revocation and disabling change
// the next decision.
func TestAccess_TakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	aliceID, _ := mkUser(t, s, "alice", "guest")
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Release Managers", "organization": "Acme"}).str("id")
	pid := sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme", "group_id": gid}).str("id")
	q := accessQuery(aliceID, "DEPLOY_INVENTORY", "tenant:acme/inventory:prod", false)
	ask := func() bool { t.Helper(); return allowed(sys.must(200, "GET", q, nil)) }

	if ask() {
		t.Fatal("allowed before membership")
	}
	sys.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+aliceID, nil)
	if !ask() {
		t.Fatal("refused while a member")
	}
	sys.must(200, "PATCH", "/api/v1/users/"+aliceID, map[string]any{"disabled": true})
	if ask() {
		t.Fatal("a disabled user holds something")
	}
	if n := len(sys.must(200, "GET", "/api/v1/users/"+aliceID+"/effective-permissions", nil).items()); n != 0 {
		t.Fatalf("a disabled user has %d effective permissions", n)
	}
	sys.must(200, "PATCH", "/api/v1/users/"+aliceID, map[string]any{"disabled": false})
	if !ask() {
		t.Fatal("refused once enabled again")
	}
	sys.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+aliceID, nil)
	if ask() {
		t.Fatal("allowed after leaving the group")
	}
	sys.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+aliceID, nil)
	sys.must(204, "DELETE", "/api/v1/permissions/"+pid, nil)
	if ask() {
		t.Fatal("allowed after the grant was revoked")
	}
}

// TestAccess_EffectivePermissionsAndGroups: the effective permissions list
// every (operation, scope) in a stable order with its via list; the groups
// list pages like /groups; include=group_ids adds the ids to users.
func TestAccess_EffectivePermissionsAndGroups(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	aliceID, aliceTok := mkUser(t, s, "alice", "operator")
	otherID, _ := mkUser(t, s, "other", "guest")
	alice := as(t, s, aliceTok)
	g1 := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Dev", "organization": "Acme"}).str("id")
	g2 := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Ops"}).str("id")
	for _, g := range []string{g1, g2} {
		sys.must(200, "PUT", "/api/v1/groups/"+g+"/members/"+aliceID, nil)
	}
	for _, b := range []map[string]any{
		{"operation": "VIEW_PROJECT", "scope": "tenant:acme/project:web", "user_id": aliceID},
		{"operation": "VIEW_PROJECT", "scope": "tenant:acme", "group_id": g1},
		{"operation": "DEPLOY_INVENTORY", "scope": "inventory:prod", "group_id": g2},
		{"operation": "CREATE_PROJECT", "scope": "global", "role": "operator"},
		{"operation": "VIEW_PROJECT", "scope": "tenant:beta", "user_id": otherID},
	} {
		sys.must(201, "POST", "/api/v1/permissions", b)
	}

	r := alice.must(200, "GET", "/api/v1/users/"+aliceID+"/effective-permissions", nil)
	var got []string
	for _, it := range r.items() {
		vs, _ := it["via"].([]any)
		got = append(got, fmt.Sprintf("%v@%v(%d)", it["operation"], it["scope"], len(vs)))
	}
	want := "CREATE_PROJECT@global(1),VIEW_PROJECT@tenant:acme(1),VIEW_PROJECT@tenant:acme/project:web(2),DEPLOY_INVENTORY@inventory:prod(1)"
	if strings.Join(got, ",") != want {
		t.Fatalf("effective permissions %s, want %s", strings.Join(got, ","), want)
	}
	if again := alice.must(200, "GET", "/api/v1/users/"+aliceID+"/effective-permissions", nil); string(again.raw) != string(r.raw) {
		t.Fatal("effective permissions change between two reads")
	}

	// Groups: by full name, paged.
	r = alice.must(200, "GET", "/api/v1/users/"+aliceID+"/groups?limit=1", nil)
	if len(r.items()) != 1 || r.items()[0]["full_name"] != "Acme:Dev" || r.str("next_cursor") == "" {
		t.Fatalf("first page %s", r.raw)
	}
	r = alice.must(200, "GET", "/api/v1/users/"+aliceID+"/groups?limit=1&cursor="+r.str("next_cursor"), nil)
	if len(r.items()) != 1 || r.items()[0]["id"] != g2 || r.str("next_cursor") != "" {
		t.Fatalf("second page %s", r.raw)
	}
	if n := len(sys.must(200, "GET", "/api/v1/users/"+otherID+"/groups", nil).items()); n != 0 {
		t.Fatalf("other has %d groups", n)
	}

	// include=group_ids on the user and on the list.
	u := sys.must(200, "GET", "/api/v1/users/"+aliceID+"?include=group_ids", nil)
	ids := fmt.Sprint(u.body["group_ids"])
	if !strings.Contains(ids, g1) || !strings.Contains(ids, g2) {
		t.Fatalf("group_ids %s", ids)
	}
	if _, ok := sys.must(200, "GET", "/api/v1/users/"+aliceID, nil).body["group_ids"]; ok {
		t.Fatal("group_ids without include")
	}
	list := sys.must(200, "GET", "/api/v1/users?include=group_ids&limit=500", nil)
	for _, it := range list.items() {
		gids, ok := it["group_ids"].([]any)
		if !ok {
			t.Fatalf("user %v without group_ids", it["username"])
		}
		if wantN := map[string]int{aliceID: 2}[fmt.Sprint(it["id"])]; len(gids) != wantN {
			t.Fatalf("user %v has %d group ids, want %d", it["username"], len(gids), wantN)
		}
	}
	if r := sys.must(400, "GET", "/api/v1/users?include=roles", nil); r.fieldErr("include") == "" {
		t.Fatalf("bad include: %s", r.raw)
	}
}

// TestAccess_WhoMayAsk: readers ask about anyone, a user about itself; no
// answer tells a caller who may not ask whether the user exists.
func TestAccess_WhoMayAsk(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	guestID, guestTok := mkUser(t, s, "gus", "guest")
	otherID, _ := mkUser(t, s, "other", "guest")
	_, auditorTok := mkUser(t, s, "audrey", "auditor")
	guest, auditor := as(t, s, guestTok), as(t, s, auditorTok)
	tok := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "guest"})
	missing := "00000000-0000-4000-8000-000000000000"

	paths := func(id string) []string {
		return []string{
			accessQuery(id, "VIEW_PROJECT", "project:web", false),
			"/api/v1/users/" + id + "/effective-permissions",
			"/api/v1/users/" + id + "/groups",
		}
	}
	for _, p := range paths(guestID) {
		guest.must(200, "GET", p, nil)
		auditor.must(200, "GET", p, nil)
	}
	for i, p := range paths(otherID) {
		refusal := guest.must(403, "GET", p, nil).str("detail")
		if got := guest.must(403, "GET", paths(missing)[i], nil).str("detail"); got != refusal {
			t.Errorf("%s: refusal for a missing user %q differs from %q", p, got, refusal)
		}
		auditor.must(404, "GET", paths(missing)[i], nil)
	}
	// A token is asked about by readers only, itself included.
	guest.must(403, "GET", accessQuery(tok.str("id"), "VIEW_PROJECT", "project:web", true), nil)
	as(t, s, tok.str("token")).must(403, "GET", accessQuery(tok.str("id"), "VIEW_PROJECT", "project:web", true), nil)
	auditor.must(200, "GET", accessQuery(tok.str("id"), "VIEW_PROJECT", "project:web", true), nil)
	auditor.must(404, "GET", accessQuery(missing, "VIEW_PROJECT", "project:web", true), nil)
	if o, st, _ := lastAudit(t, s, "access.check"); o != "denied" || st != 403 {
		t.Fatalf("the refused question is audited %s %d", o, st)
	}
}

// TestAccess_BadQuestions: the catalogue refuses what a grant would refuse,
// with the same field messages, and the principal is named exactly once.
func TestAccess_BadQuestions(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	id := s.SystemUserID
	cases := []struct {
		name, query, field, want string
	}{
		{"unknown operation", accessQuery(id, "FLY", "global", false), "operation", "FLY"},
		{"operation the scope cannot take", accessQuery(id, "DEPLOY_INVENTORY", "tenant:acme/project:web", false), "operation", "inventory"},
		{"global-only operation on a tenant", accessQuery(id, "CREATE_USER", "tenant:acme", false), "operation", "global"},
		{"malformed scope", accessQuery(id, "VIEW_PROJECT", "tenant:acme//project:web", false), "scope", ""},
		{"missing scope", "/api/v1/access?user_id=" + id + "&operation=VIEW_PROJECT", "scope", "is required"},
		{"missing operation", "/api/v1/access?user_id=" + id + "&scope=global", "operation", "is required"},
		{"no principal", "/api/v1/access?operation=VIEW_PROJECT&scope=global", "user_id", "exactly one of user_id and token_id"},
		{"two principals", accessQuery(id, "VIEW_PROJECT", "global", false) + "&token_id=" + id, "token_id", "exactly one"},
		{"not a UUID", accessQuery("alice", "VIEW_PROJECT", "global", false), "user_id", "UUID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sys.must(400, "GET", c.query, nil)
			if msg := r.fieldErr(c.field); msg == "" || !strings.Contains(msg, c.want) {
				t.Fatalf("field %s: %q, want it to mention %q: %s", c.field, msg, c.want, r.raw)
			}
		})
	}
	// The same messages as a grant of the same operation and scope.
	grant := sys.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme/project:web", "user_id": id})
	question := sys.must(400, "GET", accessQuery(id, "DEPLOY_INVENTORY", "tenant:acme/project:web", false), nil)
	if grant.fieldErr("operation") != question.fieldErr("operation") {
		t.Errorf("grant says %q, access says %q", grant.fieldErr("operation"), question.fieldErr("operation"))
	}
}
