package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func idSet(elems ...attr.Value) idSetValue {
	return idSetValue{SetValue: types.SetValueMust(types.StringType, elems)}
}

func ids(values ...string) idSetValue {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return idSet(elems...)
}

func TestIDSetValueEqual(t *testing.T) {
	t.Parallel()
	unknown := types.StringUnknown()
	cases := []struct {
		name string
		a, b attr.Value
		want bool
	}{
		{"same order", ids("a", "b", "c"), ids("a", "b", "c"), true},
		{"other order", ids("a", "b", "c"), ids("c", "a", "b"), true},
		{"both empty", ids(), ids(), true},
		{"one element differs", ids("a", "b"), ids("a", "c"), false},
		{"fewer elements", ids("a", "b"), ids("a"), false},
		{"more elements", ids("a"), ids("a", "b"), false},
		{"empty and not", ids(), ids("a"), false},
		// Terraform's sets never hold duplicates; the comparison is exact anyway.
		{"duplicate on the left", ids("a", "a"), ids("a", "b"), false},
		{"duplicate on the right", ids("a", "b"), ids("a", "a"), false},
		{"both null", idSetValue{SetValue: types.SetNull(types.StringType)}, idSetValue{SetValue: types.SetNull(types.StringType)}, true},
		{"null and empty", idSetValue{SetValue: types.SetNull(types.StringType)}, ids(), false},
		{"both unknown", idSetValue{SetValue: types.SetUnknown(types.StringType)}, idSetValue{SetValue: types.SetUnknown(types.StringType)}, true},
		{"unknown and known", idSetValue{SetValue: types.SetUnknown(types.StringType)}, ids("a"), false},
		{"same unknown element", idSet(types.StringValue("a"), unknown), idSet(unknown, types.StringValue("a")), true},
		{"unknown element and a known one", idSet(types.StringValue("a"), unknown), ids("a", "b"), false},
		{"a stock set", ids("a"), types.SetValueMust(types.StringType, []attr.Value{types.StringValue("a")}), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, ok := tc.a.(idSetValue)
			if !ok {
				t.Fatalf("left side is %T", tc.a)
			}
			if got := a.Equal(tc.b); got != tc.want {
				t.Errorf("Equal = %t, want %t", got, tc.want)
			}
			if b, ok := tc.b.(idSetValue); ok {
				if got := b.Equal(a); got != tc.want {
					t.Errorf("reversed, Equal = %t, want %t", got, tc.want)
				}
				semantic, diags := a.SetSemanticEquals(context.Background(), b)
				if diags.HasError() || semantic != tc.want {
					t.Errorf("SetSemanticEquals = %t (%v), want %t", semantic, diags, tc.want)
				}
			}
		})
	}
}

// Ids that differ only in case are the same ids to the server: semantically
// equal sets, though not equal values.
func TestIDSetValueSemanticEqualsIgnoresCase(t *testing.T) {
	t.Parallel()
	upper, lower := ids("AB12", "CD34"), ids("cd34", "ab12")
	if upper.Equal(lower) {
		t.Error("Equal = true for sets spelled differently, want false")
	}
	if eq, diags := upper.SetSemanticEquals(context.Background(), lower); diags.HasError() || !eq {
		t.Errorf("SetSemanticEquals = %t (%v), want true", eq, diags)
	}
	if eq, _ := upper.SetSemanticEquals(context.Background(), ids("ab12", "ef56")); eq {
		t.Error("SetSemanticEquals = true for other ids, want false")
	}
}

// Ten thousand ids compare in linear time: the reason idSetType exists.
func TestIDSetValueEqualLarge(t *testing.T) {
	t.Parallel()
	const n = 10000
	a, b := make([]string, n), make([]string, n)
	for i := range n {
		a[i] = fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		b[n-1-i] = a[i]
	}
	x, y := ids(a...), ids(b...)
	if !x.Equal(y) {
		t.Fatal("reversed set of 10,000 ids is not equal")
	}
	b[0] = "ffffffff-0000-4000-8000-000000000000"
	if x.Equal(ids(b...)) {
		t.Fatal("sets differing in one of 10,000 ids are equal")
	}
}
