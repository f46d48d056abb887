package authz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
)

// held evaluates grants written "OPERATION@scope", all to the principal's
// role, for a principal with that role and level.
func held(role string, level int, disabled bool, grants ...string) *access.Set {
	var gs []access.Grant
	for i, g := range grants {
		op, scope, _ := strings.Cut(g, "@")
		gs = append(gs, access.Grant{ID: fmt.Sprintf("g%d", i), Operation: op, Scope: scope, Role: role})
	}
	return access.Evaluate(access.Principal{Role: role, Level: level, Disabled: disabled}, gs)
}

// holding returns c holding grants.
func holding(c Caller, grants ...string) Caller {
	c.Held = held(c.Role, c.Level, false, grants...)
	return c
}

// userHolding returns u holding grants (disabled or not).
func userHolding(u UserRef, disabled bool, grants ...string) UserRef {
	u.Held = held(u.Role.Name, u.Role.Level, disabled, grants...)
	return u
}

// roleHolding returns r with its own grants.
func roleHolding(r RoleRef, grants ...string) RoleRef {
	r.Held = held(r.Name, r.Level, false, grants...)
	return r
}

func sc(s string) catalog.Scope {
	scope, err := catalog.ParseScope(s)
	if err != nil {
		panic(err)
	}
	return scope
}

func TestCreateUserWithGrants(t *testing.T) {
	creator := holding(operator, "CREATE_USER@global")
	deployers := roleHolding(RoleRef{Name: "deployers", Level: 50}, "DEPLOY_INVENTORY@tenant:acme")
	superRole := roleHolding(RoleRef{Name: "root-ish", Level: 50}, "SUPER_ADMIN@global")
	check(t, []ruleCase{
		{"CREATE_USER creates guests", CreateUser(creator, rGuest), true, ""},
		{"CREATE_USER assigns its own level", CreateUser(creator, rOperator), true, ""},
		{"CREATE_USER is capped by level", CreateUser(creator, rSupervisor), false, "operator (level 10) cannot assign role supervisor (level 2)"},
		{"CREATE_USER never assigns sudo", CreateUser(creator, rSudo), false, "cannot assign role sudo (level 0)"},
		{"SUPER_ADMIN implies CREATE_USER", CreateUser(holding(guest, "SUPER_ADMIN@global"), rGuest), true, ""},
		{"MODIFY_USER does not create", CreateUser(holding(operator, "MODIFY_USER@global"), rGuest), false,
			"operator (level 10) cannot create users: managing users needs level 2 or lower, or CREATE_USER on global"},
		{"no grant, no creation", CreateUser(operator, rGuest), false, "or CREATE_USER on global"},
		{"a guest holding CREATE_USER creates guests", CreateUser(holding(guest, "CREATE_USER@global"), rGuest), true, ""},
		{"a guest holding CREATE_USER creates no operator", CreateUser(holding(guest, "CREATE_USER@global"), rOperator), false, "cannot assign role operator (level 10)"},
		{"a token's role grant counts", CreateUser(holding(opToken, "CREATE_USER@global"), rGuest), true, ""},

		// A role's own grants reach whoever gets it: assign only what you cover.
		{"supervisor cannot hand on a role's grants it lacks", CreateUser(supervisor, deployers), false,
			"supervisor (level 2) cannot assign role deployers: the role holds grants the caller does not hold"},
		{"supervisor holding them on a containing scope may", CreateUser(holding(supervisor, "DEPLOY_INVENTORY@global"), deployers), true, ""},
		{"holding them on a sibling tenant is not enough", CreateUser(holding(supervisor, "DEPLOY_INVENTORY@tenant:beta"), deployers), false, "the role holds grants"},
		{"admin covers every operation but SUPER_ADMIN", CreateUser(admin, deployers), true, ""},
		{"admin cannot hand on SUPER_ADMIN through a role", CreateUser(admin, superRole), false, "admin (level 1) cannot assign role root-ish"},
		{"sudo hands on anything", CreateUser(sudo, superRole), true, ""},
	})
}

func TestModifyUserWithGrants(t *testing.T) {
	modifier := holding(operator, "MODIFY_USER@global")
	profile := UserChange{Profile: true}
	plainGuest := UserRef{ID: "g2", Role: rGuest}
	viewer := userHolding(UserRef{ID: "viewer", Role: rGuest}, false, "VIEW_PROJECT@tenant:acme")
	superUser := userHolding(UserRef{ID: "super", Role: RoleRef{Name: "deployer", Level: 50}}, false, "SUPER_ADMIN@global")
	disabledSuper := userHolding(UserRef{ID: "super", Role: RoleRef{Name: "deployer", Level: 50}}, true, "SUPER_ADMIN@global")
	check(t, []ruleCase{
		// MODIFY_USER opens user management, capped by level.
		{"MODIFY_USER changes a guest", UpdateUser(modifier, plainGuest, profile), true, ""},
		{"MODIFY_USER changes a guest's email", UpdateUser(modifier, plainGuest, UserChange{Profile: true, Email: true}), true, ""},
		{"MODIFY_USER disables a guest", UpdateUser(modifier, plainGuest, UserChange{Disabled: ptr(true)}), true, ""},
		{"MODIFY_USER resets a guest", SetPassword(modifier, plainGuest, false), true, ""},
		{"MODIFY_USER assigns its own level", UpdateUser(modifier, plainGuest, UserChange{Role: &rOperator}), true, ""},
		{"MODIFY_USER is capped by the target's level", UpdateUser(modifier, supUser, profile), false, "operator (level 10) cannot change users with role supervisor (level 2)"},
		{"MODIFY_USER is capped on passwords", SetPassword(modifier, adminUser, false), false, "cannot reset passwords of users with role admin (level 1)"},
		{"MODIFY_USER is capped on roles", UpdateUser(modifier, plainGuest, UserChange{Role: &rSupervisor}), false, "cannot assign role supervisor (level 2)"},
		{"MODIFY_USER does not delete", DeleteUser(modifier, plainGuest), false, "operator (level 10) cannot delete users: managing users needs level 2 or lower"},
		{"CREATE_USER does not modify", UpdateUser(holding(operator, "CREATE_USER@global"), plainGuest, profile), false, "or MODIFY_USER on global"},
		{"no grant, no reset", SetPassword(operator, plainGuest, false), false, "cannot reset passwords of users: managing users needs level 2 or lower, or MODIFY_USER on global"},
		{"the system user stays protected", SetPassword(holding(operator, "SUPER_ADMIN@global"), systemUser, false), false, "system user cannot be changed"},

		// No escalation through another account.
		{"reset of a user holding more is refused", SetPassword(modifier, viewer, false), false,
			"operator (level 10) cannot reset the password of this user: the user holds grants the caller does not hold"},
		{"reset allowed when the caller holds it on a containing scope", SetPassword(holding(operator, "MODIFY_USER@global", "VIEW_PROJECT@global"), viewer, false), true, ""},
		{"reset allowed when the caller holds it exactly", SetPassword(holding(operator, "MODIFY_USER@global", "VIEW_PROJECT@tenant:acme"), viewer, false), true, ""},
		{"holding it on a tenant's project is not enough", SetPassword(holding(operator, "MODIFY_USER@global", "VIEW_PROJECT@tenant:acme/project:web"), viewer, false), false, "holds grants the caller does not hold"},
		{"disabling a user holding more is refused", UpdateUser(modifier, viewer, UserChange{Disabled: ptr(true)}), false, "cannot disable this user: the user holds grants"},
		{"enabling a user holding more is refused", UpdateUser(modifier, viewer, UserChange{Disabled: ptr(false)}), false, "cannot enable this user"},
		{"changing the role of a user holding more is refused", UpdateUser(modifier, viewer, UserChange{Role: &rGuest}), false, "cannot change the role of this user"},
		{"a profile change is not an escalation", UpdateUser(modifier, viewer, profile), true, ""},
		{"supervisor cannot reset a user holding grants", SetPassword(supervisor, viewer, false), false, "supervisor (level 2) cannot reset the password of this user"},
		{"admin covers every operation but SUPER_ADMIN", SetPassword(admin, viewer, false), true, ""},
		{"admin cannot reset a SUPER_ADMIN holder", SetPassword(admin, superUser, false), false, "admin (level 1) cannot reset the password of this user"},
		{"admin cannot disable a SUPER_ADMIN holder", UpdateUser(admin, superUser, UserChange{Disabled: ptr(true)}), false, "cannot disable this user"},
		{"a disabled holder's grants still count", SetPassword(admin, disabledSuper, false), false, "cannot reset the password of this user"},
		{"nor can it be re-enabled", UpdateUser(admin, disabledSuper, UserChange{Disabled: ptr(false)}), false, "cannot enable this user"},
		{"a SUPER_ADMIN holder covers everything", SetPassword(holding(operator, "SUPER_ADMIN@global"), superUser, false), true, ""},
		{"sudo is never refused by this rule", SetPassword(sudo, superUser, false), true, ""},
		{"a sudo token neither", UpdateUser(sudoToken, superUser, UserChange{Disabled: ptr(true)}), true, ""},
		{"level-based callers keep their rules", SetPassword(supervisor, opUser, false), true, ""},
		{"one's own password needs no cover", SetPassword(guest, userHolding(guestUser, false, "VIEW_PROJECT@global"), true), true, ""},
	})
}

func TestGrantPermission(t *testing.T) {
	grant := func(op, scope string) PermissionRef { return PermissionRef{Operation: op, Scope: sc(scope)} }
	toRole := func(op, scope string) PermissionRef {
		return PermissionRef{Operation: op, Scope: sc(scope), ToRole: true}
	}
	// A project admin of tenant acme who views its projects.
	projectAdmin := holding(operator, "ADMIN_PROJECT@tenant:acme", "VIEW_PROJECT@tenant:acme")
	check(t, []ruleCase{
		// Levels 0 and 1.
		{"sudo grants SUPER_ADMIN", GrantPermission(sudo, toRole("SUPER_ADMIN", "global")), true, ""},
		{"sudo token grants SUPER_ADMIN", GrantPermission(sudoToken, grant("SUPER_ADMIN", "global")), true, ""},
		{"admin never grants SUPER_ADMIN", GrantPermission(admin, grant("SUPER_ADMIN", "global")), false,
			"admin (level 1) cannot grant SUPER_ADMIN on global: only level 0 grants and revokes SUPER_ADMIN"},
		{"admin grants ADMIN_* to a role", GrantPermission(admin, toRole("ADMIN_TENANT", "global")), true, ""},
		{"admin grants on a tenant's project", GrantPermission(admin, grant("MODIFY_PROJECT", "tenant:acme/project:web")), true, ""},
		{"a SUPER_ADMIN holder above level 0 still cannot grant it", GrantPermission(holding(supervisor, "SUPER_ADMIN@global"), grant("SUPER_ADMIN", "global")), false, "only level 0"},

		// Delegated admins: the scope kind's ADMIN_* on a containing scope, and the operation held.
		{"delegate grants inside its tenant", GrantPermission(projectAdmin, grant("VIEW_PROJECT", "tenant:acme/project:web")), true, ""},
		{"delegate grants on another project of its tenant", GrantPermission(projectAdmin, grant("VIEW_PROJECT", "tenant:acme/project:api")), true, ""},
		{"delegate does not hand on what it lacks", GrantPermission(projectAdmin, grant("MODIFY_PROJECT", "tenant:acme/project:web")), false,
			"operator (level 10) cannot grant MODIFY_PROJECT on tenant:acme/project:web: a delegated admin hands on only what it holds, and it does not hold MODIFY_PROJECT there"},
		{"ADMIN_PROJECT does not reach the tenant scope", GrantPermission(projectAdmin, grant("VIEW_PROJECT", "tenant:acme")), false,
			"cannot grant VIEW_PROJECT on tenant:acme: it needs level 1 or lower, or ADMIN_TENANT on that scope or one containing it"},
		{"another tenant's project", GrantPermission(projectAdmin, grant("VIEW_PROJECT", "tenant:beta/project:web")), false, "or ADMIN_PROJECT on that scope or one containing it"},
		{"the project of no tenant", GrantPermission(projectAdmin, grant("VIEW_PROJECT", "project:web")), false, "or ADMIN_PROJECT"},
		{"an inventory of the tenant needs ADMIN_INVENTORY", GrantPermission(projectAdmin, grant("VIEW_INVENTORY", "tenant:acme/inventory:prod")), false, "or ADMIN_INVENTORY"},
		{"delegate grants no ADMIN_* operation", GrantPermission(projectAdmin, grant("ADMIN_PROJECT", "tenant:acme/project:web")), false,
			"a delegated admin does not grant ADMIN_* operations; that needs level 1 or lower"},
		{"delegate grants nothing to a role", GrantPermission(projectAdmin, toRole("VIEW_PROJECT", "tenant:acme/project:web")), false,
			"cannot grant VIEW_PROJECT on tenant:acme/project:web to a role: a delegated admin manages grants to users and groups only"},
		{"delegate grants nothing on global", GrantPermission(projectAdmin, grant("VIEW_PROJECT", "global")), false,
			"cannot grant VIEW_PROJECT on global: permissions on global need level 1 or lower"},
		{"delegate grants no SUPER_ADMIN", GrantPermission(holding(operator, "SUPER_ADMIN@global"), grant("SUPER_ADMIN", "global")), false, "only level 0"},
		{"delegate only valid operations", GrantPermission(projectAdmin, grant("DEPLOY_INVENTORY", "tenant:acme/project:web")), false, "not valid on a project scope"},
		{"no holdings, no delegation", GrantPermission(operator, grant("VIEW_PROJECT", "project:web")), false, "or ADMIN_PROJECT"},
		{"the operation held without the ADMIN_* is not enough", GrantPermission(holding(operator, "VIEW_PROJECT@global"), grant("VIEW_PROJECT", "project:web")), false, "or ADMIN_PROJECT"},
		{"SUPER_ADMIN holder delegates below global", GrantPermission(holding(operator, "SUPER_ADMIN@global"), grant("DEPLOY_INVENTORY", "inventory:prod")), true, ""},
		{"SUPER_ADMIN holder grants no ADMIN_*", GrantPermission(holding(operator, "SUPER_ADMIN@global"), grant("ADMIN_TENANT", "tenant:acme")), false, "does not grant ADMIN_* operations"},
		{"ADMIN_TENANT on global delegates every tenant", GrantPermission(holding(guest, "ADMIN_TENANT@global", "MODIFY_TENANT@global"), grant("MODIFY_TENANT", "tenant:zeta")), true, ""},
		{"ADMIN_TENANT on its tenant", GrantPermission(holding(guest, "ADMIN_TENANT@tenant:acme", "CREATE_PROJECT@tenant:acme"), grant("CREATE_PROJECT", "tenant:acme")), true, ""},
		{"ADMIN_TENANT, operation held on another tenant", GrantPermission(holding(guest, "ADMIN_TENANT@tenant:acme", "CREATE_PROJECT@tenant:beta"), grant("CREATE_PROJECT", "tenant:acme")), false, "does not hold CREATE_PROJECT there"},
		{"ADMIN_INVENTORY on one inventory", GrantPermission(holding(opToken, "ADMIN_INVENTORY@tenant:acme/inventory:prod", "DEPLOY_INVENTORY@tenant:acme"), grant("DEPLOY_INVENTORY", "tenant:acme/inventory:prod")), true, ""},
		{"ADMIN_INVENTORY not on its sibling", GrantPermission(holding(opToken, "ADMIN_INVENTORY@tenant:acme/inventory:prod", "DEPLOY_INVENTORY@tenant:acme"), grant("DEPLOY_INVENTORY", "tenant:acme/inventory:dev")), false,
			"with role operator (level 10) cannot grant DEPLOY_INVENTORY on tenant:acme/inventory:dev"},
	})
}

func TestRevokeAndReadPermission(t *testing.T) {
	perm := func(op, scope string) PermissionRef { return PermissionRef{Operation: op, Scope: sc(scope)} }
	projectAdmin := holding(guest, "ADMIN_PROJECT@tenant:acme", "VIEW_PROJECT@tenant:acme")
	check(t, []ruleCase{
		{"delegate revokes what it could grant", RevokePermission(projectAdmin, perm("VIEW_PROJECT", "tenant:acme/project:web")), true, ""},
		{"delegate revokes nothing it lacks", RevokePermission(projectAdmin, perm("MODIFY_PROJECT", "tenant:acme/project:web")), false,
			"guest (level 256) cannot revoke MODIFY_PROJECT on tenant:acme/project:web: a delegated admin hands on only what it holds"},
		{"delegate revokes no role grant", RevokePermission(projectAdmin, PermissionRef{Operation: "VIEW_PROJECT", Scope: sc("tenant:acme/project:web"), ToRole: true}), false,
			"cannot revoke VIEW_PROJECT on tenant:acme/project:web from a role"},
		{"delegate revokes no ADMIN_* grant", RevokePermission(projectAdmin, perm("ADMIN_PROJECT", "tenant:acme/project:web")), false, "does not revoke ADMIN_* operations"},
		{"admin revokes ADMIN_*", RevokePermission(admin, perm("ADMIN_PROJECT", "global")), true, ""},
		{"admin revokes no SUPER_ADMIN", RevokePermission(admin, perm("SUPER_ADMIN", "global")), false, "only level 0 grants and revokes SUPER_ADMIN"},
		{"sudo revokes SUPER_ADMIN", RevokePermission(sudo, perm("SUPER_ADMIN", "global")), true, ""},

		{"a reader reads every grant", ReadPermission(auditor, perm("SUPER_ADMIN", "global")), true, ""},
		{"delegate reads grants it manages", ReadPermission(projectAdmin, perm("MODIFY_PROJECT", "tenant:acme/project:web")), true, ""},
		{"delegate reads ADMIN_* grants on its projects", ReadPermission(projectAdmin, perm("ADMIN_PROJECT", "tenant:acme/project:api")), true, ""},
		{"delegate reads no grant on the tenant itself", ReadPermission(projectAdmin, perm("VIEW_PROJECT", "tenant:acme")), false,
			"guest (level 256) cannot read this permission: reading needs level 100 or lower, or the ADMIN_* operation of the permission's scope kind on its scope or one containing it"},
		{"delegate reads no grant of another tenant", ReadPermission(projectAdmin, perm("VIEW_PROJECT", "tenant:beta/project:web")), false, "cannot read this permission"},
		{"delegate reads no global grant", ReadPermission(projectAdmin, perm("SUPER_ADMIN", "global")), false, "cannot read this permission"},
		{"guest reads nothing", ReadPermission(guest, perm("VIEW_PROJECT", "project:web")), false, "cannot read this permission"},
	})
	// Refusals about grants the caller cannot read name neither the scope
	// nor the operation.
	for _, p := range []PermissionRef{perm("VIEW_PROJECT", "tenant:beta/project:secret-web"), perm("SUPER_ADMIN", "global"), perm("DEPLOY_INVENTORY", "inventory:secret-prod")} {
		for name, err := range map[string]error{"read": ReadPermission(projectAdmin, p), "revoke": RevokePermission(projectAdmin, p)} {
			if err == nil {
				t.Fatalf("%s of %s allowed", name, p.Scope)
			}
			msg := err.Error()
			if strings.Contains(msg, "secret") || strings.Contains(msg, p.Operation) || strings.Contains(msg, "tenant:beta") || strings.Contains(msg, "ADMIN_INVENTORY") {
				t.Errorf("%s refusal leaks the grant: %s", name, msg)
			}
		}
	}
}
