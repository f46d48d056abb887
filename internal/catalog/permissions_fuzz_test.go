package catalog

import (
	"strings"
	"testing"
)

// FuzzParseScope checks that every scope ParseScope accepts renders back to
// the same text and that ValidateGrant never panics on it.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"global", "tenant:acme", "project:web", "inventory:prod-1", "tenant:", "global:x",
		"project:a:b", "PROJECT:x", "inventory:-x", ":", "", "tenant:" + strings.Repeat("k", 129), "tenant:\u00e9"} {
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
