package authz

import "testing"

func TestSettingsRules(t *testing.T) {
	rAuditor := RoleRef{Name: "auditor", Level: 100}
	rCustomLow := RoleRef{Name: "helpdesk", Level: 50}
	check(t, []ruleCase{
		{"auditor reads settings", ReadSettings(auditor), true, ""},
		{"operator token reads settings", ReadSettings(opToken), true, ""},
		{"guest cannot read settings", ReadSettings(guest), false, "cannot read the settings: reading needs level 100"},
		{"admin changes settings", ChangeSettings(admin, nil), true, ""},
		{"admin token changes settings", ChangeSettings(adminToken, nil), true, ""},
		{"supervisor cannot change settings", ChangeSettings(supervisor, nil), false, "supervisor (level 2) cannot change the settings: it needs level 1 or lower"},
		{"auditor cannot change settings", ChangeSettings(auditor, &rGuest), false, "cannot change the settings"},
		{"guest may be the self-registration role", ChangeSettings(admin, &rGuest), true, ""},
		{"auditor (level 100) may be the self-registration role", ChangeSettings(sudo, &rAuditor), true, ""},
		{"operator is too privileged for self-registration", ChangeSettings(sudo, &rOperator), false, "role operator (level 10) cannot be the self-registration role: it must have level 100 or higher"},
		{"a custom role below 100 is refused", ChangeSettings(admin, &rCustomLow), false, "helpdesk (level 50) cannot be the self-registration role"},
		{"sudo is refused as self-registration role", ChangeSettings(system, &rSudo), false, "cannot be the self-registration role"},
	})
}

func TestRegisterRule(t *testing.T) {
	check(t, []ruleCase{
		{"on, guest", Register(true, rGuest), true, ""},
		{"off", Register(false, rGuest), false, "self-registration is off"},
		{"on, role moved below 100", Register(true, RoleRef{Name: "custom", Level: 99}), false, "custom (level 99) cannot be the self-registration role"},
	})
}
