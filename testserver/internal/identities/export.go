package identities

import (
	"cmp"
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"

	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// Export reads the identities file from db in one read-only transaction, so
// the document and its version describe one state. The output is sorted
// (roles by name, users and members by username, groups by full name,
// grants by principal, operation and scope), so the same state always gives
// the same document. The system user and the built-in roles are left out;
// grants and memberships may still name them.
func Export(ctx context.Context, db *sql.DB) (Document, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Document{}, err
	}
	defer func() { _ = tx.Rollback() }()
	s, err := store.LoadIdentities(ctx, tx)
	if err != nil {
		return Document{}, err
	}
	version := s.Version
	doc := Document{Version: &version, Roles: []Role{}, Users: []User{}, Groups: []Group{}, Grants: []Grant{}}
	for _, r := range s.Roles {
		if r.Builtin {
			continue
		}
		level := int64(r.Level)
		doc.Roles = append(doc.Roles, Role{Name: r.Name, Level: &level, Description: r.Description})
	}
	usernames := map[string]string{}
	for _, u := range s.Users {
		usernames[u.ID] = u.Username
		if u.System {
			continue
		}
		var attrs map[string]string
		if len(u.Attributes) > 0 {
			attrs = maps.Clone(u.Attributes)
		}
		doc.Users = append(doc.Users, User{Username: u.Username, Email: u.Email, FirstName: u.FirstName,
			LastName: u.LastName, Organization: u.Organization, Role: u.Role, Disabled: u.Disabled, Attributes: attrs})
	}
	members := map[string][]string{}
	for _, m := range s.Members {
		members[m.GroupID] = append(members[m.GroupID], m.Username)
	}
	groupNames := map[string]string{}
	for _, g := range s.Groups {
		groupNames[g.ID] = g.FullName
		ms := members[g.ID]
		slices.SortFunc(ms, compareNames)
		doc.Groups = append(doc.Groups, Group{Name: g.Name, Organization: g.Organization, Description: g.Description, Members: ms})
	}
	for _, p := range s.Permissions {
		var who string
		switch {
		case p.UserID != "":
			who = PrincipalUser + ":" + usernames[p.UserID]
		case p.GroupID != "":
			who = PrincipalGroup + ":" + groupNames[p.GroupID]
		default:
			who = PrincipalRole + ":" + p.Role
		}
		doc.Grants = append(doc.Grants, Grant{Operation: p.Operation, Scope: p.Scope, Principal: who})
	}
	slices.SortFunc(doc.Roles, func(a, b Role) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(doc.Users, func(a, b User) int { return compareNames(a.Username, b.Username) })
	slices.SortFunc(doc.Groups, func(a, b Group) int {
		return compareNames(a.fullName(), b.fullName())
	})
	kindRank := map[string]int{PrincipalUser: 0, PrincipalGroup: 1, PrincipalRole: 2}
	slices.SortFunc(doc.Grants, func(a, b Grant) int {
		ak, an, _ := strings.Cut(a.Principal, ":")
		bk, bn, _ := strings.Cut(b.Principal, ":")
		return cmp.Or(cmp.Compare(kindRank[ak], kindRank[bk]), compareNames(an, bn),
			cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.Scope, b.Scope))
	})
	return doc, nil
}

// compareNames orders names as the server matches them, without regard to
// case, then by their exact spelling so the order is total.
func compareNames(a, b string) int {
	return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
}
