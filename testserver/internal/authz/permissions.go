package authz

import (
	"github.com/seed/terraform-provider-identity/internal/catalog"
)

// PermissionRef is a grant being made, revoked or read: Operation on Scope,
// ToRole when its principal is a role (a role grant reaches every user and
// token with that role).
type PermissionRef struct {
	Operation string
	Scope     catalog.Scope
	ToRole    bool
}

// GrantPermission allows granting p.
//
//   - Level 0 grants everything; level 1 everything but SUPER_ADMIN.
//   - Anyone else is a delegated admin: it needs the ADMIN_* operation of
//     the scope's kind (catalog.AdminOperationFor) on the scope or a scope
//     containing it, and must hold the operation there itself; it grants
//     neither ADMIN_* operations nor grants to a role, and nothing on global.
//
// The caller supplied the scope, so refusals may name it.
func GrantPermission(c Caller, p PermissionRef) error {
	return managePermission(c, p, "grant", p.Operation+" on "+p.Scope.String())
}

// RevokePermission allows revoking p by the rule of GrantPermission: a
// delegated admin revokes only what it could grant. A refusal names the
// grant only when the caller may read it (ReadPermission).
func RevokePermission(c Caller, p PermissionRef) error {
	if ReadPermission(c, p) != nil {
		return deny("%s cannot revoke this permission: it needs level %d or lower, or the ADMIN_* operation of the permission's scope kind on its scope or one containing it",
			c, catalog.LevelAdmin)
	}
	return managePermission(c, p, "revoke", p.Operation+" on "+p.Scope.String())
}

func managePermission(c Caller, p PermissionRef, verb, what string) error {
	if p.Operation == catalog.OpSuperAdmin && c.Level > catalog.LevelSudo {
		return deny("%s cannot %s %s: only level %d grants and revokes SUPER_ADMIN", c, verb, what, catalog.LevelSudo)
	}
	if c.Level <= catalog.LevelAdmin {
		return nil
	}
	adminOp := catalog.AdminOperationFor(p.Scope.Kind)
	if adminOp == "" {
		return deny("%s cannot %s %s: permissions on global need level %d or lower", c, verb, what, catalog.LevelAdmin)
	}
	if err := catalog.ValidateGrant(p.Operation, p.Scope); err != nil {
		return deny("%s cannot %s %s: %v", c, verb, what, err)
	}
	if !c.holds(adminOp, p.Scope) {
		return deny("%s cannot %s %s: it needs level %d or lower, or %s on that scope or one containing it",
			c, verb, what, catalog.LevelAdmin, adminOp)
	}
	if catalog.IsAdminOperation(p.Operation) {
		return deny("%s cannot %s %s: a delegated admin does not %s ADMIN_* operations; that needs level %d or lower",
			c, verb, what, verb, catalog.LevelAdmin)
	}
	if p.ToRole {
		preposition := map[string]string{"grant": "to", "revoke": "from"}[verb]
		return deny("%s cannot %s %s %s a role: a delegated admin manages grants to users and groups only; role grants need level %d or lower",
			c, verb, what, preposition, catalog.LevelAdmin)
	}
	if !c.holds(p.Operation, p.Scope) {
		return deny("%s cannot %s %s: a delegated admin hands on only what it holds, and it does not hold %s there",
			c, verb, what, p.Operation)
	}
	return nil
}

// ReadPermission allows reading a grant: a caller of level 100 or lower
// reads every grant; anyone else reads the grants on a scope where it holds
// the ADMIN_* operation of the scope's kind (on the scope or one containing
// it), so a delegated admin can list what it manages. The refusal never
// names the grant.
func ReadPermission(c Caller, p PermissionRef) error {
	if c.Level <= catalog.LevelRead {
		return nil
	}
	if adminOp := catalog.AdminOperationFor(p.Scope.Kind); adminOp != "" && c.holds(adminOp, p.Scope) {
		return nil
	}
	return deny("%s cannot read this permission: reading needs level %d or lower, or the ADMIN_* operation of the permission's scope kind on its scope or one containing it",
		c, catalog.LevelRead)
}
