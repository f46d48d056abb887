package testserver_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/testserver"
)

func TestPermissions(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	aliceID, _ := mkUser(t, s, "alice", "guest")

	r := root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "user_id": aliceID})
	pid := r.str("id")
	if r.str("group_id") != "" || r.str("role") != "" || r.str("user_id") != aliceID || r.header.Get("ETag") != `"1"` {
		t.Fatalf("permission %s", r.raw)
	}
	root.must(409, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "user_id": aliceID})
	r = root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "FLY", "scope": "global", "role": "guest"})
	if !strings.Contains(r.fieldErr("operation"), "VIEW_PROJECT") {
		t.Fatalf("unknown operation does not list valid ones: %s", r.raw)
	}
	r = root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "SUPER_ADMIN", "scope": "tenant:acme", "role": "guest"})
	if !strings.Contains(r.fieldErr("operation"), "global") {
		t.Fatalf("wrong scope kind does not list valid ones: %s", r.raw)
	}
	root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "galaxy:x", "role": "guest"})
	root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "role": "guest", "user_id": aliceID})
	root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web"})
	root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "user_id": uuid.NewString()})
	root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "role": "nosuch"})
	root.must(400, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "group_id": "xyz"})
	if n := count(t, s, `SELECT count(*) FROM permissions`); n != 1 {
		t.Fatalf("permissions stored: %d", n)
	}
	check := func(q string, want int) {
		t.Helper()
		if n := len(root.must(200, "GET", "/api/v1/permissions?"+q, nil).items()); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_INVENTORY", "scope": "global", "role": "auditor"})
	check("user_id="+aliceID, 1)
	check("role=auditor", 1)
	check("scope=project:web", 1)
	check("operation=VIEW_INVENTORY", 1)
	check("operation=NOPE", 0)
	check("", 2)
	root.must(200, "GET", "/api/v1/permissions/"+pid, nil)
	root.must(403, "DELETE", "/api/v1/roles/auditor", nil) // built-ins never, in use or not
	root.must(204, "DELETE", "/api/v1/permissions/"+pid, nil)
	root.must(404, "DELETE", "/api/v1/permissions/"+pid, nil)
	if n := count(t, s, `SELECT count(*) FROM permissions WHERE id = ?`, pid); n != 0 {
		t.Fatal("not deleted")
	}
	// Deleting a user removes its grants.
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "user_id": aliceID})
	root.must(204, "DELETE", "/api/v1/users/"+aliceID, nil)
	if n := count(t, s, `SELECT count(*) FROM permissions WHERE user_id = ?`, aliceID); n != 0 {
		t.Fatal("grants outlived the user")
	}
}

// TestDelegatedPermissionAdministration: an ADMIN_* holder, however it
// holds it (a group, its role, directly), grants and revokes on its scope and
// below what it holds itself, and reads exactly those grants.
func TestDelegatedPermissionAdministration(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	leadID, leadTok := mkUser(t, s, "lead", "operator")
	targetID, _ := mkUser(t, s, "dev", "guest")
	lead := as(t, s, leadTok)
	grant := map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme/project:web", "user_id": targetID}

	r := lead.must(403, "POST", "/api/v1/permissions", grant)
	if !strings.Contains(r.str("detail"), "ADMIN_PROJECT on that scope or one containing it") {
		t.Fatalf("detail %q", r.str("detail"))
	}
	if o, st, _ := lastAudit(t, s, "permission.create"); o != "denied" || st != 403 {
		t.Fatalf("denied grant audit %s %d", o, st)
	}

	// Held through a group, on the tenant: its projects, not the tenant itself.
	gid := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Web leads"}).str("id")
	root.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+leadID, nil)
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_PROJECT", "scope": "tenant:acme", "group_id": gid})
	r = lead.must(403, "POST", "/api/v1/permissions", grant)
	if !strings.Contains(r.str("detail"), "hands on only what it holds, and it does not hold VIEW_PROJECT there") {
		t.Fatalf("detail %q", r.str("detail"))
	}
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme", "user_id": leadID})
	pid := lead.must(201, "POST", "/api/v1/permissions", grant).str("id")
	lead.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:other/project:web", "user_id": targetID})
	lead.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "global", "user_id": targetID})
	lead.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme", "user_id": targetID})
	lead.must(204, "DELETE", "/api/v1/permissions/"+pid, nil)

	// Held through the role, on global: any project, never global itself.
	root.must(200, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": []string{}})
	lead.must(403, "POST", "/api/v1/permissions", grant)
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_PROJECT", "scope": "global", "role": "operator"})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_PROJECT", "scope": "global", "role": "operator"})
	lead.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_PROJECT", "scope": "project:api", "user_id": targetID})
	lead.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_PROJECT", "scope": "global", "user_id": targetID})

	// Held directly, on a tenant.
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "tenant:acme", "user_id": leadID})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "CREATE_PROJECT", "scope": "tenant:acme", "user_id": leadID})
	lead.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "CREATE_PROJECT", "scope": "tenant:acme", "user_id": targetID})
	lead.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "CREATE_PROJECT", "scope": "tenant:other", "user_id": targetID})
	if n := count(t, s, `SELECT count(*) FROM permissions WHERE user_id = ?`, targetID); n != 2 {
		t.Fatalf("target grants %d", n)
	}
}

// TestDelegatedPermissionReading: a caller above level 100 reads, lists and
// so refreshes exactly the grants its ADMIN_* operations cover; a grant it
// may not read, and a grant that does not exist, get the same refusal.
func TestDelegatedPermissionReading(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	delegateID, delegateTok := mkUser(t, s, "delegate", "guest")
	targetID, _ := mkUser(t, s, "target", "guest")
	delegate := as(t, s, delegateTok)
	perm := func(operation, scope, userID string) string {
		return root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": operation, "scope": scope, "user_id": userID}).str("id")
	}

	// Without an ADMIN_* operation, nothing; not even whether a grant exists.
	inside := perm("VIEW_PROJECT", "tenant:acme/project:web", targetID)
	r := delegate.must(403, "GET", "/api/v1/permissions", nil)
	if !strings.Contains(r.str("detail"), "or an ADMIN_* operation on some scope") {
		t.Fatalf("detail %q", r.str("detail"))
	}
	refusal := delegate.must(403, "GET", "/api/v1/permissions/"+inside, nil).str("detail")

	own := perm("ADMIN_PROJECT", "tenant:acme", delegateID)
	tenantGrant := perm("MODIFY_TENANT", "tenant:acme", targetID)
	outside := perm("VIEW_PROJECT", "tenant:beta/project:secret", targetID)
	global := perm("VIEW_PROJECT", "global", targetID)
	inside2 := perm("MODIFY_PROJECT", "tenant:acme/project:api", targetID)

	if got := delegate.must(200, "GET", "/api/v1/permissions/"+inside, nil).str("scope"); got != "tenant:acme/project:web" {
		t.Fatalf("read scope %q", got)
	}
	for _, id := range []string{tenantGrant, outside, global, "00000000-0000-4000-8000-000000000000"} {
		r := delegate.must(403, "GET", "/api/v1/permissions/"+id, nil)
		if r.str("detail") != refusal || strings.Contains(string(r.raw), "secret") {
			t.Errorf("refusal for %s: %s, want %q", id, r.raw, refusal)
		}
		r = delegate.must(403, "DELETE", "/api/v1/permissions/"+id, nil)
		if strings.Contains(string(r.raw), "secret") || strings.Contains(string(r.raw), "MODIFY_TENANT") {
			t.Errorf("revoke refusal names the grant: %s", r.raw)
		}
	}
	// The unknown id and an existing unreadable grant are refused alike.
	unknown := delegate.must(403, "DELETE", "/api/v1/permissions/00000000-0000-4000-8000-000000000000", nil).str("detail")
	if got := delegate.must(403, "DELETE", "/api/v1/permissions/"+outside, nil).str("detail"); got != unknown {
		t.Errorf("revoke refusals differ: %q and %q", got, unknown)
	}

	// The list holds its projects' grants only, paged to the end.
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		r := delegate.must(200, "GET", "/api/v1/permissions?limit=1&cursor="+cursor, nil)
		for _, it := range r.items() {
			ids = append(ids, fmt.Sprint(it["id"]))
		}
		if cursor = r.str("next_cursor"); cursor == "" || pages > 10 {
			break
		}
	}
	want := []string{inside, inside2}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %v, want %v (own grant %s)", ids, want, own)
	}
	// Filters narrow further.
	if n := len(delegate.must(200, "GET", "/api/v1/permissions?operation=MODIFY_PROJECT", nil).items()); n != 1 {
		t.Fatalf("filtered list has %d items", n)
	}

	// Revoking the delegate's ADMIN_PROJECT ends its reading at once.
	root.must(204, "DELETE", "/api/v1/permissions/"+own, nil)
	delegate.must(403, "GET", "/api/v1/permissions", nil)
	delegate.must(403, "GET", "/api/v1/permissions/"+inside, nil)
}

func TestThirdPartyTokens(t *testing.T) {
	key := strings.Repeat("k", 40)
	s := testserver.Start(t, testserver.Options{SigningKey: key})
	root := as(t, s, s.Token)
	_, adminTok := mkUser(t, s, "ada", "admin")
	as(t, s, adminTok).must(403, "POST", "/api/v1/tokens", map[string]any{"role": "operator"})
	as(t, s, adminTok).must(403, "GET", "/api/v1/tokens", nil)

	r := root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "operator", "description": "CI"})
	tokID, secret := r.str("id"), r.str("token")
	if secret == "" || r.body["expires_at"] != nil || r.str("created_by") != s.SystemUserID {
		t.Fatalf("token %s", r.raw)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(secret, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	claims, ok := parsed.Claims.(jwt.MapClaims)
	if !ok {
		t.Fatalf("claims type %T", parsed.Claims)
	}
	if parsed.Method.Alg() != "HS256" || claims["jti"] != tokID || claims["role"] != "operator" || claims["iss"] != "identity-server" || claims["iat"] == nil {
		t.Fatalf("claims %v", claims)
	}
	if g := root.must(200, "GET", "/api/v1/tokens/"+tokID, nil); strings.Contains(string(g.raw), secret) || g.body["token"] != nil {
		t.Fatal("secret shown again")
	}
	if l := root.must(200, "GET", "/api/v1/tokens", nil); len(l.items()) != 1 || strings.Contains(string(l.raw), secret) {
		t.Fatalf("list %s", l.raw)
	}

	// The token acts with its role's level and is not a user.
	tp := as(t, s, secret)
	me := tp.must(200, "GET", "/api/v1/me", nil)
	if me.str("kind") != "token" || me.body["level"] != float64(10) || me.body["user"] != nil {
		t.Fatalf("me %s", me.raw)
	}
	api{t: t, s: s, token: secret, apiKey: true}.must(200, "GET", "/api/v1/users", nil)
	tp.must(403, "POST", "/api/v1/users", map[string]any{"username": "x", "email": "x@example.com"})
	tp.must(403, "POST", "/api/v1/logout", nil)
	tp.must(404, "PUT", "/api/v1/users/"+tokID+"/password", map[string]any{"new_password": "whatever-123", "current_password": "x"})
	guestID, _ := mkUser(t, s, "gus", "guest")
	tp.must(403, "PUT", "/api/v1/users/"+guestID+"/password", map[string]any{"new_password": "whatever-123", "current_password": "password-gus"})

	// Forged tokens are refused: alg none, another algorithm, another key.
	c := jwt.MapClaims{"jti": tokID, "role": "sudo", "iss": "identity-server", "iat": time.Now().Unix()}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, c).SignedString([]byte(key))
	otherKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(strings.Repeat("x", 40)))
	for _, forged := range []string{none, hs512, otherKey} {
		as(t, s, forged).must(401, "GET", "/api/v1/me", nil)
	}
	// The right key with role claims changed still acts with the stored role.
	good, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(key))
	if me := as(t, s, good).must(200, "GET", "/api/v1/me", nil); me.str("role") != "operator" {
		t.Fatalf("role from claims, not from the record: %s", me.raw)
	}

	// Revocation is effective at once.
	root.must(204, "DELETE", "/api/v1/tokens/"+tokID, nil)
	tp.must(401, "GET", "/api/v1/me", nil)
	root.must(404, "GET", "/api/v1/tokens/"+tokID, nil)
	if n := count(t, s, `SELECT count(*) FROM tokens WHERE id = ?`, tokID); n != 0 {
		t.Fatal("token row left")
	}

	// Expiry is honoured.
	root.must(400, "POST", "/api/v1/tokens", map[string]any{"role": "operator", "expires_at": "2001-01-01T00:00:00Z"})
	root.must(400, "POST", "/api/v1/tokens", map[string]any{"role": "operator", "expires_at": "tomorrow"})
	root.must(400, "POST", "/api/v1/tokens", map[string]any{"role": "nosuch"})
	exp := time.Now().Add(1200 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	r = root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "sudo", "expires_at": exp})
	short := as(t, s, r.str("token"))
	short.must(200, "GET", "/api/v1/tokens", nil)
	time.Sleep(1300 * time.Millisecond)
	short.must(401, "GET", "/api/v1/me", nil)

	// A role used by a token cannot be deleted.
	root.must(201, "POST", "/api/v1/roles", map[string]any{"name": "ci", "level": 20})
	tid := root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "ci"}).str("id")
	root.must(409, "DELETE", "/api/v1/roles/ci", nil)
	root.must(204, "DELETE", "/api/v1/tokens/"+tid, nil)
	root.must(204, "DELETE", "/api/v1/roles/ci", nil)
}

func TestAuditAndRouting(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	uid, guestTok := mkUser(t, s, "gus", "guest")
	as(t, s, guestTok).must(403, "GET", "/api/v1/audit", nil)
	as(t, s, guestTok).must(403, "DELETE", "/api/v1/users/"+uid, nil)

	r := root.must(200, "GET", "/api/v1/audit?object_id="+uid, nil)
	var actions []string
	for _, e := range r.items() {
		actions = append(actions, fmt.Sprint(e["action"], ":", e["outcome"]))
	}
	if strings.Join(actions, ",") != "user.create:success,session.login:success,user.delete:denied" {
		t.Fatalf("audit trail %v", actions)
	}
	if first := r.items()[0]; first["actor"] != "system" || first["actor_id"] != s.SystemUserID || first["status"] != float64(201) {
		t.Fatalf("audit event %v", first)
	}
	if n := len(root.must(200, "GET", "/api/v1/audit?actor=gus&action=user.delete", nil).items()); n != 1 {
		t.Fatalf("filtered audit %d", n)
	}
	if n := len(root.must(200, "GET", "/api/v1/audit?object_type=user&limit=1", nil).items()); n != 1 {
		t.Fatal("limit ignored")
	}

	// Unknown paths and methods get problem documents.
	anon := as(t, s, "")
	anon.must(404, "GET", "/api/v1/nothing", nil)
	if r := anon.must(405, "DELETE", "/api/v1/login", nil); r.header.Get("Allow") == "" {
		t.Fatal("405 without Allow")
	}
	if r := anon.must(200, "GET", "/healthz", nil); r.str("status") != "ok" {
		t.Fatalf("healthz %s", r.raw)
	}
}
