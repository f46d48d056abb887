// Package authz holds every "who may do what" rule of the identity server as
// pure functions of the caller and the target, so the rules live in one place
// and are tested in isolation. A nil error allows; a *Denied error refuses and
// its message names the rule. Rules read levels and, where grants count, the
// holdings (access.Set) the handler loaded into the Caller, UserRef and
// RoleRef; a nil holding holds no grant. AUTHORIZATION.md in the server's
// folder lists every rule with examples.
package authz

import (
	"fmt"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
)

// Kind says what a caller authenticated as.
type Kind string

// Caller kinds.
const (
	KindUser  Kind = "user"
	KindToken Kind = "token"
)

// Caller is the authenticated principal of a request.
type Caller struct {
	Kind   Kind
	ID     string // user id, or token id
	Name   string // username, or "token:<id>"
	Role   string
	Level  int
	System bool // the protected system user

	// Held is what the caller holds through its grants (store.UserAccess or
	// store.TokenAccess, then access.Evaluate). The grant rules read it; nil
	// holds no grant, so a rule that needs one refuses. Level 0 holds every
	// operation whatever Held says.
	Held *access.Set
}

// holds reports whether the caller holds operation on scope.
func (c Caller) holds(operation string, scope catalog.Scope) bool {
	return c.Level == catalog.LevelSudo || (c.Held != nil && c.Held.Holds(operation, scope))
}

// covers reports whether the caller holds operation on scope or could grant
// it to itself: level 0 covers everything, level 1 everything but
// SUPER_ADMIN (it grants every other operation), anyone else what it holds.
// The no-escalation rules compare a target's grants with this.
func (c Caller) covers(operation string, scope catalog.Scope) bool {
	if c.Level <= catalog.LevelAdmin && operation != catalog.OpSuperAdmin {
		return true
	}
	return c.holds(operation, scope)
}

// IsUser reports whether the caller is the user with that id (tokens never are).
func (c Caller) IsUser(id string) bool { return c.Kind == KindUser && c.ID == id }

// String names the caller, its role and level, as refusals quote it, so a
// refusal says which account to look at as well as which rule refused.
func (c Caller) String() string {
	if c.Kind == KindToken {
		if c.ID != "" {
			return fmt.Sprintf("token %q with role %s (level %d)", c.ID, c.Role, c.Level)
		}
		return fmt.Sprintf("token with role %s (level %d)", c.Role, c.Level)
	}
	if c.Name != "" {
		return fmt.Sprintf("user %q with role %s (level %d)", c.Name, c.Role, c.Level)
	}
	return fmt.Sprintf("%s (level %d)", c.Role, c.Level)
}

// Denied is a refusal; its message says which rule refused.
type Denied struct{ Reason string }

// Error returns the reason.
func (d *Denied) Error() string { return d.Reason }

func deny(format string, args ...any) error {
	return &Denied{Reason: fmt.Sprintf(format, args...)}
}

// RoleRef is a role with its level.
type RoleRef struct {
	Name  string
	Level int
	// Held is what the role's own grants give every user and token with the
	// role (store.RoleAccess, then access.Evaluate); nil when not loaded.
	Held *access.Set
}

// String renders "name (level N)".
func (r RoleRef) String() string { return fmt.Sprintf("%s (level %d)", r.Name, r.Level) }

// UserRef is the target user of a rule.
type UserRef struct {
	ID     string
	System bool
	Role   RoleRef
	// Held is what the user holds through its grants (store.UserAccess,
	// then access.Evaluate); the no-escalation rule reads its Granted
	// entries, which count even while the user is disabled. nil when not
	// loaded.
	Held *access.Set
}

// Read allows reading identities, roles, permissions, memberships and the audit log.
func Read(c Caller, what string) error {
	if c.Level > catalog.LevelRead {
		return deny("%s cannot %s: reading needs level %d or lower", c, what, catalog.LevelRead)
	}
	return nil
}

// ReadUser allows reading one user: oneself, or a reader.
func ReadUser(c Caller, target UserRef) error {
	if c.IsUser(target.ID) {
		return nil
	}
	return Read(c, "read other users")
}

// manageUsers is the gate to managing users: level 2 or lower, or the
// operation (CREATE_USER or MODIFY_USER; "" when no grant opens the gate)
// on global.
func manageUsers(c Caller, action, operation string) error {
	if c.Level <= catalog.LevelManageUsers || (operation != "" && c.holds(operation, catalog.Global)) {
		return nil
	}
	if operation == "" {
		return deny("%s cannot %s: managing users needs level %d or lower", c, action, catalog.LevelManageUsers)
	}
	return deny("%s cannot %s: managing users needs level %d or lower, or %s on global", c, action, catalog.LevelManageUsers, operation)
}

// assignRole caps the roles a caller assigns: never a level below its own,
// and never a role whose grants the caller neither holds nor could grant.
func assignRole(c Caller, role RoleRef) error {
	if role.Level < c.Level {
		return deny("%s cannot assign role %s", c, role)
	}
	if !coversAll(c, role.Held) {
		return deny("%s cannot assign role %s: the role holds grants the caller does not hold", c, role.Name)
	}
	return nil
}

// manageTarget applies the management gate and the level cap on the target.
func manageTarget(c Caller, target UserRef, action, operation string) error {
	if err := manageUsers(c, action, operation); err != nil {
		return err
	}
	if target.Role.Level < c.Level {
		return deny("%s cannot %s with role %s", c, action, target.Role)
	}
	return nil
}

// noEscalation refuses to act on an account that holds grants the caller
// does not hold: taking it over (its password), reshaping it (its role) or
// locking it (disabled) would pass on or remove more than the caller has.
// The refusal does not say which grants, which the caller may not read.
func noEscalation(c Caller, target UserRef, action string) error {
	if !coversAll(c, target.Held) {
		return deny("%s cannot %s: the user holds grants the caller does not hold", c, action)
	}
	return nil
}

// coversAll reports whether the caller covers every (operation, scope) that
// held grants, counted even while its principal is disabled.
func coversAll(c Caller, held *access.Set) bool {
	if held == nil || c.Level == catalog.LevelSudo {
		return true
	}
	for _, e := range held.Granted() {
		scope, err := catalog.ParseScope(e.Scope)
		if err != nil || !c.covers(e.Operation, scope) {
			return false
		}
	}
	return true
}

// CreateUser allows creating a user with the given role: a caller of level
// 2 or lower, or holding CREATE_USER on global, assigning a role no more
// privileged than its own whose grants it covers.
func CreateUser(c Caller, role RoleRef) error {
	if err := manageUsers(c, "create users", catalog.OpCreateUser); err != nil {
		return err
	}
	return assignRole(c, role)
}

// UserChange describes what a PATCH changes; no-op fields are left out by the caller.
type UserChange struct {
	Profile  bool     // email, names, organization or attributes change
	Email    bool     // the email address changes (Profile is set too)
	Role     *RoleRef // the new role, when it changes
	Disabled *bool    // the new state, when it changes
}

// UpdateUser allows a change to a user. Anyone may change their own profile
// but not their email address, which names the account for sign-in and
// uniqueness (a user who could set it could claim any unused address); email
// addresses, role and disabled changes, and changes to others, follow the management
// rules (level 2 or lower, or MODIFY_USER on global, on a user no more
// privileged than the caller). Changing the role or the disabled state of a
// user who holds grants the caller does not cover is refused.
// A PATCH of someone else that changes nothing is still a write (it bumps the
// version and updated_at), so it needs the management rules too.
func UpdateUser(c Caller, target UserRef, ch UserChange) error {
	self := c.IsUser(target.ID)
	if ch.Role == nil && ch.Disabled == nil && !ch.Email && self {
		return nil
	}
	if target.System {
		if ch.Disabled != nil && *ch.Disabled {
			return deny("the system user cannot be disabled")
		}
		if ch.Role != nil && ch.Role.Name != catalog.RoleSudo {
			return deny("the system user cannot be demoted from role sudo")
		}
	}
	action := "change users"
	if self && ch.Email {
		action = "change its own email address"
	}
	if err := manageTarget(c, target, action, catalog.OpModifyUser); err != nil {
		return err
	}
	if ch.Role != nil {
		if err := noEscalation(c, target, "change the role of this user"); err != nil {
			return err
		}
		if err := assignRole(c, *ch.Role); err != nil {
			return err
		}
	}
	if ch.Disabled != nil {
		action := "enable this user"
		if *ch.Disabled {
			action = "disable this user"
		}
		return noEscalation(c, target, action)
	}
	return nil
}

// DeleteUser allows deleting a user: a caller of level 2 or lower, on a user
// no more privileged than itself. No grant opens it: MODIFY_USER changes,
// disables and resets users, it does not delete them.
func DeleteUser(c Caller, target UserRef) error {
	if target.System {
		return deny("the system user cannot be deleted")
	}
	return manageTarget(c, target, "delete users", "")
}

// SetPassword allows setting a user's password. self is true when the caller
// changes its own password (which also needs the current one, checked by the
// handler). Third-party tokens are not users and have no "self". Resetting
// another user's password follows the management rules (MODIFY_USER on
// global counts) and is refused when that user holds grants the caller does
// not cover: whoever sets a password can sign in as the account.
func SetPassword(c Caller, target UserRef, self bool) error {
	if target.System {
		return deny("the password of the system user cannot be changed through the API; it is set from IDENTITY_SUPERUSER_PASSWORD at start")
	}
	if self {
		if c.Kind != KindUser || c.ID != target.ID {
			return deny("%s can change only its own password with current_password", c)
		}
		return nil
	}
	if err := manageTarget(c, target, "reset passwords of users", catalog.OpModifyUser); err != nil {
		return err
	}
	return noEscalation(c, target, "reset the password of this user")
}

func adminOnly(c Caller, action string) error {
	if c.Level > catalog.LevelAdmin {
		return deny("%s cannot %s: it needs level %d or lower", c, action, catalog.LevelAdmin)
	}
	return nil
}

// CreateRole allows creating a role at level.
func CreateRole(c Caller, level int) error {
	if err := adminOnly(c, "manage roles"); err != nil {
		return err
	}
	if level <= c.Level {
		return deny("%s cannot create a role at level %d: roles it manages must have a level above %d", c, level, c.Level)
	}
	return nil
}

// UpdateRole allows changing role; newLevel is nil when the level does not change.
func UpdateRole(c Caller, role RoleRef, builtin bool, newLevel *int) error {
	if err := adminOnly(c, "manage roles"); err != nil {
		return err
	}
	if role.Level <= c.Level {
		return deny("%s cannot change role %s: roles it manages must have a level above %d", c, role, c.Level)
	}
	if newLevel != nil {
		if builtin {
			return deny("the level of built-in role %s is fixed", role.Name)
		}
		if *newLevel <= c.Level {
			return deny("%s cannot move role %s to level %d: roles it manages must have a level above %d", c, role.Name, *newLevel, c.Level)
		}
	}
	return nil
}

// DeleteRole allows deleting role.
func DeleteRole(c Caller, role RoleRef, builtin bool) error {
	if builtin {
		return deny("built-in role %s cannot be deleted", role.Name)
	}
	if err := adminOnly(c, "manage roles"); err != nil {
		return err
	}
	if role.Level <= c.Level {
		return deny("%s cannot delete role %s: roles it manages must have a level above %d", c, role, c.Level)
	}
	return nil
}

// ManageGroups allows creating, changing and deleting groups and their members.
func ManageGroups(c Caller) error {
	return adminOnly(c, "manage groups and memberships")
}

// ManageTokens allows creating, listing, reading and revoking third-party tokens.
func ManageTokens(c Caller) error {
	if c.Level > catalog.LevelSudo {
		return deny("%s cannot manage third-party tokens: only sudo (level 0) can", c)
	}
	return nil
}

// Logout allows ending the calling credential; only sessions can be ended.
func Logout(c Caller) error {
	if c.Kind != KindUser {
		return deny("a third-party token has no session to end; revoke it with DELETE /api/v1/tokens/{id}")
	}
	return nil
}
