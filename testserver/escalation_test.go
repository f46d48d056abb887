package testserver_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/seed/terraform-provider-identity/testserver"
)

const testSigningKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// sign makes a JWT with the given method and key, as an attacker (or a holder of the key) would.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEscalation_ForgedAndDeadTokens proves that only a live token signed
// with the server's key and HS256 authenticates, and that it acts with the
// role stored on the server, not the one in its claims.
func TestEscalation_ForgedAndDeadTokens(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{SigningKey: testSigningKey})
	sys := as(t, s, s.Token)
	sudoTok := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "sudo"})
	guestTok := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "guest"})
	now := time.Now()
	claims := func(jti, role string, extra ...any) jwt.MapClaims {
		c := jwt.MapClaims{"jti": jti, "role": role, "iss": "identity-server", "iat": now.Unix()}
		for i := 0; i+1 < len(extra); i += 2 {
			k, _ := extra[i].(string)
			c[k] = extra[i+1]
		}
		return c
	}
	key := []byte(testSigningKey)

	// The genuine token works, so every 401 below is the forgery's doing.
	as(t, s, sudoTok.str("token")).must(200, "GET", "/api/v1/me", nil)

	forged := map[string]string{
		"alg none": sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(sudoTok.str("id"), "sudo")),
		"signed with another key": sign(t, jwt.SigningMethodHS256,
			[]byte("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), claims(sudoTok.str("id"), "sudo")),
		"HS512 with the server's key": sign(t, jwt.SigningMethodHS512, key, claims(sudoTok.str("id"), "sudo")),
		"expired exp claim":           sign(t, jwt.SigningMethodHS256, key, claims(sudoTok.str("id"), "sudo", "exp", now.Add(-time.Minute).Unix())),
		"issued in the future":        sign(t, jwt.SigningMethodHS256, key, claims(sudoTok.str("id"), "sudo", "iat", now.Add(time.Hour).Unix())),
		"another issuer":              sign(t, jwt.SigningMethodHS256, key, claims(sudoTok.str("id"), "sudo", "iss", "evil")),
		"unknown token id":            sign(t, jwt.SigningMethodHS256, key, claims(uuid.NewString(), "sudo")),
		"no token id":                 sign(t, jwt.SigningMethodHS256, key, jwt.MapClaims{"role": "sudo", "iss": "identity-server", "iat": now.Unix()}),
		"signature stripped":          sudoTok.str("token")[:len(sudoTok.str("token"))-43] + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	}
	for name, tok := range forged {
		before := count(t, s, `SELECT count(*) FROM users`)
		for _, r := range []resp{
			as(t, s, tok).do("GET", "/api/v1/me", nil),
			as(t, s, tok).do("POST", "/api/v1/users", map[string]any{"username": "forged", "email": "forged@example.com", "role": "sudo"}),
		} {
			if r.status != 401 {
				t.Errorf("%s: status %d, want 401: %s", name, r.status, r.raw)
			}
		}
		if after := count(t, s, `SELECT count(*) FROM users`); after != before {
			t.Errorf("%s: a forged token created a user", name)
		}
	}

	// The role claim is not trusted: a guest token re-signed claiming sudo still acts as guest.
	tampered := sign(t, jwt.SigningMethodHS256, key, claims(guestTok.str("id"), "sudo"))
	if me := as(t, s, tampered).must(200, "GET", "/api/v1/me", nil); me.str("role") != "guest" {
		t.Errorf("tampered role claim: acting as %q, want guest", me.str("role"))
	}
	as(t, s, tampered).must(403, "POST", "/api/v1/users", map[string]any{"username": "tampered", "email": "tampered@example.com"})

	// Revoked: refused at once.
	sys.must(204, "DELETE", "/api/v1/tokens/"+guestTok.str("id"), nil)
	as(t, s, guestTok.str("token")).must(401, "GET", "/api/v1/me", nil)

	// Expired on the server (the JWT itself has no exp): refused.
	exp := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "sudo", "expires_at": now.Add(time.Hour).UTC().Format(time.RFC3339)})
	as(t, s, exp.str("token")).must(200, "GET", "/api/v1/me", nil)
	if _, err := db(t, s).Exec(`UPDATE tokens SET expires_at = ? WHERE id = ?`, now.Add(-time.Second).UTC().Format(time.RFC3339Nano), exp.str("id")); err != nil {
		t.Fatal(err)
	}
	as(t, s, exp.str("token")).must(401, "POST", "/api/v1/users", map[string]any{"username": "late", "email": "late@example.com"})

	// An expires_at in the past is refused at creation.
	if r := sys.must(400, "POST", "/api/v1/tokens", map[string]any{"role": "guest", "expires_at": "2000-01-01T00:00:00Z"}); r.fieldErr("expires_at") == "" {
		t.Errorf("past expires_at: no field error: %s", r.raw)
	}
}

// TestEscalation_TokenRoleLifecycle: a role in use by a token cannot be
// deleted; the token follows its role's level as it changes; once the token is
// revoked the role can go and the old secret stays dead.
func TestEscalation_TokenRoleLifecycle(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	sys.must(201, "POST", "/api/v1/roles", map[string]any{"name": "deployer", "level": 50})
	tok := sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "deployer"})
	caller := as(t, s, tok.str("token"))

	if r := sys.must(409, "DELETE", "/api/v1/roles/deployer", nil); r.str("detail") == "" {
		t.Errorf("409 without detail: %s", r.raw)
	}
	if me := caller.must(200, "GET", "/api/v1/me", nil); me.str("role") != "deployer" || me.body["level"] != float64(50) {
		t.Fatalf("token after refused role delete: %s", me.raw)
	}
	caller.must(200, "GET", "/api/v1/users", nil)

	// Demoting the role demotes the token at once: level 500 may no longer read.
	sys.must(200, "PATCH", "/api/v1/roles/deployer", map[string]any{"level": 500})
	caller.must(403, "GET", "/api/v1/users", nil)
	// Promoting it to 1 lets the token manage groups, but never mint tokens.
	sys.must(200, "PATCH", "/api/v1/roles/deployer", map[string]any{"level": 1})
	caller.must(201, "POST", "/api/v1/groups", map[string]any{"name": "ByToken"})
	caller.must(403, "POST", "/api/v1/tokens", map[string]any{"role": "guest"})
	// A level-1 token cannot move its own role to level 0 or delete it.
	caller.must(403, "PATCH", "/api/v1/roles/deployer", map[string]any{"level": 0})
	caller.must(403, "DELETE", "/api/v1/roles/deployer", nil)

	sys.must(204, "DELETE", "/api/v1/tokens/"+tok.str("id"), nil)
	sys.must(204, "DELETE", "/api/v1/roles/deployer", nil)
	caller.must(401, "GET", "/api/v1/me", nil)
	// Recreating a role of the same name does not revive the token.
	sys.must(201, "POST", "/api/v1/roles", map[string]any{"name": "deployer", "level": 1})
	caller.must(401, "GET", "/api/v1/me", nil)
}

// TestEscalation_DeadSessions: sessions of disabled, deleted and logged-out
// users stop at once, and re-enabling does not revive a session.
func TestEscalation_DeadSessions(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	disabledID, disabled := mkUser(t, s, "to-disable", "admin")
	deletedID, deleted := mkUser(t, s, "to-delete", "admin")
	_, loggedOut := mkUser(t, s, "to-logout", "admin")

	sys.must(200, "PATCH", "/api/v1/users/"+disabledID, map[string]any{"disabled": true})
	sys.must(204, "DELETE", "/api/v1/users/"+deletedID, nil)
	as(t, s, loggedOut).must(204, "POST", "/api/v1/logout", nil)
	for name, tok := range map[string]string{"disabled": disabled, "deleted": deleted, "logged out": loggedOut} {
		as(t, s, tok).must(401, "POST", "/api/v1/groups", map[string]any{"name": "Sneaky " + name})
	}
	sys.must(200, "PATCH", "/api/v1/users/"+disabledID, map[string]any{"disabled": false})
	as(t, s, disabled).must(401, "GET", "/api/v1/me", nil)
	as(t, s, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "to-delete", "password": "password-to-delete"})
	if n := count(t, s, `SELECT count(*) FROM groups_ WHERE name LIKE 'Sneaky%'`); n != 0 {
		t.Errorf("%d groups created by dead sessions", n)
	}
}

// TestEscalation_DelegatedAdmin: a caller above level 1 holding an ADMIN_*
// operation grants, on that scope and what it contains, only operations it
// holds itself, to users and groups, never ADMIN_* operations, never to a
// role and never on global; directly or through a group, for as long as it
// holds the grant.
func TestEscalation_DelegatedAdmin(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	opID, opTok := mkUser(t, s, "delegate", "operator")
	targetID, _ := mkUser(t, s, "target", "guest")
	op := as(t, s, opTok)
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "tenant:acme", "user_id": opID})
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_TENANT", "scope": "tenant:acme", "user_id": opID})
	other := sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_TENANT", "scope": "tenant:other", "user_id": targetID})

	grant := func(status int, operation, scope string) resp {
		t.Helper()
		return op.must(status, "POST", "/api/v1/permissions", map[string]any{"operation": operation, "scope": scope, "user_id": targetID})
	}
	own := grant(201, "MODIFY_TENANT", "tenant:acme")
	grant(403, "CREATE_PROJECT", "tenant:acme") // not held
	grant(403, "ADMIN_TENANT", "tenant:acme")   // no ADMIN_* from a delegate
	grant(403, "MODIFY_TENANT", "tenant:other")
	grant(403, "SUPER_ADMIN", "global")
	grant(403, "CREATE_USER", "global")
	grant(403, "ADMIN_TENANT", "global")
	grant(403, "VIEW_PROJECT", "tenant:acme/project:web") // a project needs ADMIN_PROJECT
	grant(403, "VIEW_INVENTORY", "inventory:acme")
	op.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_TENANT", "scope": "tenant:acme", "role": "guest"})
	// Granting itself SUPER_ADMIN through its own user id is refused too.
	op.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "SUPER_ADMIN", "scope": "global", "user_id": opID})
	// It can revoke in its scope, not outside it; and it still cannot manage users.
	op.must(204, "DELETE", "/api/v1/permissions/"+own.str("id"), nil)
	op.must(403, "DELETE", "/api/v1/permissions/"+other.str("id"), nil)
	op.must(403, "POST", "/api/v1/users", map[string]any{"username": "x1", "email": "x1@example.com"})

	// Through a group: ADMIN_PROJECT and VIEW_PROJECT on tenant:acme reach
	// its projects, for as long as the delegate is a member.
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "WebAdmins"}).str("id")
	memberID, memberTok := mkUser(t, s, "web-admin", "auditor")
	member := as(t, s, memberTok)
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_PROJECT", "scope": "tenant:acme", "group_id": gid})
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme", "group_id": gid})
	viewWeb := map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme/project:web", "user_id": targetID}
	member.must(403, "POST", "/api/v1/permissions", viewWeb)
	sys.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+memberID, nil)
	member.must(201, "POST", "/api/v1/permissions", viewWeb)
	member.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:beta/project:web", "user_id": targetID})
	member.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "user_id": targetID})
	member.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_PROJECT", "scope": "tenant:acme/project:web", "user_id": targetID})
	sys.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+memberID, nil)
	member.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "tenant:acme/project:api", "user_id": targetID})

	// Global ADMIN_TENANT through the role delegates every tenant, for the
	// operations the delegate holds there, and still nothing on global.
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "global", "role": "operator"})
	grant(201, "MODIFY_TENANT", "tenant:acme")
	grant(403, "MODIFY_TENANT", "tenant:zeta") // not held there
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_TENANT", "scope": "global", "user_id": opID})
	grant(201, "MODIFY_TENANT", "tenant:zeta")
	grant(403, "SUPER_ADMIN", "global")
	grant(403, "MODIFY_TENANT", "global")
	if n := count(t, s, `SELECT count(*) FROM permissions WHERE operation = 'SUPER_ADMIN'`); n != 0 {
		t.Errorf("%d SUPER_ADMIN grants exist", n)
	}
}
