package catalog

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseScope checks that every scope ParseScope accepts renders back to
// the same text, that its ancestors all contain it and nothing else does
// among a few fixed scopes, and that ValidateGrant never panics on it.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"global", "tenant:acme", "project:web", "inventory:prod-1", "tenant:", "global:x",
		"project:a:b", "PROJECT:x", "inventory:-x", ":", "", "tenant:" + strings.Repeat("k", 129), "tenant:\u00e9",
		"tenant:acme/project:web", "tenant:acme/inventory:prod", "tenant:a/tenant:b", "project:x/tenant:y", "tenant:a//project:b",
		"tenant:a/project:b/inventory:c", "global/project:x", "tenant:/project:x", "tenant:a/"} {
		f.Add(s, "VIEW_PROJECT")
	}
	f.Add("tenant:acme", "NOPE")
	f.Fuzz(func(t *testing.T, s, op string) {
		sc, err := ParseScope(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if sc.String() != s {
			t.Fatalf("ParseScope(%q).String() = %q", s, sc.String())
		}
		if sc.Kind != ScopeGlobal && !ScopeKeyPattern.MatchString(sc.Key) {
			t.Fatalf("accepted key %q", sc.Key)
		}
		if sc.Tenant != "" && (!ScopeKeyPattern.MatchString(sc.Tenant) || (sc.Kind != ScopeProject && sc.Kind != ScopeInventory)) {
			t.Fatalf("accepted tenant %q for a %s", sc.Tenant, sc.Kind)
		}
		anc := sc.Ancestors()
		if anc[0] != Global || anc[len(anc)-1] != sc {
			t.Fatalf("Ancestors(%s) = %v", sc, anc)
		}
		for _, a := range anc {
			if !a.Contains(sc) {
				t.Fatalf("ancestor %s does not contain %s", a, sc)
			}
		}
		for _, other := range []Scope{{Kind: ScopeTenant, Key: "acme"}, {Kind: ScopeProject, Key: "web"}, {Kind: ScopeProject, Key: "web", Tenant: "acme"}} {
			if other.Contains(sc) != slices.Contains(anc, other) {
				t.Fatalf("%s contains %s is %v, but the ancestors are %v", other, sc, other.Contains(sc), anc)
			}
		}
		if err := ValidateGrant(op, sc); err == nil {
			o, ok := LookupOperation(op)
			if !ok {
				t.Fatalf("unknown operation %q accepted", op)
			}
			found := false
			for _, k := range o.Scopes {
				found = found || k == sc.Kind
			}
			if !found {
				t.Fatalf("%s accepted on %s", op, sc.Kind)
			}
		}
	})
}
