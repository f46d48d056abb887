package authz

import "github.com/seed/terraform-provider-identity/internal/catalog"

// ReadSettings allows reading the server's settings: level 100 or lower.
func ReadSettings(c Caller) error {
	return Read(c, "read the settings")
}

// ChangeSettings allows changing the server's settings: level 1 or lower.
// role is the new self-registration role when it changes (nil otherwise); it
// must have level 100 or higher, so that no one who signs up on their own can
// read other identities, let alone manage them.
func ChangeSettings(c Caller, role *RoleRef) error {
	if err := adminOnly(c, "change the settings"); err != nil {
		return err
	}
	if role != nil {
		return selfRegistrationRole(*role)
	}
	return nil
}

func selfRegistrationRole(role RoleRef) error {
	if role.Level < catalog.SelfRegistrationMinLevel {
		return deny("role %s cannot be the self-registration role: it must have level %d or higher", role, catalog.SelfRegistrationMinLevel)
	}
	return nil
}

// Register allows someone without a credential to create an account with
// role, the self-registration role: only while self-registration is on, and
// never with a role below level 100 (should a role's level have moved since
// it was chosen).
func Register(enabled bool, role RoleRef) error {
	if !enabled {
		return deny("self-registration is off; an administrator turns it on with PATCH /api/v1/settings")
	}
	return selfRegistrationRole(role)
}
