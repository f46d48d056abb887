package authz

import (
	"errors"
	"strings"
	"testing"
)

var (
	sudo       = Caller{Kind: KindUser, ID: "sudo-id", Name: "root2", Role: "sudo", Level: 0}
	system     = Caller{Kind: KindUser, ID: "system-id", Name: "system", Role: "sudo", Level: 0, System: true}
	admin      = Caller{Kind: KindUser, ID: "admin-id", Name: "ada", Role: "admin", Level: 1}
	supervisor = Caller{Kind: KindUser, ID: "sup-id", Name: "sue", Role: "supervisor", Level: 2}
	operator   = Caller{Kind: KindUser, ID: "op-id", Name: "otto", Role: "operator", Level: 10}
	auditor    = Caller{Kind: KindUser, ID: "aud-id", Name: "audrey", Role: "auditor", Level: 100}
	guest      = Caller{Kind: KindUser, ID: "guest-id", Name: "gus", Role: "guest", Level: 256}
	sudoToken  = Caller{Kind: KindToken, ID: "tok-sudo", Name: "token:tok-sudo", Role: "sudo", Level: 0}
	adminToken = Caller{Kind: KindToken, ID: "tok-admin", Name: "token:tok-admin", Role: "admin", Level: 1}
	opToken    = Caller{Kind: KindToken, ID: "tok-op", Name: "token:tok-op", Role: "operator", Level: 10}

	rSudo       = RoleRef{Name: "sudo", Level: 0}
	rAdmin      = RoleRef{Name: "admin", Level: 1}
	rSupervisor = RoleRef{Name: "supervisor", Level: 2}
	rOperator   = RoleRef{Name: "operator", Level: 10}
	rGuest      = RoleRef{Name: "guest", Level: 256}

	systemUser = UserRef{ID: "system-id", System: true, Role: rSudo}
	sudoUser   = UserRef{ID: "sudo-id", Role: rSudo}
	adminUser  = UserRef{ID: "admin-id", Role: rAdmin}
	supUser    = UserRef{ID: "sup-id", Role: rSupervisor}
	supUser2   = UserRef{ID: "sup2-id", Role: rSupervisor}
	opUser     = UserRef{ID: "op-id", Role: rOperator}
	guestUser  = UserRef{ID: "guest-id", Role: rGuest}
)

type ruleCase struct {
	name    string
	err     error
	allowed bool
	want    string // substring of the refusal
}

func check(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.allowed {
				if c.err != nil {
					t.Fatalf("refused, want allowed: %v", c.err)
				}
				return
			}
			var d *Denied
			if !errors.As(c.err, &d) {
				t.Fatalf("allowed (%v), want refused", c.err)
			}
			if c.want != "" && !strings.Contains(d.Error(), c.want) {
				t.Fatalf("refusal %q does not contain %q", d.Error(), c.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestRead(t *testing.T) {
	check(t, []ruleCase{
		{"sudo reads", Read(sudo, "list users"), true, ""},
		{"auditor reads", Read(auditor, "list users"), true, ""},
		{"operator token reads", Read(opToken, "list users"), true, ""},
		{"guest cannot list users", Read(guest, "list users"), false, "guest (level 256) cannot list users"},
		{"guest reads itself", ReadUser(guest, guestUser), true, ""},
		{"guest cannot read others", ReadUser(guest, opUser), false, "cannot read other users"},
		{"auditor reads others", ReadUser(auditor, opUser), true, ""},
	})
}

func TestReadThreshold(t *testing.T) {
	// Reading needs level 100 or lower (AUTHORIZATION.md), so the boundary sits
	// between 100 and 101 whatever the role is called.
	check(t, []ruleCase{
		{"level 100 may", Read(Caller{Kind: KindUser, Role: "r100", Level: 100}, "list users"), true, ""},
		{"level 101 may not", Read(Caller{Kind: KindUser, Role: "r101", Level: 101}, "list users"), false, "r101 (level 101) cannot list users"},
	})
}

func TestCreateUser(t *testing.T) {
	check(t, []ruleCase{
		{"sudo creates sudo", CreateUser(sudo, rSudo), true, ""},
		{"admin cannot create sudo", CreateUser(admin, rSudo), false, "admin (level 1) cannot assign role sudo (level 0)"},
		{"admin creates admin", CreateUser(admin, rAdmin), true, ""},
		{"admin creates guest", CreateUser(admin, rGuest), true, ""},
		{"supervisor creates supervisor", CreateUser(supervisor, rSupervisor), true, ""},
		{"supervisor cannot create admin", CreateUser(supervisor, rAdmin), false, "supervisor (level 2) cannot assign role admin (level 1)"},
		{"operator cannot create users", CreateUser(operator, rGuest), false, "operator (level 10) cannot create users: managing users needs level 2 or lower"},
		{"guest cannot create users", CreateUser(guest, rGuest), false, "managing users needs level 2"},
		{"admin token cannot create sudo", CreateUser(adminToken, rSudo), false, "cannot assign role sudo (level 0)"},
		{"sudo token creates sudo", CreateUser(sudoToken, rSudo), true, ""},
	})
}

func TestUpdateUser(t *testing.T) {
	profile := UserChange{Profile: true}
	check(t, []ruleCase{
		{"guest changes own profile", UpdateUser(guest, guestUser, profile), true, ""},
		{"guest cannot change its own email", UpdateUser(guest, guestUser, UserChange{Profile: true, Email: true}), false, "guest (level 256) cannot change its own email address"},
		{"operator cannot change its own email", UpdateUser(operator, opUser, UserChange{Profile: true, Email: true}), false, "cannot change its own email address"},
		{"supervisor changes its own email", UpdateUser(supervisor, supUser, UserChange{Profile: true, Email: true}), true, ""},
		{"supervisor changes a peer's email", UpdateUser(supervisor, supUser2, UserChange{Profile: true, Email: true}), true, ""},
		{"guest cannot change another's email", UpdateUser(guest, opUser, UserChange{Profile: true, Email: true}), false, "managing users needs level 2"},
		{"token cannot change emails", UpdateUser(opToken, guestUser, UserChange{Profile: true, Email: true}), false, "managing users needs level 2"},
		{"guest cannot change other profile", UpdateUser(guest, opUser, profile), false, "managing users needs level 2"},
		{"guest cannot promote itself", UpdateUser(guest, guestUser, UserChange{Role: &rAdmin}), false, "guest (level 256)"},
		{"supervisor cannot promote itself to admin", UpdateUser(supervisor, supUser, UserChange{Role: &rAdmin}), false, "cannot assign role admin (level 1)"},
		{"admin promotes to admin", UpdateUser(admin, opUser, UserChange{Role: &rAdmin}), true, ""},
		{"admin cannot promote to sudo", UpdateUser(admin, opUser, UserChange{Role: &rSudo}), false, "admin (level 1) cannot assign role sudo (level 0)"},
		{"admin cannot change a sudo user", UpdateUser(admin, sudoUser, profile), false, "with role sudo (level 0)"},
		{"supervisor changes a peer", UpdateUser(supervisor, supUser2, profile), true, ""},
		{"supervisor cannot change an admin", UpdateUser(supervisor, adminUser, profile), false, "with role admin (level 1)"},
		{"supervisor disables operator", UpdateUser(supervisor, opUser, UserChange{Disabled: ptr(true)}), true, ""},
		{"operator cannot disable itself", UpdateUser(operator, opUser, UserChange{Disabled: ptr(true)}), false, "managing users"},
		{"system cannot be disabled by sudo", UpdateUser(sudo, systemUser, UserChange{Disabled: ptr(true)}), false, "system user cannot be disabled"},
		{"system cannot disable itself", UpdateUser(system, systemUser, UserChange{Disabled: ptr(true)}), false, "system user cannot be disabled"},
		{"system cannot be demoted", UpdateUser(sudo, systemUser, UserChange{Role: &rAdmin}), false, "cannot be demoted"},
		{"system cannot demote itself", UpdateUser(system, systemUser, UserChange{Role: &rGuest}), false, "cannot be demoted"},
		{"system profile by sudo", UpdateUser(sudo, systemUser, profile), true, ""},
		{"system profile by itself", UpdateUser(system, systemUser, profile), true, ""},
		{"system profile by admin", UpdateUser(admin, systemUser, profile), false, "with role sudo (level 0)"},
		{"guest cannot touch another user with an empty change", UpdateUser(guest, opUser, UserChange{}), false, "managing users needs level 2"},
		{"guest cannot touch the system user with an empty change", UpdateUser(guest, systemUser, UserChange{}), false, "managing users needs level 2"},
		{"guest may send itself an empty change", UpdateUser(guest, guestUser, UserChange{}), true, ""},
		{"token has no self", UpdateUser(opToken, UserRef{ID: "tok-op", Role: rOperator}, profile), false, "managing users"},
	})
}

func TestDeleteUser(t *testing.T) {
	check(t, []ruleCase{
		{"sudo deletes sudo", DeleteUser(sudo, UserRef{ID: "x", Role: rSudo}), true, ""},
		{"nobody deletes system (sudo)", DeleteUser(sudo, systemUser), false, "system user cannot be deleted"},
		{"nobody deletes system (itself)", DeleteUser(system, systemUser), false, "system user cannot be deleted"},
		{"nobody deletes system (sudo token)", DeleteUser(sudoToken, systemUser), false, "system user cannot be deleted"},
		{"admin cannot delete sudo", DeleteUser(admin, sudoUser), false, "with role sudo (level 0)"},
		{"admin deletes admin", DeleteUser(admin, UserRef{ID: "y", Role: rAdmin}), true, ""},
		{"supervisor deletes guest", DeleteUser(supervisor, guestUser), true, ""},
		{"operator cannot delete", DeleteUser(operator, guestUser), false, "managing users needs level 2"},
	})
}

func TestSetPassword(t *testing.T) {
	check(t, []ruleCase{
		{"guest changes own", SetPassword(guest, guestUser, true), true, ""},
		{"guest cannot change others", SetPassword(guest, opUser, false), false, "managing users"},
		{"admin resets operator", SetPassword(admin, opUser, false), true, ""},
		{"admin cannot reset sudo", SetPassword(admin, sudoUser, false), false, "with role sudo"},
		{"system password not by itself", SetPassword(system, systemUser, true), false, "system user cannot be changed"},
		{"system password not by sudo", SetPassword(sudo, systemUser, false), false, "system user cannot be changed"},
		{"system password not by sudo token", SetPassword(sudoToken, systemUser, false), false, "system user cannot be changed"},
		{"token has no self", SetPassword(opToken, UserRef{ID: "tok-op", Role: rOperator}, true), false, "only its own password"},
		{"self flag for another user", SetPassword(guest, opUser, true), false, "only its own password"},
	})
}

func TestRoles(t *testing.T) {
	check(t, []ruleCase{
		{"admin creates level 5", CreateRole(admin, 5), true, ""},
		{"admin cannot create level 1", CreateRole(admin, 1), false, "roles it manages must have a level above 1"},
		{"admin cannot create level 0", CreateRole(admin, 0), false, "level above 1"},
		{"sudo creates level 1", CreateRole(sudo, 1), true, ""},
		{"supervisor cannot manage roles", CreateRole(supervisor, 50), false, "supervisor (level 2) cannot manage roles"},
		{"admin changes level 50 to 60", UpdateRole(admin, RoleRef{Name: "dep", Level: 50}, false, ptr(60)), true, ""},
		{"admin cannot move to level 1", UpdateRole(admin, RoleRef{Name: "dep", Level: 50}, false, ptr(1)), false, "cannot move role dep to level 1"},
		{"admin cannot change admin role", UpdateRole(admin, rAdmin, true, nil), false, "cannot change role admin (level 1)"},
		{"builtin level fixed", UpdateRole(sudo, rGuest, true, ptr(300)), false, "level of built-in role guest is fixed"},
		{"builtin description ok", UpdateRole(sudo, rGuest, true, nil), true, ""},
		{"admin deletes level 50", DeleteRole(admin, RoleRef{Name: "dep", Level: 50}, false), true, ""},
		{"admin cannot delete level 1 custom", DeleteRole(admin, RoleRef{Name: "peer", Level: 1}, false), false, "cannot delete role peer"},
		{"builtin never deleted", DeleteRole(sudo, rGuest, true), false, "built-in role guest cannot be deleted"},
		{"operator token cannot", DeleteRole(opToken, RoleRef{Name: "dep", Level: 50}, false), false, `token "tok-op" with role operator (level 10) cannot manage roles`},
	})
}

func TestGroupsAndTokens(t *testing.T) {
	check(t, []ruleCase{
		{"admin manages groups", ManageGroups(admin), true, ""},
		{"admin token manages groups", ManageGroups(adminToken), true, ""},
		{"supervisor cannot manage groups", ManageGroups(supervisor), false, "supervisor (level 2) cannot manage groups"},
		{"sudo manages tokens", ManageTokens(sudo), true, ""},
		{"sudo token manages tokens", ManageTokens(sudoToken), true, ""},
		{"admin cannot manage tokens", ManageTokens(admin), false, "admin (level 1) cannot manage third-party tokens"},
		{"users log out", Logout(guest), true, ""},
		{"tokens cannot log out", Logout(opToken), false, "no session"},
	})
}

// A refusal names the account, not only its role.
func TestCallerStringNamesTheAccount(t *testing.T) {
	for c, want := range map[*Caller]string{
		&auditor: `user "audrey" with role auditor (level 100)`,
		&opToken: `token "tok-op" with role operator (level 10)`,
		{Kind: KindUser, Role: "r101", Level: 101}: "r101 (level 101)",
	} {
		if got := c.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if err := ManageGroups(auditor); err == nil || !strings.Contains(err.Error(), `user "audrey" with role auditor (level 100) cannot manage groups`) {
		t.Errorf("refusal %v does not name the user", err)
	}
}
