package authz

import "testing"

func TestReadAccess(t *testing.T) {
	check(t, []ruleCase{
		{"a user asks about itself", ReadAccess(guest, guest.ID), true, ""},
		{"a reader asks about anyone", ReadAccess(auditor, "someone-else"), true, ""},
		{"a reader asks about a token", ReadAccess(auditor, ""), true, ""},
		{"a reader token asks about a user", ReadAccess(opToken, "someone-else"), true, ""},
		{"a guest asks about another user", ReadAccess(guest, "someone-else"), false,
			"guest (level 256) cannot read what other users and tokens may do: that needs level 100 or lower"},
		{"a guest asks about a token", ReadAccess(guest, ""), false, "cannot read what other users and tokens may do"},
		{"a guest token is no user", ReadAccess(Caller{Kind: KindToken, ID: "guest-id", Role: "guest", Level: 256}, "guest-id"), false,
			"with role guest (level 256) cannot read"},
		{"grants do not open it", ReadAccess(holding(guest, "SUPER_ADMIN@global"), "someone-else"), false, "cannot read what other users"},
	})
}

func TestListPermissions(t *testing.T) {
	check(t, []ruleCase{
		{"a reader lists", ListPermissions(auditor), true, ""},
		{"ADMIN_TENANT lists what it manages", ListPermissions(holding(guest, "ADMIN_TENANT@tenant:acme")), true, ""},
		{"ADMIN_INVENTORY on global lists", ListPermissions(holding(guest, "ADMIN_INVENTORY@global")), true, ""},
		{"SUPER_ADMIN implies ADMIN_*", ListPermissions(holding(guest, "SUPER_ADMIN@global")), true, ""},
		{"a guest without grants", ListPermissions(guest), false,
			"guest (level 256) cannot list permissions: listing needs level 100 or lower, or an ADMIN_* operation on some scope"},
		{"other grants do not open it", ListPermissions(holding(guest, "VIEW_PROJECT@global", "MODIFY_USER@global")), false, "cannot list permissions"},
		{"a disabled holder holds nothing", ListPermissions(Caller{Kind: KindUser, Role: "guest", Level: 256,
			Held: held("guest", 256, true, "ADMIN_TENANT@tenant:acme")}), false, "cannot list permissions"},
	})
}
