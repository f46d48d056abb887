package catalog

import (
	"slices"
	"strings"
	"testing"
)

func mustScope(t *testing.T, s string) Scope {
	t.Helper()
	sc, err := ParseScope(s)
	if err != nil {
		t.Fatalf("ParseScope(%q): %v", s, err)
	}
	return sc
}

func TestParseScopeValid(t *testing.T) {
	long := strings.Repeat("k", ScopeKeyMaxLength)
	for _, c := range []struct {
		in   string
		want Scope
	}{
		{"global", Global},
		{"tenant:acme", Scope{Kind: ScopeTenant, Key: "acme"}},
		{"project:web", Scope{Kind: ScopeProject, Key: "web"}},
		{"inventory:prod-1", Scope{Kind: ScopeInventory, Key: "prod-1"}},
		{"tenant:acme/project:web", Scope{Kind: ScopeProject, Key: "web", Tenant: "acme"}},
		{"tenant:acme/inventory:prod", Scope{Kind: ScopeInventory, Key: "prod", Tenant: "acme"}},
		{"tenant:DEV/project:DEV-SIVEN-MASTER", Scope{Kind: ScopeProject, Key: "DEV-SIVEN-MASTER", Tenant: "DEV"}},
		{"project:a.b_c-d", Scope{Kind: ScopeProject, Key: "a.b_c-d"}},
		{"tenant:" + long + "/inventory:" + long, Scope{Kind: ScopeInventory, Key: long, Tenant: long}},
		{"project:0", Scope{Kind: ScopeProject, Key: "0"}},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseScope(c.in)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			if got.String() != c.in {
				t.Fatalf("String() = %q, want %q", got.String(), c.in)
			}
		})
	}
}

func TestParseScopeInvalid(t *testing.T) {
	long := strings.Repeat("k", ScopeKeyMaxLength+1)
	for _, c := range []struct{ in, want string }{
		{"", `scope "" must be one of global, tenant:KEY, project:KEY, inventory:KEY, tenant:KEY/project:KEY or tenant:KEY/inventory:KEY`},
		{"acme", `scope "acme" must be one of`},
		{"GLOBAL", `scope "GLOBAL" must be one of`},
		{"Global", `must be one of`},
		{"global:x", `scope kind "global" is unknown`},
		{"Tenant:acme", `scope kind "Tenant" is unknown`},
		{"PROJECT:x", `scope kind "PROJECT" is unknown`},
		{"galaxy:far", `scope kind "galaxy" is unknown; valid kinds are global, tenant, project and inventory`},
		{"tenant:", `scope key "" must be 1-128`},
		{":", `scope kind "" is unknown`},
		{":acme", `scope kind "" is unknown`},
		{"project:a:b", `scope key "a:b"`},
		{"inventory:-x", `scope key "-x"`},
		{"project:.x", `scope key ".x"`},
		{"project: web", `scope key " web"`},
		{"project:web ", `scope key "web "`},
		{"project:' OR 1=1", `scope key "' OR 1=1"`},
		{"tenant:\u00e9", `scope key "é"`},
		{"tenant:acme\u200b", `scope key`},
		{"project:web\n", `scope key`},
		{"tenant:" + long, `scope key "` + long + `" must be 1-128`},
		{"tenant:acme/project:" + long, `must be 1-128`},
		{"tenant:acme/", `scope "tenant:acme/" must be one of`},
		{"/project:web", `scope "/project:web" must be one of`},
		{"/", `scope "/" must be one of`},
		{"tenant:acme//project:web", `more than two parts`},
		{"tenant:acme/project:web/", `more than two parts`},
		{"tenant:a/project:b/inventory:c", `more than two parts`},
		{"tenant:a/tenant:b", `puts a tenant inside a tenant; a tenant contains only projects and inventories`},
		{"tenant:a/global", `puts a global inside a tenant`},
		{"project:x/tenant:y", `starts with "project:x", but only a tenant contains other scopes`},
		{"inventory:x/project:y", `only a tenant contains other scopes`},
		{"global/project:web", `starts with "global", but only a tenant contains other scopes`},
		{"tenant:a/Project:b", `scope kind "Project" is unknown`},
		{"tenant:/project:b", `scope key ""`},
		{"tenant:a/project:", `scope key ""`},
		{"tenant:a /project:b", `scope key "a "`},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseScope(c.in)
			if err == nil {
				t.Fatalf("accepted as %+v", got)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestScopeContains(t *testing.T) {
	all := []string{"global", "tenant:acme", "tenant:beta", "tenant:acme/project:web", "tenant:acme/inventory:prod",
		"tenant:beta/project:web", "project:web", "inventory:prod", "project:api", "tenant:acme/project:api"}
	// contains lists, for each scope, exactly what it contains besides itself.
	contains := map[string][]string{
		"global":      all,
		"tenant:acme": {"tenant:acme/project:web", "tenant:acme/inventory:prod", "tenant:acme/project:api"},
		"tenant:beta": {"tenant:beta/project:web"},
	}
	for _, outer := range all {
		for _, inner := range all {
			want := outer == inner || slices.Contains(contains[outer], inner)
			if got := mustScope(t, outer).Contains(mustScope(t, inner)); got != want {
				t.Errorf("%s contains %s = %v, want %v", outer, inner, got, want)
			}
		}
	}
}

func TestScopeAncestors(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"global", []string{"global"}},
		{"tenant:acme", []string{"global", "tenant:acme"}},
		{"project:web", []string{"global", "project:web"}},
		{"inventory:prod", []string{"global", "inventory:prod"}},
		{"tenant:acme/project:web", []string{"global", "tenant:acme", "tenant:acme/project:web"}},
		{"tenant:acme/inventory:prod", []string{"global", "tenant:acme", "tenant:acme/inventory:prod"}},
	} {
		t.Run(c.in, func(t *testing.T) {
			s := mustScope(t, c.in)
			var got []string
			for _, a := range s.Ancestors() {
				got = append(got, a.String())
				if !a.Contains(s) {
					t.Errorf("ancestor %s does not contain %s", a, s)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("Ancestors() = %v, want %v", got, c.want)
			}
			if s.Depth() != len(c.want)-1 {
				t.Fatalf("Depth() = %d, want %d", s.Depth(), len(c.want)-1)
			}
		})
	}
}

func TestTenantScopeKeepsTheOperationTable(t *testing.T) {
	for _, c := range []struct {
		op, scope string
		ok        bool
		want      string
	}{
		{"VIEW_PROJECT", "tenant:acme/project:web", true, ""},
		{"ADMIN_PROJECT", "tenant:acme/project:web", true, ""},
		{"DEPLOY_INVENTORY", "tenant:acme/inventory:prod", true, ""},
		{"VIEW_PROJECT", "tenant:acme/inventory:prod", false, "not valid on a inventory scope; it is valid on: global, tenant, project"},
		{"DEPLOY_INVENTORY", "tenant:acme/project:web", false, "not valid on a project scope"},
		{"ADMIN_TENANT", "tenant:acme/project:web", false, "it is valid on: global, tenant"},
		{"SUPER_ADMIN", "tenant:acme", false, "it is valid on: global"},
		{"CREATE_PROJECT", "tenant:acme", true, ""},
		{"NOPE", "global", false, `operation "NOPE" is unknown; valid operations are SUPER_ADMIN, CREATE_USER`},
		{"view_project", "project:web", false, `operation "view_project" is unknown`},
	} {
		t.Run(c.op+" on "+c.scope, func(t *testing.T) {
			err := ValidateGrant(c.op, mustScope(t, c.scope))
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestOperationHelpers(t *testing.T) {
	for _, kind := range ScopeKinds {
		admin := AdminOperationFor(kind)
		if kind == ScopeGlobal {
			if admin != "" {
				t.Fatalf("AdminOperationFor(global) = %q", admin)
			}
			continue
		}
		if !IsAdminOperation(admin) {
			t.Fatalf("AdminOperationFor(%s) = %q is not an admin operation", kind, admin)
		}
		if err := ValidateGrant(admin, Scope{Kind: kind, Key: "k"}); err != nil {
			t.Fatalf("%s cannot be granted on its own kind: %v", admin, err)
		}
	}
	for _, op := range OperationNames() {
		want := op == OpAdminTenant || op == OpAdminProject || op == OpAdminInventory
		if IsAdminOperation(op) != want {
			t.Errorf("IsAdminOperation(%s) = %v", op, !want)
		}
		if err := ValidateOperation(op); err != nil {
			t.Errorf("ValidateOperation(%s): %v", op, err)
		}
		if err := ValidateGrant(op, Global); err != nil {
			t.Errorf("every operation is valid on global, %s is not: %v", op, err)
		}
	}
}
