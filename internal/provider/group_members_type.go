package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// idSetType is a set of strings for sets of thousands of ids. The stock set
// type compares and de-duplicates elements pairwise, which takes seconds per
// Terraform call at that size; this one does both with hash maps.
type idSetType struct {
	basetypes.SetType
}

var (
	_ basetypes.SetTypable                    = idSetType{}
	_ basetypes.SetValuableWithSemanticEquals = idSetValue{}
)

func newIDSetType() idSetType {
	return idSetType{SetType: basetypes.SetType{ElemType: types.StringType}}
}

func (t idSetType) Equal(o attr.Type) bool {
	other, ok := o.(idSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t idSetType) String() string { return "idSetType" }

// Validate skips the pairwise duplicate check: Terraform's own sets never
// hold duplicates.
func (t idSetType) Validate(context.Context, tftypes.Value, path.Path) diag.Diagnostics { return nil }

func (t idSetType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return idSetValue{SetValue: in}, nil
}

func (t idSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return idSetValue{SetValue: set}, nil
}

func (t idSetType) ValueType(context.Context) attr.Value {
	return idSetValue{SetValue: basetypes.NewSetNull(types.StringType)}
}

// idSetValue is a value of idSetType.
type idSetValue struct {
	basetypes.SetValue
}

func (v idSetValue) Type(context.Context) attr.Type { return newIDSetType() }

func (v idSetValue) Equal(o attr.Value) bool {
	other, ok := o.(idSetValue)
	if !ok {
		return false
	}
	if v.IsNull() || v.IsUnknown() || other.IsNull() || other.IsUnknown() {
		return v.SetValue.Equal(other.SetValue)
	}
	if equal, known := sameStrings(v.Elements(), other.Elements()); known {
		return equal
	}
	// An unknown element (an id not created yet) is rare and the sets that
	// hold one are compared the stock way, element by element.
	return v.SetValue.Equal(other.SetValue)
}

// SetSemanticEquals reports sets of the same ids as equal, ignoring the case
// of the ids (the server spells them in lower case whatever the
// configuration's spelling), which also spares the framework its pairwise
// element comparison.
func (v idSetValue) SetSemanticEquals(_ context.Context, o basetypes.SetValuable) (bool, diag.Diagnostics) {
	other, ok := o.(idSetValue)
	if !ok || v.IsNull() || v.IsUnknown() || other.IsNull() || other.IsUnknown() {
		return ok && v.Equal(other), nil
	}
	if equal, known := sameStringsFold(v.Elements(), other.Elements(), normalizeID); known {
		return equal, nil
	}
	return v.Equal(other), nil
}

// sameStrings compares two collections of known strings as multisets in
// linear time; known is false when an element is not a known string.
func sameStrings(a, b []attr.Value) (equal, known bool) {
	return sameStringsFold(a, b, func(s string) string { return s })
}

// sameStringsFold is sameStrings comparing fold(s) rather than s.
func sameStringsFold(a, b []attr.Value, fold func(string) string) (equal, known bool) {
	count := make(map[string]int, len(a))
	for _, e := range a {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsUnknown() || s.IsNull() {
			return false, false
		}
		count[fold(s.ValueString())]++
	}
	equal = len(a) == len(b)
	for _, e := range b {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsUnknown() || s.IsNull() {
			return false, false
		}
		count[fold(s.ValueString())]--
		if count[fold(s.ValueString())] < 0 {
			equal = false
		}
	}
	return equal, true
}
