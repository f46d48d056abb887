package access

import (
	"slices"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

var (
	alice = Principal{UserID: "u-alice", Role: "operator", Level: 10,
		Groups: []Group{{ID: "g-dev", FullName: "Acme:Dev"}, {ID: "g-ops", FullName: "Ops"}}}
	disabledAlice = Principal{UserID: "u-alice", Role: "operator", Level: 10, Disabled: true, Groups: alice.Groups}
	sudoUser      = Principal{UserID: "u-root", Role: "sudo", Level: 0}
	systemUser    = Principal{UserID: "u-system", Role: "sudo", Level: 0}
	customLevel0  = Principal{UserID: "u-boss", Role: "boss", Level: 0}
	disabledSudo  = Principal{UserID: "u-root", Role: "sudo", Level: 0, Disabled: true}
	operatorToken = Principal{Role: "operator", Level: 10}
	sudoToken     = Principal{Role: "sudo", Level: 0}
	expiredToken  = Principal{Role: "operator", Level: 10, Disabled: true}
)

func toUser(id, op, scope, user string) Grant {
	return Grant{ID: id, Operation: op, Scope: scope, UserID: user}
}
func toGroup(id, op, scope, group string) Grant {
	return Grant{ID: id, Operation: op, Scope: scope, GroupID: group}
}
func toRole(id, op, scope, role string) Grant {
	return Grant{ID: id, Operation: op, Scope: scope, Role: role}
}

func scope(t *testing.T, s string) catalog.Scope {
	t.Helper()
	sc, err := catalog.ParseScope(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func grantIDs(v []Via) []string {
	var ids []string
	for _, x := range v {
		ids = append(ids, x.GrantID)
	}
	return ids
}

func TestDecide(t *testing.T) {
	for _, c := range []struct {
		name   string
		p      Principal
		grants []Grant
		op     string
		scope  string
		want   []string // grant ids of the via list, in order; nil means refused
	}{
		// How a grant reaches the principal.
		{"direct grant", alice, []Grant{toUser("g1", "VIEW_PROJECT", "project:web", "u-alice")}, "VIEW_PROJECT", "project:web", []string{"g1"}},
		{"grant to another user", alice, []Grant{toUser("g1", "VIEW_PROJECT", "project:web", "u-bob")}, "VIEW_PROJECT", "project:web", nil},
		{"group grant", alice, []Grant{toGroup("g1", "VIEW_PROJECT", "project:web", "g-dev")}, "VIEW_PROJECT", "project:web", []string{"g1"}},
		{"grant to a group alice is not in", alice, []Grant{toGroup("g1", "VIEW_PROJECT", "project:web", "g-other")}, "VIEW_PROJECT", "project:web", nil},
		{"role grant", alice, []Grant{toRole("g1", "VIEW_PROJECT", "project:web", "operator")}, "VIEW_PROJECT", "project:web", []string{"g1"}},
		{"grant to another role", alice, []Grant{toRole("g1", "VIEW_PROJECT", "project:web", "auditor")}, "VIEW_PROJECT", "project:web", nil},
		{"another operation", alice, []Grant{toUser("g1", "MODIFY_PROJECT", "project:web", "u-alice")}, "VIEW_PROJECT", "project:web", nil},

		// SUPER_ADMIN implies every operation, on everything global contains.
		{"SUPER_ADMIN implies the operation", alice, []Grant{toGroup("g1", "SUPER_ADMIN", "global", "g-ops")}, "DEPLOY_INVENTORY", "tenant:acme/inventory:prod", []string{"g1"}},
		{"SUPER_ADMIN implies CREATE_USER", alice, []Grant{toRole("g1", "SUPER_ADMIN", "global", "operator")}, "CREATE_USER", "global", []string{"g1"}},

		// Containment, level by level.
		{"global contains a tenant", alice, []Grant{toUser("g1", "CREATE_PROJECT", "global", "u-alice")}, "CREATE_PROJECT", "tenant:acme", []string{"g1"}},
		{"global contains a tenant's project", alice, []Grant{toUser("g1", "VIEW_PROJECT", "global", "u-alice")}, "VIEW_PROJECT", "tenant:acme/project:web", []string{"g1"}},
		{"global contains a project of no tenant", alice, []Grant{toUser("g1", "VIEW_PROJECT", "global", "u-alice")}, "VIEW_PROJECT", "project:web", []string{"g1"}},
		{"tenant contains its project", alice, []Grant{toGroup("g1", "MODIFY_PROJECT", "tenant:acme", "g-dev")}, "MODIFY_PROJECT", "tenant:acme/project:web", []string{"g1"}},
		{"tenant contains its inventory", alice, []Grant{toGroup("g1", "DEPLOY_INVENTORY", "tenant:acme", "g-dev")}, "DEPLOY_INVENTORY", "tenant:acme/inventory:prod", []string{"g1"}},
		{"tenant holds on itself", alice, []Grant{toGroup("g1", "DEPLOY_INVENTORY", "tenant:acme", "g-dev")}, "DEPLOY_INVENTORY", "tenant:acme", []string{"g1"}},
		{"tenant-qualified project exact", alice, []Grant{toUser("g1", "VIEW_PROJECT", "tenant:acme/project:web", "u-alice")}, "VIEW_PROJECT", "tenant:acme/project:web", []string{"g1"}},

		// Siblings and parents are not contained.
		{"another tenant's project", alice, []Grant{toGroup("g1", "VIEW_PROJECT", "tenant:beta", "g-dev")}, "VIEW_PROJECT", "tenant:acme/project:web", nil},
		{"a tenant does not contain the project of no tenant", alice, []Grant{toGroup("g1", "VIEW_PROJECT", "tenant:acme", "g-dev")}, "VIEW_PROJECT", "project:web", nil},
		{"a project of no tenant is not the tenant's project", alice, []Grant{toUser("g1", "VIEW_PROJECT", "project:web", "u-alice")}, "VIEW_PROJECT", "tenant:acme/project:web", nil},
		{"a tenant's project is not the project of no tenant", alice, []Grant{toUser("g1", "VIEW_PROJECT", "tenant:acme/project:web", "u-alice")}, "VIEW_PROJECT", "project:web", nil},
		{"a project does not contain its tenant", alice, []Grant{toUser("g1", "VIEW_PROJECT", "tenant:acme/project:web", "u-alice")}, "VIEW_PROJECT", "tenant:acme", nil},
		{"a tenant does not contain global", alice, []Grant{toUser("g1", "VIEW_PROJECT", "tenant:acme", "u-alice")}, "VIEW_PROJECT", "global", nil},
		{"sibling project", alice, []Grant{toUser("g1", "VIEW_PROJECT", "tenant:acme/project:api", "u-alice")}, "VIEW_PROJECT", "tenant:acme/project:web", nil},
		{"same key, other kind", alice, []Grant{toUser("g1", "VIEW_INVENTORY", "inventory:web", "u-alice")}, "VIEW_PROJECT", "project:web", nil},
		{"keys compare exactly", alice, []Grant{toUser("g1", "VIEW_PROJECT", "project:Web", "u-alice")}, "VIEW_PROJECT", "project:web", nil},

		// Every allowing grant is listed: broadest scope first, then the
		// operation in catalogue order, then user before group before role.
		{"every path at once", alice, []Grant{
			toRole("r1", "VIEW_PROJECT", "tenant:acme/project:web", "operator"),
			toUser("u1", "VIEW_PROJECT", "tenant:acme/project:web", "u-alice"),
			toGroup("gd", "VIEW_PROJECT", "tenant:acme", "g-dev"),
			toGroup("go", "SUPER_ADMIN", "global", "g-ops"),
			toUser("u2", "VIEW_PROJECT", "global", "u-alice"),
			toUser("x1", "VIEW_PROJECT", "tenant:beta", "u-alice"),
			toUser("x2", "MODIFY_PROJECT", "global", "u-alice"),
		}, "VIEW_PROJECT", "tenant:acme/project:web", []string{"go", "u2", "gd", "u1", "r1"}},

		// Disabled principals hold nothing.
		{"disabled user", disabledAlice, []Grant{toUser("g1", "VIEW_PROJECT", "global", "u-alice"), toRole("g2", "SUPER_ADMIN", "global", "operator")}, "VIEW_PROJECT", "project:web", nil},
		{"disabled sudo", disabledSudo, nil, "VIEW_PROJECT", "project:web", nil},

		// Level 0 holds every operation on global, without a stored grant.
		{"sudo holds everything", sudoUser, nil, "DEPLOY_INVENTORY", "tenant:acme/inventory:prod", []string{""}},
		{"system user holds everything", systemUser, nil, "SUPER_ADMIN", "global", []string{""}},
		{"a custom level-0 role holds everything", customLevel0, nil, "CREATE_USER", "global", []string{""}},
		{"sudo keeps its stored grants in via", sudoUser, []Grant{toUser("g1", "VIEW_PROJECT", "project:web", "u-root")}, "VIEW_PROJECT", "project:web", []string{"", "g1"}},

		// A third-party token holds what its role holds, and nothing else.
		{"token holds its role's grants", operatorToken, []Grant{toRole("g1", "VIEW_INVENTORY", "tenant:acme", "operator")}, "VIEW_INVENTORY", "tenant:acme/inventory:prod", []string{"g1"}},
		{"token holds no user grant", operatorToken, []Grant{{ID: "g1", Operation: "VIEW_PROJECT", Scope: "global", UserID: ""}}, "VIEW_PROJECT", "global", nil},
		{"token holds no group grant", Principal{Role: "operator", Level: 10, Groups: alice.Groups}, []Grant{toGroup("g1", "VIEW_PROJECT", "global", "g-dev")}, "VIEW_PROJECT", "global", nil},
		{"sudo token holds everything", sudoToken, nil, "MODIFY_USER", "global", []string{""}},
		{"expired token", expiredToken, []Grant{toRole("g1", "VIEW_INVENTORY", "global", "operator")}, "VIEW_INVENTORY", "global", nil},

		// Stored rows the catalogue would refuse never apply.
		{"malformed stored scope", alice, []Grant{toUser("g1", "VIEW_PROJECT", "galaxy:far", "u-alice")}, "VIEW_PROJECT", "project:web", nil},
		{"operation not valid on the stored scope", alice, []Grant{toUser("g1", "SUPER_ADMIN", "tenant:acme", "u-alice")}, "VIEW_PROJECT", "tenant:acme", nil},
		{"the zero principal holds nothing", Principal{}, []Grant{toRole("g1", "VIEW_PROJECT", "global", "")}, "VIEW_PROJECT", "global", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decide(c.p, c.grants, c.op, scope(t, c.scope))
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != (c.want != nil) {
				t.Fatalf("allowed = %v, want %v (via %+v)", d.Allowed, c.want != nil, d.Via)
			}
			if got := grantIDs(d.Via); !slices.Equal(got, c.want) {
				t.Fatalf("via %v, want %v", got, c.want)
			}
			if Evaluate(c.p, c.grants).Holds(c.op, scope(t, c.scope)) != d.Allowed {
				t.Fatal("Holds disagrees with Decide")
			}
		})
	}
}

func TestDecideVia(t *testing.T) {
	grants := []Grant{
		toUser("u1", "VIEW_PROJECT", "tenant:acme/project:web", "u-alice"),
		toGroup("g1", "VIEW_PROJECT", "tenant:acme", "g-dev"),
		toRole("r1", "SUPER_ADMIN", "global", "operator"),
	}
	d, err := Decide(alice, grants, "VIEW_PROJECT", scope(t, "tenant:acme/project:web"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Via{
		{Kind: ViaRole, Role: "operator", GrantID: "r1", Operation: "SUPER_ADMIN", Scope: "global"},
		{Kind: ViaGroup, GroupID: "g-dev", GroupName: "Acme:Dev", GrantID: "g1", Operation: "VIEW_PROJECT", Scope: "tenant:acme"},
		{Kind: ViaUser, GrantID: "u1", Operation: "VIEW_PROJECT", Scope: "tenant:acme/project:web"},
	}
	if !slices.Equal(d.Via, want) {
		t.Fatalf("via\n got %+v\nwant %+v", d.Via, want)
	}
	d, _ = Decide(systemUser, nil, "VIEW_PROJECT", catalog.Global)
	if !slices.Equal(d.Via, []Via{{Kind: ViaRole, Role: "sudo", Operation: "SUPER_ADMIN", Scope: "global"}}) {
		t.Fatalf("level-0 via %+v", d.Via)
	}
}

func TestDecideRefusesWhatTheCatalogueRefuses(t *testing.T) {
	for _, c := range []struct{ op, scope, want string }{
		{"FLY", "global", `operation "FLY" is unknown`},
		{"VIEW_PROJECT", "tenant:acme/inventory:prod", "not valid on a inventory scope"},
		{"SUPER_ADMIN", "tenant:acme", "it is valid on: global"},
		{"CREATE_USER", "project:web", "it is valid on: global"},
	} {
		_, err := Decide(sudoUser, nil, c.op, scope(t, c.scope))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decide(%s, %s) error %v, want %q", c.op, c.scope, err, c.want)
		}
	}
}

func TestEffective(t *testing.T) {
	grants := []Grant{
		toUser("u1", "VIEW_PROJECT", "tenant:acme/project:web", "u-alice"),
		toGroup("g1", "VIEW_PROJECT", "tenant:acme", "g-dev"),
		toGroup("g2", "DEPLOY_INVENTORY", "inventory:prod", "g-ops"),
		toRole("r1", "VIEW_PROJECT", "project:api", "operator"),
		toRole("r2", "VIEW_PROJECT", "tenant:acme", "operator"), // the same (operation, scope) as g1
		toUser("x1", "SUPER_ADMIN", "global", "u-bob"),
		toGroup("x2", "MODIFY_USER", "global", "g-other"),
	}
	got := Effective(alice, grants)
	type row struct {
		op, scope string
		via       []string
	}
	var rows []row
	for _, e := range got {
		rows = append(rows, row{e.Operation, e.Scope, grantIDs(e.Via)})
	}
	want := []row{
		{"VIEW_PROJECT", "project:api", []string{"r1"}},
		{"VIEW_PROJECT", "tenant:acme", []string{"g1", "r2"}},
		{"VIEW_PROJECT", "tenant:acme/project:web", []string{"g1", "r2", "u1"}},
		{"DEPLOY_INVENTORY", "inventory:prod", []string{"g2"}},
	}
	if !slices.EqualFunc(rows, want, func(a, b row) bool { return a.op == b.op && a.scope == b.scope && slices.Equal(a.via, b.via) }) {
		t.Fatalf("effective\n got %v\nwant %v", rows, want)
	}
	// Each entry's via is what Decide says about it.
	set := Evaluate(alice, grants)
	for _, e := range got {
		d := set.Decide(e.Operation, scope(t, e.Scope))
		if !slices.Equal(d.Via, e.Via) {
			t.Errorf("%s on %s: effective via %v, decide via %v", e.Operation, e.Scope, e.Via, d.Via)
		}
	}
	// Stable: the same input in another order gives the same answer.
	reversed := slices.Clone(grants)
	slices.Reverse(reversed)
	again := Effective(alice, reversed)
	if len(again) != len(got) {
		t.Fatalf("order changed the entries: %v", again)
	}
	for i := range got {
		if got[i].Operation != again[i].Operation || got[i].Scope != again[i].Scope || !slices.Equal(got[i].Via, again[i].Via) {
			t.Fatalf("entry %d differs: %+v vs %+v", i, got[i], again[i])
		}
	}
}

func TestEffectiveSuperAdmin(t *testing.T) {
	for _, c := range []struct {
		name   string
		p      Principal
		grants []Grant
		via    string
	}{
		{"sudo", sudoUser, nil, ""},
		{"sudo token", sudoToken, nil, ""},
		{"SUPER_ADMIN grant", alice, []Grant{toGroup("s1", "SUPER_ADMIN", "global", "g-ops")}, "s1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Effective(c.p, c.grants)
			if len(got) != len(catalog.Operations) {
				t.Fatalf("%d entries, want one per operation: %+v", len(got), got)
			}
			for i, e := range got {
				if e.Operation != catalog.Operations[i].Name || e.Scope != "global" || len(e.Via) != 1 || e.Via[0].GrantID != c.via || e.Via[0].Operation != "SUPER_ADMIN" {
					t.Fatalf("entry %d: %+v", i, e)
				}
			}
		})
	}
	if got := Effective(disabledSudo, nil); len(got) != 0 {
		t.Fatalf("a disabled sudo holds %+v", got)
	}
	if got := Effective(disabledAlice, []Grant{toUser("g1", "VIEW_PROJECT", "global", "u-alice")}); len(got) != 0 {
		t.Fatalf("a disabled user holds %+v", got)
	}
}

func TestGrantedCountsWhileDisabled(t *testing.T) {
	grants := []Grant{toUser("g1", "VIEW_PROJECT", "global", "u-alice")}
	set := Evaluate(disabledAlice, grants)
	if set.Holds("VIEW_PROJECT", catalog.Global) || len(set.Effective()) != 0 {
		t.Fatal("a disabled user holds a grant")
	}
	got := set.Granted()
	if len(got) != 1 || got[0].Operation != "VIEW_PROJECT" || got[0].Scope != "global" || grantIDs(got[0].Via)[0] != "g1" {
		t.Fatalf("granted %+v", got)
	}
	if g := Evaluate(disabledSudo, nil).Granted(); len(g) != len(catalog.Operations) {
		t.Fatalf("a disabled sudo's role still grants everything once enabled: %d entries", len(g))
	}
	var zero Set
	if zero.Holds("VIEW_PROJECT", catalog.Global) || len(zero.Granted()) != 0 {
		t.Fatal("the zero Set holds something")
	}
}
