package authz

import "github.com/seed/terraform-provider-identity/internal/catalog"

// ReadAccess allows asking what a user may do (a decision, its effective
// permissions, its groups): a reader (level 100 or lower) about anyone, and
// a user about itself. userID is the user asked about, "" when the question
// is about a third-party token, which only a reader asks about.
func ReadAccess(c Caller, userID string) error {
	if userID != "" && c.IsUser(userID) {
		return nil
	}
	if c.Level > catalog.LevelRead {
		return deny("%s cannot read what other users and tokens may do: that needs level %d or lower; anyone may ask about itself",
			c, catalog.LevelRead)
	}
	return nil
}

// ListPermissions allows listing grants: a reader (level 100 or lower) lists
// every grant; a caller holding an ADMIN_* operation on some scope lists the
// grants it may read (ReadPermission decides each one), so a delegated admin
// can find what it manages. Anyone else is refused.
func ListPermissions(c Caller) error {
	if c.Level <= catalog.LevelRead {
		return nil
	}
	if c.Held != nil {
		for _, e := range c.Held.Effective() {
			if catalog.IsAdminOperation(e.Operation) {
				return nil
			}
		}
	}
	return deny("%s cannot list permissions: listing needs level %d or lower, or an ADMIN_* operation on some scope (to list the grants it manages)",
		c, catalog.LevelRead)
}
