package identities

import (
	"fmt"
	"strings"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

// Principal kinds of a grant, as written before the first colon.
const (
	PrincipalUser  = "user"
	PrincipalGroup = "group"
	PrincipalRole  = "role"
)

// principal is a grant's principal, parsed.
type principal struct{ kind, name string }

// key is the principal's natural key: usernames and group names compare
// without regard to case, as the server's unique indexes do.
func (p principal) key() string { return p.kind + ":" + strings.ToLower(p.name) }

func parsePrincipal(s string) (principal, string) {
	kind, name, _ := strings.Cut(s, ":")
	p := principal{kind: kind, name: name}
	const form = "must be user:USERNAME, group:FULL_NAME or role:NAME"
	switch kind {
	case PrincipalUser:
		if msg := catalog.ValidateUsername(name); msg != "" {
			return p, form + "; the username " + msg
		}
	case PrincipalGroup:
		if msg := validateFullName(name); msg != "" {
			return p, form + "; the group name " + msg
		}
	case PrincipalRole:
		if msg := catalog.ValidateRoleName(name); msg != "" {
			return p, form + "; the role name " + msg
		}
	default:
		return p, form
	}
	return p, ""
}

// validateFullName checks a group's full name, Organization:Name or Name.
func validateFullName(s string) string {
	org, name, ok := strings.Cut(s, ":")
	if !ok {
		return catalog.ValidateGroupName(s)
	}
	if msg := catalog.ValidateGroupName(org); msg != "" {
		return "(organization part) " + msg
	}
	return catalog.ValidateGroupName(name)
}

// grantKey is a grant's natural key.
type grantKey struct{ operation, scope, principal string }

func (k grantKey) String() string { return k.operation + " on " + k.scope + " to " + k.principal }

// checkGrant validates g at path and returns its key, with the scope in its
// canonical form.
func checkGrant(fields map[string]string, path string, g Grant) (grantKey, principal, bool) {
	ok := true
	fail := func(field, msg string) {
		fields[path+"."+field] = msg
		ok = false
	}
	scope, serr := catalog.ParseScope(g.Scope)
	switch {
	case g.Scope == "":
		fail("scope", "is required: "+catalog.ScopeFormText)
	case serr != nil:
		fail("scope", serr.Error())
	}
	switch {
	case g.Operation == "":
		fail("operation", "is required")
	case catalog.ValidateOperation(g.Operation) != nil:
		fail("operation", strings.TrimPrefix(catalog.ValidateOperation(g.Operation).Error(), "operation "))
	case serr == nil && g.Scope != "":
		if err := catalog.ValidateGrant(g.Operation, scope); err != nil {
			fail("operation", strings.TrimPrefix(err.Error(), "operation "))
		}
	}
	p, msg := parsePrincipal(g.Principal)
	if msg != "" {
		fail("principal", msg)
	}
	if !ok {
		return grantKey{}, p, false
	}
	return grantKey{g.Operation, scope.String(), p.key()}, p, true
}

// keySet remembers the keys seen in one list and where.
type keySet map[string]string

// add records key at path; a key seen before is an error on path.
func (s keySet) add(fields map[string]string, path, key, what string) {
	if first, dup := s[key]; dup {
		fields[path] = fmt.Sprintf("%s is listed twice (also at %s)", what, first)
		return
	}
	s[key] = path
}

// validate checks everything that can be checked without the server's
// state: every value, no entry twice, nothing both listed and deleted, and
// nothing referring to what the file deletes. It puts scopes and
// default roles into their canonical form.
func validate(doc *Document) error {
	fields := map[string]string{}
	if doc.Version == nil {
		fields["version"] = "is required: the version of the file this one was exported as (GET /api/v1/identities), or 0 for a file that only creates"
	} else if *doc.Version < 0 {
		fields["version"] = "must be 0 or more"
	}
	del := doc.Deletions
	if del == nil {
		del = &Deletions{}
	}
	if doc.Version != nil && *doc.Version == 0 && !del.empty() {
		fields["deletions"] = "a file with version 0 only creates; export the current file to delete"
	}

	deletedRoles, deletedUsers, deletedGroups, deletedGrants := keySet{}, keySet{}, keySet{}, keySet{}
	for i, name := range del.Roles {
		path := fmt.Sprintf("deletions.roles[%d]", i)
		if msg := catalog.ValidateRoleName(name); msg != "" {
			fields[path] = msg
			continue
		}
		deletedRoles.add(fields, path, name, "role "+name)
	}
	for i, name := range del.Users {
		path := fmt.Sprintf("deletions.users[%d]", i)
		if msg := catalog.ValidateUsername(name); msg != "" {
			fields[path] = msg
			continue
		}
		deletedUsers.add(fields, path, strings.ToLower(name), "user "+name)
	}
	for i, name := range del.Groups {
		path := fmt.Sprintf("deletions.groups[%d]", i)
		if msg := validateFullName(name); msg != "" {
			fields[path] = msg
			continue
		}
		deletedGroups.add(fields, path, strings.ToLower(name), "group "+name)
	}
	for i, g := range del.Grants {
		path := fmt.Sprintf("deletions.grants[%d]", i)
		if k, _, ok := checkGrant(fields, path, g); ok {
			deletedGrants.add(fields, path, k.String(), "grant "+k.String())
			del.Grants[i].Scope = k.scope
		}
	}

	roles := keySet{}
	for i, r := range doc.Roles {
		path := fmt.Sprintf("roles[%d]", i)
		switch {
		case catalog.ValidateRoleName(r.Name) != "":
			fields[path+".name"] = catalog.ValidateRoleName(r.Name)
		case catalog.IsBuiltinRole(r.Name):
			fields[path+".name"] = fmt.Sprintf("%s is a built-in role, which is fixed: refer to it by name, do not list it", r.Name)
		default:
			roles.add(fields, path+".name", r.Name, "role "+r.Name)
			if _, gone := deletedRoles[r.Name]; gone {
				fields[path+".name"] = fmt.Sprintf("role %s is also listed under deletions", r.Name)
			}
		}
		if r.Level == nil {
			fields[path+".level"] = "is required"
		} else if msg := catalog.ValidateLevel(*r.Level); msg != "" {
			fields[path+".level"] = msg
		}
		if msg := catalog.ValidateText(r.Description, catalog.DescriptionMaxLength, true); msg != "" {
			fields[path+".description"] = msg
		}
	}

	users := keySet{}
	for i := range doc.Users {
		u := &doc.Users[i]
		path := fmt.Sprintf("users[%d]", i)
		if msg := catalog.ValidateUsername(u.Username); msg != "" {
			fields[path+".username"] = msg
		} else {
			users.add(fields, path+".username", strings.ToLower(u.Username), "user "+u.Username)
			if _, gone := deletedUsers[strings.ToLower(u.Username)]; gone {
				fields[path+".username"] = fmt.Sprintf("user %s is also listed under deletions", u.Username)
			}
		}
		if msg := catalog.ValidateEmail(u.Email); msg != "" {
			fields[path+".email"] = msg
		}
		for name, v := range map[string]string{"first_name": u.FirstName, "last_name": u.LastName, "organization": u.Organization} {
			if msg := catalog.ValidateText(v, catalog.NameMaxLength, false); msg != "" {
				fields[path+"."+name] = msg
			}
		}
		if u.Role == "" {
			u.Role = catalog.DefaultRole
		}
		if msg := catalog.ValidateRoleName(u.Role); msg != "" {
			fields[path+".role"] = msg
		} else if _, gone := deletedRoles[u.Role]; gone {
			fields[path+".role"] = fmt.Sprintf("role %s is deleted by this file", u.Role)
		}
		for k, msg := range catalog.ValidateAttributes(u.Attributes) {
			if k == "" {
				fields[path+".attributes"] = msg
			} else {
				fields[path+".attributes."+k] = msg
			}
		}
	}

	groups := keySet{}
	for i, g := range doc.Groups {
		path := fmt.Sprintf("groups[%d]", i)
		ok := true
		if msg := catalog.ValidateGroupName(g.Name); msg != "" {
			fields[path+".name"], ok = msg, false
		}
		if g.Organization != "" {
			if msg := catalog.ValidateGroupName(g.Organization); msg != "" {
				fields[path+".organization"], ok = msg, false
			}
		}
		if ok {
			full := catalog.GroupFullName(g.Organization, g.Name)
			groups.add(fields, path+".name", strings.ToLower(full), "group "+full)
			if _, gone := deletedGroups[strings.ToLower(full)]; gone {
				fields[path+".name"] = fmt.Sprintf("group %s is also listed under deletions", full)
			}
		}
		if msg := catalog.ValidateText(g.Description, catalog.DescriptionMaxLength, true); msg != "" {
			fields[path+".description"] = msg
		}
		members := keySet{}
		for j, m := range g.Members {
			mpath := fmt.Sprintf("%s.members[%d]", path, j)
			if msg := catalog.ValidateUsername(m); msg != "" {
				fields[mpath] = msg
				continue
			}
			members.add(fields, mpath, strings.ToLower(m), "member "+m)
			if _, gone := deletedUsers[strings.ToLower(m)]; gone {
				fields[mpath] = fmt.Sprintf("user %s is deleted by this file", m)
			}
		}
	}

	grants := keySet{}
	for i, g := range doc.Grants {
		path := fmt.Sprintf("grants[%d]", i)
		k, p, ok := checkGrant(fields, path, g)
		if !ok {
			continue
		}
		doc.Grants[i].Scope = k.scope
		grants.add(fields, path, k.String(), "grant "+k.String())
		if _, gone := deletedGrants[k.String()]; gone {
			fields[path] = fmt.Sprintf("grant %s is also listed under deletions", k)
		}
		deleted := map[string]keySet{PrincipalUser: deletedUsers, PrincipalGroup: deletedGroups, PrincipalRole: deletedRoles}[p.kind]
		name := p.name
		if p.kind != PrincipalRole {
			name = strings.ToLower(name)
		}
		if _, gone := deleted[name]; gone {
			fields[path+".principal"] = fmt.Sprintf("%s %s is deleted by this file", p.kind, p.name)
		}
	}
	return invalidFields(fields)
}
