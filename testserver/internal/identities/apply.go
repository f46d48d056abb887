package identities

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// Change is one change an apply makes (or, in a dry run, would make).
type Change struct {
	Action string   `json:"action"` // create, update or delete
	Kind   string   `json:"kind"`   // user, role, group or grant
	Key    string   `json:"key"`    // the natural key: username, role name, group full name, "OP on SCOPE to PRINCIPAL"
	Fields []string `json:"fields,omitempty"`
}

// String names the change, as refusals quote it.
func (c Change) String() string { return fmt.Sprintf("%s %s %q", c.Action, c.Kind, c.Key) }

// Result is what an apply did: the changes in the order they were made, and
// the version the server is at afterwards.
type Result struct {
	Version int64    `json:"version"`
	Changes []Change `json:"changes"`
}

// ChangeError is a change that was refused or failed: Err is the rule's
// *authz.Denied, a *store.ConflictError or the store's error. The whole file
// is refused with it.
type ChangeError struct {
	Change Change
	Err    error
}

func (e *ChangeError) Error() string { return e.Change.String() + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *ChangeError) Unwrap() error { return e.Err }

// StaleError is a file whose version does not allow it: older than the
// server's, or 0 (only creates) while it would change what exists.
type StaleError struct{ Detail string }

func (e *StaleError) Error() string { return e.Detail }

// Apply applies doc inside the transaction q on behalf of caller: it checks
// the file, its version against the server's, then makes every change in
// one order (grant deletions; roles; users; groups and their members; new
// grants; group, user and role deletions), judging each by the rule that
// judges it made on its own, with the caller as it was when the apply
// began. It stops at the first refusal (*ChangeError), bad reference
// (*InvalidError) or staleness (*StaleError); the caller then rolls q back,
// so nothing is written. Entries that match the server change nothing.
func Apply(ctx context.Context, q store.Querier, caller authz.Caller, doc Document) (Result, error) {
	if err := validate(&doc); err != nil {
		return Result{}, err
	}
	s, err := store.LoadIdentities(ctx, q)
	if err != nil {
		return Result{}, err
	}
	if *doc.Version != 0 && *doc.Version < s.Version {
		return Result{}, &StaleError{Detail: fmt.Sprintf("the file is at version %d but the server is at version %d: "+
			"the identities changed since the file was exported; export them again and reapply your edits", *doc.Version, s.Version)}
	}
	a := &applier{ctx: ctx, q: q, caller: caller, createOnly: *doc.Version == 0, st: newState(s),
		roleHeld: map[string]*access.Set{}, changes: []Change{}}
	if err := a.checkReferences(doc); err != nil {
		return Result{}, err
	}
	if caller.Held == nil && caller.Level > catalog.LevelSudo {
		if a.caller.Held, err = a.callerHeld(); err != nil {
			return Result{}, err
		}
	}
	del := doc.Deletions
	if del == nil {
		del = &Deletions{}
	}
	for _, step := range []func() error{
		func() error { return a.deleteGrants(del.Grants) },
		func() error { return a.roles(doc.Roles) },
		func() error { return a.users(doc.Users) },
		func() error { return a.groups(doc.Groups) },
		func() error { return a.grants(doc.Grants) },
		func() error { return a.deleteGroups(del.Groups) },
		func() error { return a.deleteUsers(del.Users) },
		func() error { return a.deleteRoles(del.Roles) },
	} {
		if err := step(); err != nil {
			return Result{}, err
		}
	}
	version, err := store.ChangeVersion(ctx, q)
	if err != nil {
		return Result{}, err
	}
	return Result{Version: version, Changes: a.changes}, nil
}

// state is the server's identities by natural key, kept current as the
// apply changes them.
type state struct {
	users  map[string]*store.User // by lower-case username
	roles  map[string]*store.Role // by name
	groups map[string]*groupState // by lower-case full name
	grants map[grantKey]string    // permission id by key
}

type groupState struct {
	group   store.Group
	members map[string]bool // user ids
}

func newState(s store.Identities) *state {
	st := &state{users: map[string]*store.User{}, roles: map[string]*store.Role{}, groups: map[string]*groupState{},
		grants: map[grantKey]string{}}
	byID := map[string]string{}
	for i := range s.Users {
		u := &s.Users[i]
		st.users[strings.ToLower(u.Username)] = u
		byID[u.ID] = PrincipalUser + ":" + strings.ToLower(u.Username)
	}
	for i := range s.Roles {
		st.roles[s.Roles[i].Name] = &s.Roles[i]
	}
	groupByID := map[string]*groupState{}
	for _, g := range s.Groups {
		gs := &groupState{group: g, members: map[string]bool{}}
		st.groups[strings.ToLower(g.FullName)], groupByID[g.ID] = gs, gs
		byID[g.ID] = PrincipalGroup + ":" + strings.ToLower(g.FullName)
	}
	for _, m := range s.Members {
		groupByID[m.GroupID].members[m.UserID] = true
	}
	for _, p := range s.Permissions {
		who := PrincipalRole + ":" + p.Role
		if p.UserID != "" {
			who = byID[p.UserID]
		} else if p.GroupID != "" {
			who = byID[p.GroupID]
		}
		st.grants[grantKey{p.Operation, p.Scope, who}] = p.ID
	}
	return st
}

func (g Group) fullName() string { return catalog.GroupFullName(g.Organization, g.Name) }

type applier struct {
	ctx        context.Context
	q          store.Querier
	caller     authz.Caller
	createOnly bool
	st         *state
	roleHeld   map[string]*access.Set
	changes    []Change
}

// checkReferences refuses names that exist neither on the server nor in the
// file, and deletions of what does not exist.
func (a *applier) checkReferences(doc Document) error {
	fields := map[string]string{}
	roles, users, groups := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for name := range a.st.roles {
		roles[name] = true
	}
	for _, r := range doc.Roles {
		roles[r.Name] = true
	}
	for name := range a.st.users {
		users[name] = true
	}
	for _, u := range doc.Users {
		users[strings.ToLower(u.Username)] = true
	}
	for name := range a.st.groups {
		groups[name] = true
	}
	for _, g := range doc.Groups {
		groups[strings.ToLower(g.fullName())] = true
	}
	for i, u := range doc.Users {
		if !roles[u.Role] {
			fields[fmt.Sprintf("users[%d].role", i)] = fmt.Sprintf("role %q does not exist", u.Role)
		}
	}
	for i, g := range doc.Groups {
		for j, m := range g.Members {
			if !users[strings.ToLower(m)] {
				fields[fmt.Sprintf("groups[%d].members[%d]", i, j)] = fmt.Sprintf("user %q does not exist", m)
			}
		}
	}
	for i, g := range doc.Grants {
		p, _ := parsePrincipal(g.Principal)
		known := map[string]map[string]bool{PrincipalUser: users, PrincipalGroup: groups, PrincipalRole: roles}[p.kind]
		if !known[strings.ToLower(p.name)] {
			fields[fmt.Sprintf("grants[%d].principal", i)] = fmt.Sprintf("%s %q does not exist", p.kind, p.name)
		}
	}
	if del := doc.Deletions; del != nil {
		for i, name := range del.Users {
			if a.st.users[strings.ToLower(name)] == nil {
				fields[fmt.Sprintf("deletions.users[%d]", i)] = fmt.Sprintf("user %q does not exist", name)
			}
		}
		for i, name := range del.Groups {
			if a.st.groups[strings.ToLower(name)] == nil {
				fields[fmt.Sprintf("deletions.groups[%d]", i)] = fmt.Sprintf("group %q does not exist", name)
			}
		}
		for i, name := range del.Roles {
			if a.st.roles[name] == nil {
				fields[fmt.Sprintf("deletions.roles[%d]", i)] = fmt.Sprintf("role %q does not exist", name)
			}
		}
		for i, g := range del.Grants {
			if k, _ := keyOf(g); a.st.grants[k] == "" {
				fields[fmt.Sprintf("deletions.grants[%d]", i)] = fmt.Sprintf("grant %s does not exist", k)
			}
		}
	}
	return invalidFields(fields)
}

// keyOf returns the key of a grant that validate accepted.
func keyOf(g Grant) (grantKey, principal) {
	p, _ := parsePrincipal(g.Principal)
	return grantKey{g.Operation, g.Scope, p.key()}, p
}

func (a *applier) record(ch Change) { a.changes = append(a.changes, ch) }

func refuse(ch Change, err error) error { return &ChangeError{Change: ch, Err: err} }

// changing refuses a change to what exists in a file that only creates.
func (a *applier) changing(ch Change) error {
	if !a.createOnly {
		return nil
	}
	return &StaleError{Detail: fmt.Sprintf("a file with version 0 only creates, but it would %s (%s); "+
		"export the current file and edit that to change what exists", ch, strings.Join(ch.Fields, ", "))}
}

func (a *applier) callerHeld() (*access.Set, error) {
	if a.caller.Kind == authz.KindToken {
		return store.TokenHeld(a.ctx, a.q, a.caller.ID, time.Now(), store.AccessFilter{})
	}
	return store.UserHeld(a.ctx, a.q, a.caller.ID, store.AccessFilter{})
}

func (a *applier) userRef(u *store.User, withHeld bool) (authz.UserRef, error) {
	ref := authz.UserRef{ID: u.ID, System: u.System, Role: authz.RoleRef{Name: u.Role, Level: u.Level}}
	if withHeld {
		held, err := store.UserHeld(a.ctx, a.q, u.ID, store.AccessFilter{})
		if err != nil {
			return ref, err
		}
		ref.Held = held
	}
	return ref, nil
}

// roleRef is a role with what its grants give, for the rules on assigning it.
func (a *applier) roleRef(name string) (authz.RoleRef, error) {
	r := a.st.roles[name]
	held, ok := a.roleHeld[name]
	if !ok {
		var err error
		if held, err = store.RoleHeld(a.ctx, a.q, name, store.AccessFilter{}); err != nil {
			return authz.RoleRef{}, err
		}
		a.roleHeld[name] = held
	}
	return authz.RoleRef{Name: r.Name, Level: r.Level, Held: held}, nil
}

func (a *applier) deleteGrants(list []Grant) error {
	for _, g := range list {
		k, p := keyOf(g)
		ch := Change{Action: "delete", Kind: "grant", Key: k.String()}
		scope, err := catalog.ParseScope(k.scope)
		if err != nil {
			return err
		}
		if err := authz.RevokePermission(a.caller, authz.PermissionRef{Operation: k.operation, Scope: scope, ToRole: p.kind == PrincipalRole}); err != nil {
			return refuse(ch, err)
		}
		if err := store.DeletePermission(a.ctx, a.q, a.st.grants[k]); err != nil {
			return refuse(ch, err)
		}
		delete(a.st.grants, k)
		a.record(ch)
	}
	return nil
}

func (a *applier) roles(list []Role) error {
	for _, r := range list {
		level := int(*r.Level)
		cur := a.st.roles[r.Name]
		if cur == nil {
			ch := Change{Action: "create", Kind: "role", Key: r.Name}
			if err := authz.CreateRole(a.caller, level); err != nil {
				return refuse(ch, err)
			}
			now := store.Now()
			role := store.Role{Name: r.Name, Level: level, Description: r.Description, CreatedAt: now, UpdatedAt: now, Version: 1}
			if err := store.InsertRole(a.ctx, a.q, &role); err != nil {
				return refuse(ch, err)
			}
			a.st.roles[r.Name] = &role
			a.record(ch)
			continue
		}
		ch := Change{Action: "update", Kind: "role", Key: r.Name}
		var newLevel *int
		if cur.Level != level {
			newLevel = &level
			ch.Fields = append(ch.Fields, "level")
		}
		if cur.Description != r.Description {
			ch.Fields = append(ch.Fields, "description")
		}
		if len(ch.Fields) == 0 {
			continue
		}
		if err := a.changing(ch); err != nil {
			return err
		}
		if err := authz.UpdateRole(a.caller, authz.RoleRef{Name: cur.Name, Level: cur.Level}, cur.Builtin, newLevel); err != nil {
			return refuse(ch, err)
		}
		if newLevel != nil && level < catalog.SelfRegistrationMinLevel {
			use, err := store.GetRoleUsage(a.ctx, a.q, cur.Name)
			if err != nil {
				return err
			}
			if use.SelfRegistration {
				return refuse(ch, store.Conflict("level", "role %s is the self-registration role, which must keep level %d or higher; "+
					"choose another self-registration role in the settings first", cur.Name, catalog.SelfRegistrationMinLevel))
			}
		}
		cur.Level, cur.Description = level, r.Description
		if err := store.UpdateRole(a.ctx, a.q, cur); err != nil {
			return refuse(ch, err)
		}
		delete(a.roleHeld, cur.Name)
		a.record(ch)
	}
	return nil
}

func (a *applier) users(list []User) error {
	for _, u := range list {
		key := strings.ToLower(u.Username)
		attrs := u.Attributes
		if attrs == nil {
			attrs = map[string]string{}
		}
		cur := a.st.users[key]
		if cur == nil {
			ch := Change{Action: "create", Kind: "user", Key: u.Username}
			role, err := a.roleRef(u.Role)
			if err != nil {
				return err
			}
			if err := authz.CreateUser(a.caller, role); err != nil {
				return refuse(ch, err)
			}
			now := store.Now()
			nu := store.User{ID: uuid.NewString(), Username: u.Username, Email: u.Email, FirstName: u.FirstName,
				LastName: u.LastName, Organization: u.Organization, Role: u.Role, Disabled: u.Disabled,
				Attributes: attrs, CreatedAt: now, UpdatedAt: now, Version: 1, Level: role.Level}
			if err := store.InsertUser(a.ctx, a.q, &nu); err != nil {
				return refuse(ch, err)
			}
			a.st.users[key] = &nu
			a.record(ch)
			continue
		}
		ch := Change{Action: "update", Kind: "user", Key: cur.Username}
		target, err := a.userRef(cur, false)
		if err != nil {
			return err
		}
		if err := authz.FileUser(target); err != nil {
			return refuse(ch, err)
		}
		var uc authz.UserChange
		for _, f := range []struct {
			name       string
			have, want string
		}{{"email", cur.Email, u.Email}, {"first_name", cur.FirstName, u.FirstName},
			{"last_name", cur.LastName, u.LastName}, {"organization", cur.Organization, u.Organization}} {
			if f.have != f.want {
				ch.Fields = append(ch.Fields, f.name)
				uc.Profile = true
			}
		}
		if !maps.Equal(cur.Attributes, attrs) {
			ch.Fields = append(ch.Fields, "attributes")
			uc.Profile = true
		}
		if cur.Role != u.Role {
			ch.Fields = append(ch.Fields, "role")
			role, err := a.roleRef(u.Role)
			if err != nil {
				return err
			}
			uc.Role = &role
		}
		if cur.Disabled != u.Disabled {
			ch.Fields = append(ch.Fields, "disabled")
			uc.Disabled = &u.Disabled
		}
		if len(ch.Fields) == 0 {
			continue
		}
		if err := a.changing(ch); err != nil {
			return err
		}
		if uc.Role != nil || uc.Disabled != nil {
			if target, err = a.userRef(cur, true); err != nil {
				return err
			}
		}
		if err := authz.UpdateUser(a.caller, target, uc); err != nil {
			return refuse(ch, err)
		}
		cur.Email, cur.FirstName, cur.LastName, cur.Organization = u.Email, u.FirstName, u.LastName, u.Organization
		cur.Attributes, cur.Disabled = attrs, u.Disabled
		if uc.Role != nil {
			cur.Role, cur.Level = uc.Role.Name, uc.Role.Level
		}
		if err := store.UpdateUser(a.ctx, a.q, cur); err != nil {
			return refuse(ch, err)
		}
		if uc.Disabled != nil && u.Disabled {
			// Disabled users lose their sessions at once.
			if err := store.DeleteUserSessions(a.ctx, a.q, cur.ID, ""); err != nil {
				return err
			}
		}
		a.record(ch)
	}
	return nil
}

func (a *applier) groups(list []Group) error {
	for _, g := range list {
		full := g.fullName()
		want := map[string]bool{}
		for _, m := range g.Members {
			want[a.st.users[strings.ToLower(m)].ID] = true
		}
		ids := slices.Sorted(maps.Keys(want))
		cur := a.st.groups[strings.ToLower(full)]
		if cur == nil {
			ch := Change{Action: "create", Kind: "group", Key: full}
			if err := authz.ManageGroups(a.caller); err != nil {
				return refuse(ch, err)
			}
			now := store.Now()
			ng := store.Group{ID: uuid.NewString(), Name: g.Name, Organization: g.Organization, Description: g.Description,
				CreatedAt: now, UpdatedAt: now, Version: 1}
			if err := store.InsertGroup(a.ctx, a.q, &ng); err != nil {
				return refuse(ch, err)
			}
			if len(ids) > 0 {
				if _, _, err := store.ReplaceMembers(a.ctx, a.q, ng.ID, ids); err != nil {
					return refuse(ch, err)
				}
			}
			a.st.groups[strings.ToLower(full)] = &groupState{group: ng, members: want}
			a.record(ch)
			continue
		}
		ch := Change{Action: "update", Kind: "group", Key: full}
		own := false
		for _, f := range []struct{ name, have, want string }{{"name", cur.group.Name, g.Name},
			{"organization", cur.group.Organization, g.Organization}, {"description", cur.group.Description, g.Description}} {
			if f.have != f.want {
				ch.Fields = append(ch.Fields, f.name)
				own = true
			}
		}
		membersChange := !maps.Equal(cur.members, want)
		if membersChange {
			ch.Fields = append(ch.Fields, "members")
		}
		if len(ch.Fields) == 0 {
			continue
		}
		if err := a.changing(ch); err != nil {
			return err
		}
		if err := authz.ManageGroups(a.caller); err != nil {
			return refuse(ch, err)
		}
		if own {
			cur.group.Name, cur.group.Organization, cur.group.Description = g.Name, g.Organization, g.Description
			if err := store.UpdateGroup(a.ctx, a.q, &cur.group); err != nil {
				return refuse(ch, err)
			}
		}
		if membersChange {
			if _, _, err := store.ReplaceMembers(a.ctx, a.q, cur.group.ID, ids); err != nil {
				return refuse(ch, err)
			}
			if err := store.TouchGroup(a.ctx, a.q, cur.group.ID); err != nil {
				return err
			}
			cur.members = want
		}
		a.record(ch)
	}
	return nil
}

func (a *applier) grants(list []Grant) error {
	for _, g := range list {
		k, p := keyOf(g)
		if a.st.grants[k] != "" {
			continue
		}
		ch := Change{Action: "create", Kind: "grant", Key: k.String()}
		scope, err := catalog.ParseScope(k.scope)
		if err != nil {
			return err
		}
		if err := authz.GrantPermission(a.caller, authz.PermissionRef{Operation: k.operation, Scope: scope, ToRole: p.kind == PrincipalRole}); err != nil {
			return refuse(ch, err)
		}
		perm := store.Permission{ID: uuid.NewString(), Operation: k.operation, Scope: k.scope, CreatedAt: store.Now(), Version: 1}
		switch p.kind {
		case PrincipalUser:
			perm.UserID = a.st.users[strings.ToLower(p.name)].ID
		case PrincipalGroup:
			perm.GroupID = a.st.groups[strings.ToLower(p.name)].group.ID
		default:
			perm.Role = p.name
		}
		if err := store.InsertPermission(a.ctx, a.q, &perm); err != nil {
			return refuse(ch, err)
		}
		a.st.grants[k] = perm.ID
		a.record(ch)
	}
	return nil
}

func (a *applier) deleteGroups(names []string) error {
	for _, name := range names {
		cur := a.st.groups[strings.ToLower(name)]
		ch := Change{Action: "delete", Kind: "group", Key: cur.group.FullName}
		if err := authz.ManageGroups(a.caller); err != nil {
			return refuse(ch, err)
		}
		if err := store.DeleteGroup(a.ctx, a.q, cur.group.ID); err != nil {
			return refuse(ch, err)
		}
		delete(a.st.groups, strings.ToLower(name))
		a.record(ch)
	}
	return nil
}

func (a *applier) deleteUsers(names []string) error {
	for _, name := range names {
		cur := a.st.users[strings.ToLower(name)]
		ch := Change{Action: "delete", Kind: "user", Key: cur.Username}
		target, err := a.userRef(cur, false)
		if err != nil {
			return err
		}
		if err := authz.DeleteUser(a.caller, target); err != nil {
			return refuse(ch, err)
		}
		if err := store.DeleteUser(a.ctx, a.q, cur.ID); err != nil {
			return refuse(ch, err)
		}
		delete(a.st.users, strings.ToLower(name))
		a.record(ch)
	}
	return nil
}

func (a *applier) deleteRoles(names []string) error {
	for _, name := range names {
		cur := a.st.roles[name]
		ch := Change{Action: "delete", Kind: "role", Key: name}
		if err := authz.DeleteRole(a.caller, authz.RoleRef{Name: cur.Name, Level: cur.Level}, cur.Builtin); err != nil {
			return refuse(ch, err)
		}
		use, err := store.GetRoleUsage(a.ctx, a.q, name)
		if err != nil {
			return err
		}
		if use.SelfRegistration {
			return refuse(ch, store.Conflict("", "role %s is the self-registration role; choose another in the settings first", name))
		}
		if use.InUse() {
			return refuse(ch, store.Conflict("", "role %s is still used by %d user(s), %d token(s) and %d permission(s)",
				name, use.Users, use.Tokens, use.Permissions))
		}
		if err := store.DeleteRole(a.ctx, a.q, name); err != nil {
			return refuse(ch, err)
		}
		delete(a.st.roles, name)
		a.record(ch)
	}
	return nil
}
