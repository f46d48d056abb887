package authz

// ReadIdentities allows reading the identities file, and is the first gate
// to applying one: level 100 or lower. Applying a file also needs, for each
// change in it, the rule of that change made on its own (CreateUser,
// UpdateRole, ManageGroups, GrantPermission, ...).
func ReadIdentities(c Caller) error {
	return Read(c, "read the identities file")
}

// FileUser allows an identities file to create or change the user target.
// The system user is not part of the file: a file may refer to it (as a
// member, as a grant's principal) but never change it, whoever uploads it.
func FileUser(target UserRef) error {
	if target.System {
		return deny("the system user is not part of the identities file and cannot be changed by one")
	}
	return nil
}
