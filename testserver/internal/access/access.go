// Package access evaluates grants: which operations a principal holds on
// which scopes, and through which grants. It is pure — the store loads a
// principal and the grants that may reach it, this package decides — so the
// evaluation lives in one place and is tested without a database.
//
// A principal holds operation O on scope S when a grant of O, or of
// SUPER_ADMIN (which implies every operation), on S or on a scope containing
// S (catalog.Scope.Contains) reaches it: granted to the user itself, to a
// group the user is a member of, or to the user's role. A third-party token
// holds what its role holds. A disabled user (or an expired token) holds
// nothing. A principal whose role has level 0 holds every operation on
// global, as if its role held SUPER_ADMIN on global.
package access

import (
	"cmp"
	"slices"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

// Principal is whom permissions are evaluated for: a user or a third-party token.
type Principal struct {
	UserID   string // the user; "" for a third-party token, which holds only its role's grants
	Role     string
	Level    int     // the role's level
	Disabled bool    // a disabled user or an expired token holds nothing
	Groups   []Group // the groups the user is a member of
}

// Group is a group a user is a member of.
type Group struct {
	ID       string
	FullName string
}

// Grant is a stored grant of Operation on Scope to exactly one of UserID,
// GroupID and Role.
type Grant struct {
	ID        string
	Operation string
	Scope     string
	UserID    string
	GroupID   string
	Role      string
}

// ViaKind says how a grant reaches a principal.
type ViaKind string

// How a grant reaches a principal.
const (
	ViaUser  ViaKind = "user"  // granted to the user itself
	ViaGroup ViaKind = "group" // granted to a group the user is a member of
	ViaRole  ViaKind = "role"  // granted to the principal's role
)

// Via is one grant that allows an operation on a scope, and how it reaches
// the principal. GrantID is "" only for the level-0 rule: a role of level 0
// holds SUPER_ADMIN on global without a stored grant.
type Via struct {
	Kind      ViaKind
	GroupID   string // ViaGroup only
	GroupName string // ViaGroup only: the group's full name
	Role      string // ViaRole only
	GrantID   string
	Operation string // the granted operation: the one asked for, or SUPER_ADMIN
	Scope     string // the grant's scope: the one asked for, or one containing it
}

// Decision is the answer to "may the principal do operation on scope?".
type Decision struct {
	Allowed bool
	Via     []Via // every grant that allows it, in a stable order; empty when refused
}

// Entry is one (operation, scope) a principal holds, with every grant that allows it.
type Entry struct {
	Operation string
	Scope     string
	Via       []Via
}

// held is a grant that reaches the principal, its scope parsed.
type held struct {
	scope catalog.Scope
	via   Via
}

// Set is what one principal holds. Build it once with Evaluate and ask it
// as often as needed; the zero Set holds nothing.
type Set struct {
	held     []held
	disabled bool // the grants are kept for Granted, but nothing is held
}

// Evaluate returns what p holds given grants, which may include grants that
// do not reach p (they are ignored): a grant counts when it is to p's user,
// to one of p.Groups, or to p.Role. Grants with a scope or an operation the
// catalogue does not accept are ignored too; they can never apply.
func Evaluate(p Principal, grants []Grant) *Set {
	s := &Set{disabled: p.Disabled}
	if p.Level == catalog.LevelSudo && p.Role != "" {
		s.held = append(s.held, held{scope: catalog.Global,
			via: Via{Kind: ViaRole, Role: p.Role, Operation: catalog.OpSuperAdmin, Scope: catalog.ScopeGlobal}})
	}
	groups := make(map[string]string, len(p.Groups))
	for _, g := range p.Groups {
		groups[g.ID] = g.FullName
	}
	for _, g := range grants {
		var v Via
		switch {
		case g.UserID != "" && p.UserID != "" && g.UserID == p.UserID:
			v = Via{Kind: ViaUser}
		case g.GroupID != "":
			name, member := groups[g.GroupID]
			if !member || p.UserID == "" {
				continue
			}
			v = Via{Kind: ViaGroup, GroupID: g.GroupID, GroupName: name}
		case g.Role != "" && g.Role == p.Role:
			v = Via{Kind: ViaRole, Role: g.Role}
		default:
			continue
		}
		scope, err := catalog.ParseScope(g.Scope)
		if err != nil || catalog.ValidateGrant(g.Operation, scope) != nil {
			continue
		}
		v.GrantID, v.Operation, v.Scope = g.ID, g.Operation, scope.String()
		s.held = append(s.held, held{scope: scope, via: v})
	}
	return s
}

// Decide answers whether the principal holds operation on scope, with every
// grant that allows it. It does not check that operation may be granted on
// scope; Decide (the function) does.
func (s *Set) Decide(operation string, scope catalog.Scope) Decision {
	if s.disabled {
		return Decision{}
	}
	return s.decide(operation, scope)
}

func (s *Set) decide(operation string, scope catalog.Scope) Decision {
	var allowing []held
	for _, h := range s.held {
		if h.allows(operation, scope) {
			allowing = append(allowing, h)
		}
	}
	if len(allowing) == 0 {
		return Decision{}
	}
	sortHeld(allowing)
	d := Decision{Allowed: true, Via: make([]Via, len(allowing))}
	for i, h := range allowing {
		d.Via[i] = h.via
	}
	return d
}

func (h held) allows(operation string, scope catalog.Scope) bool {
	return (h.via.Operation == operation || h.via.Operation == catalog.OpSuperAdmin) && h.scope.Contains(scope)
}

// Holds reports whether the principal holds operation on scope.
func (s *Set) Holds(operation string, scope catalog.Scope) bool {
	if s.disabled {
		return false
	}
	for _, h := range s.held {
		if h.allows(operation, scope) {
			return true
		}
	}
	return false
}

// Effective lists every (operation, scope) the principal holds a grant for,
// each with every grant that allows it (so an entry's Via is what Decide
// returns for it). SUPER_ADMIN on global counts as every operation on global.
// Entries come in catalogue order of the operation, then broadest scope
// first, then by scope text. A disabled principal holds nothing.
func (s *Set) Effective() []Entry {
	if s.disabled {
		return nil
	}
	return s.Granted()
}

// Granted is Effective whether or not the principal is disabled: what its
// grants give it, and would give it again once enabled. The rules against
// escalation through another account compare this with the caller's.
func (s *Set) Granted() []Entry {
	type key struct{ op, scope string }
	seen := map[key]catalog.Scope{}
	for _, h := range s.held {
		if h.via.Operation == catalog.OpSuperAdmin {
			for _, op := range catalog.Operations {
				seen[key{op.Name, catalog.ScopeGlobal}] = catalog.Global
			}
			continue
		}
		seen[key{h.via.Operation, h.via.Scope}] = h.scope
	}
	keys := make([]key, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(operationRank(a.op), operationRank(b.op)), compareScopes(seen[a], seen[b]))
	})
	out := make([]Entry, len(keys))
	for i, k := range keys {
		out[i] = Entry{Operation: k.op, Scope: k.scope, Via: s.decide(k.op, seen[k]).Via}
	}
	return out
}

// Decide answers whether p, given grants, may do operation on scope. An
// unknown operation or a scope it cannot be granted on is an error (the
// catalogue's), as it is for a grant.
func Decide(p Principal, grants []Grant, operation string, scope catalog.Scope) (Decision, error) {
	if err := catalog.ValidateGrant(operation, scope); err != nil {
		return Decision{}, err
	}
	return Evaluate(p, grants).Decide(operation, scope), nil
}

// Effective lists what p holds given grants; see Set.Effective.
func Effective(p Principal, grants []Grant) []Entry {
	return Evaluate(p, grants).Effective()
}

func operationRank(name string) int {
	return slices.IndexFunc(catalog.Operations, func(o catalog.Operation) bool { return o.Name == name })
}

// compareScopes orders broadest first, then by text.
func compareScopes(a, b catalog.Scope) int {
	return cmp.Or(cmp.Compare(a.Depth(), b.Depth()), cmp.Compare(a.String(), b.String()))
}

var viaRank = map[ViaKind]int{ViaUser: 0, ViaGroup: 1, ViaRole: 2}

// sortHeld orders broadest scope first, then the operation in catalogue
// order, then user before group before role, then by name and grant id.
func sortHeld(hs []held) {
	slices.SortFunc(hs, func(a, b held) int {
		return cmp.Or(
			compareScopes(a.scope, b.scope),
			cmp.Compare(operationRank(a.via.Operation), operationRank(b.via.Operation)),
			cmp.Compare(viaRank[a.via.Kind], viaRank[b.via.Kind]),
			cmp.Compare(a.via.GroupName, b.via.GroupName),
			cmp.Compare(a.via.Role, b.via.Role),
			cmp.Compare(a.via.GrantID, b.via.GrantID),
		)
	})
}
