package testserver_test

import (
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// TestGrantRules_NoEscalationThroughAnotherAccount: whoever sets a password
// can sign in as the account, so a user manager never resets the password of
// (nor disables, nor re-roles) a user holding grants the manager lacks.
func TestGrantRules_NoEscalationThroughAnotherAccount(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	_, supTok := mkUser(t, s, "sue", "supervisor")
	sup := as(t, s, supTok)
	delegateID, _ := mkUser(t, s, "delegate", "guest")
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "tenant:acme", "user_id": delegateID})

	// The chain: reset the delegate's password, then sign in as it. It stops
	// at the reset, which changes nothing.
	before := scalar(t, s, `SELECT password_hash FROM users WHERE id = ?`, delegateID)
	r := sup.must(403, "PUT", "/api/v1/users/"+delegateID+"/password", map[string]any{"new_password": "taken-over-pw"})
	if !strings.Contains(r.str("detail"), "the user holds grants the caller does not hold") || strings.Contains(r.str("detail"), "tenant:acme") {
		t.Fatalf("refusal %q", r.str("detail"))
	}
	if after := scalar(t, s, `SELECT password_hash FROM users WHERE id = ?`, delegateID); after != before {
		t.Fatal("the password changed")
	}
	as(t, s, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "delegate", "password": "taken-over-pw"})
	sup.must(403, "PATCH", "/api/v1/users/"+delegateID, map[string]any{"role": "operator"})
	sup.must(403, "PATCH", "/api/v1/users/"+delegateID, map[string]any{"disabled": true})

	// A grant reaching the account through a group counts the same.
	plainID, _ := mkUser(t, s, "plain", "guest")
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Deployers"}).str("id")
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme", "group_id": gid})
	sup.must(204, "PUT", "/api/v1/users/"+plainID+"/password", map[string]any{"new_password": "reset-by-sue"})
	sys.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+plainID, nil)
	sup.must(403, "PUT", "/api/v1/users/"+plainID+"/password", map[string]any{"new_password": "reset-again"})

	// Holding what the account holds (here on a containing scope) lifts it.
	supID := scalar(t, s, `SELECT id FROM users WHERE username = 'sue'`)
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "global", "user_id": supID})
	sup.must(204, "PUT", "/api/v1/users/"+plainID+"/password", map[string]any{"new_password": "reset-again"})
	login(t, s, "plain", "reset-again")

	// An admin covers every grant but SUPER_ADMIN.
	_, adminTok := mkUser(t, s, "ada", "admin")
	admin := as(t, s, adminTok)
	admin.must(204, "PUT", "/api/v1/users/"+delegateID+"/password", map[string]any{"new_password": "reset-by-ada"})
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "SUPER_ADMIN", "scope": "global", "user_id": plainID})
	admin.must(403, "PUT", "/api/v1/users/"+plainID+"/password", map[string]any{"new_password": "reset-by-ada"})

	// A MODIFY_USER holder is capped by level and by the target's grants.
	modID, modTok := mkUser(t, s, "mod", "operator")
	mod := as(t, s, modTok)
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_USER", "scope": "global", "user_id": modID})
	fresh, _ := mkUser(t, s, "fresh", "guest")
	mod.must(204, "PUT", "/api/v1/users/"+fresh+"/password", map[string]any{"new_password": "reset-by-mod"})
	mod.must(403, "PUT", "/api/v1/users/"+delegateID+"/password", map[string]any{"new_password": "reset-by-mod"})
	mod.must(403, "PUT", "/api/v1/users/"+supID+"/password", map[string]any{"new_password": "reset-by-mod"})
	mod.must(403, "PATCH", "/api/v1/users/"+modID, map[string]any{"role": "supervisor"})
	mod.must(403, "DELETE", "/api/v1/users/"+fresh, nil)
}

// TestGrantRules_SelfRenewingDelegation: a delegate cannot keep its
// delegation alive past a revocation by handing its ADMIN_* operation to
// its role, its group, another account or itself; once revoked it ends at
// once.
func TestGrantRules_SelfRenewingDelegation(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	delegateID, delegateTok := mkUser(t, s, "delegate", "guest")
	accompliceID, _ := mkUser(t, s, "accomplice", "guest")
	targetID, _ := mkUser(t, s, "target", "guest")
	delegate := as(t, s, delegateTok)
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Acme admins"}).str("id")
	sys.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+delegateID, nil)
	adminGrant := sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "tenant:acme", "user_id": delegateID}).str("id")
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_TENANT", "scope": "tenant:acme", "user_id": delegateID})

	for _, to := range []map[string]any{{"role": "guest"}, {"group_id": gid}, {"user_id": accompliceID}, {"user_id": delegateID}} {
		body := map[string]any{"operation": "ADMIN_TENANT", "scope": "tenant:acme"}
		for k, v := range to {
			body[k] = v
		}
		r := delegate.must(403, "POST", "/api/v1/permissions", body)
		if !strings.Contains(r.str("detail"), "ADMIN_*") && !strings.Contains(r.str("detail"), "role") {
			t.Errorf("grant to %v: refusal %q", to, r.str("detail"))
		}
	}
	// Nor through a broader scope, nor through SUPER_ADMIN.
	delegate.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "global", "user_id": accompliceID})
	delegate.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "SUPER_ADMIN", "scope": "global", "user_id": accompliceID})
	// It may still hand on what it holds, to users and groups.
	delegate.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_TENANT", "scope": "tenant:acme", "group_id": gid})
	if n := count(t, s, `SELECT count(*) FROM permissions WHERE operation LIKE 'ADMIN_%' OR operation = 'SUPER_ADMIN'`); n != 1 {
		t.Fatalf("%d delegating grants exist, want the one the system user made", n)
	}

	// Revoked, the delegation ends with the very next request.
	sys.must(204, "DELETE", "/api/v1/permissions/"+adminGrant, nil)
	delegate.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "MODIFY_TENANT", "scope": "tenant:acme", "user_id": targetID})
	delegate.must(403, "GET", "/api/v1/permissions", nil)
	r := sys.must(200, "GET", accessQuery(delegateID, "ADMIN_TENANT", "tenant:acme", false), nil)
	if allowed(r) {
		t.Fatalf("the delegate still holds ADMIN_TENANT: %s", r.raw)
	}
}

// TestGrantRules_WhoGrants: a delegate grants only what it holds; nobody
// but level 0 grants or revokes SUPER_ADMIN; delegates grant to no role.
func TestGrantRules_WhoGrants(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	delegateID, delegateTok := mkUser(t, s, "delegate", "operator")
	targetID, _ := mkUser(t, s, "target", "guest")
	_, adminTok := mkUser(t, s, "ada", "admin")
	delegate, admin := as(t, s, delegateTok), as(t, s, adminTok)
	adminToken := as(t, s, sys.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "admin"}).str("token"))
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_INVENTORY", "scope": "tenant:acme", "user_id": delegateID})

	deploy := map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme/inventory:prod", "user_id": targetID}
	r := delegate.must(403, "POST", "/api/v1/permissions", deploy)
	if !strings.Contains(r.str("detail"), "hands on only what it holds, and it does not hold DEPLOY_INVENTORY there") {
		t.Fatalf("refusal %q", r.str("detail"))
	}
	sys.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme/inventory:prod", "role": "operator"})
	delegate.must(201, "POST", "/api/v1/permissions", deploy)
	r = delegate.must(403, "POST", "/api/v1/permissions", map[string]any{"operation": "DEPLOY_INVENTORY", "scope": "tenant:acme/inventory:prod", "role": "guest"})
	if !strings.Contains(r.str("detail"), "to a role") {
		t.Fatalf("refusal %q", r.str("detail"))
	}

	superAdmin := map[string]any{"operation": "SUPER_ADMIN", "scope": "global", "user_id": targetID}
	for _, c := range []api{admin, adminToken} {
		r := c.must(403, "POST", "/api/v1/permissions", superAdmin)
		if !strings.Contains(r.str("detail"), "only level 0 grants and revokes SUPER_ADMIN") {
			t.Fatalf("refusal %q", r.str("detail"))
		}
	}
	admin.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "ADMIN_TENANT", "scope": "global", "user_id": targetID})
	id := sys.must(201, "POST", "/api/v1/permissions", superAdmin).str("id")
	admin.must(403, "DELETE", "/api/v1/permissions/"+id, nil)
	sys.must(204, "DELETE", "/api/v1/permissions/"+id, nil)
}
