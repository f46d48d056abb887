package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Object ids are UUIDs, which the server reads case-insensitively and
// writes in lower case. An id written in another case in the configuration
// names the same object: idType keeps the configuration's spelling in state
// while the server answers with its own (semantic equality), ids are sent in
// lower case, and a change of case alone is never a replacement.

var (
	_ basetypes.StringTypable                    = idType{}
	_ basetypes.StringValuableWithSemanticEquals = idValue{}
)

// idType is a string attribute holding an object id.
type idType struct {
	basetypes.StringType
}

func (t idType) Equal(o attr.Type) bool {
	_, ok := o.(idType)
	return ok
}

func (t idType) String() string { return "idType" }

func (t idType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return idValue{StringValue: in}, nil
}

func (t idType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return idValue{StringValue: s}, nil
}

func (t idType) ValueType(context.Context) attr.Value { return idValue{} }

// idValue is a value of idType.
type idValue struct {
	basetypes.StringValue
}

// idValueOf is the id s; "" is null (no such principal, for instance).
func idValueOf(s string) idValue {
	return idValue{StringValue: nullIfEmpty(s)}
}

func (v idValue) Type(context.Context) attr.Type { return idType{} }

func (v idValue) Equal(o attr.Value) bool {
	other, ok := o.(idValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports ids that differ only in case as the same.
func (v idValue) StringSemanticEquals(_ context.Context, o basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := o.(idValue)
	return ok && strings.EqualFold(v.ValueString(), other.ValueString()), nil
}

// normalized is the id as the server spells it, for requests.
func (v idValue) normalized() string { return normalizeID(v.ValueString()) }

// normalizeID is an id as the server spells it (lower case), for requests.
func normalizeID(id string) string { return strings.ToLower(id) }

// requiresReplaceUnlessCase is RequiresReplace for a value that the server
// compares case-insensitively: a change of case alone is an in-place update
// that only records the new spelling.
func requiresReplaceUnlessCase() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
		},
		"Changing the value replaces the object, unless only its case changes.",
		"Changing the value replaces the object, unless only its case changes.",
	)
}

// keepSpelling returns prior when it names the same thing as current in
// another case, so a spelling from the configuration survives the server's.
func keepSpelling(prior types.String, current string) types.String {
	if !prior.IsNull() && !prior.IsUnknown() && strings.EqualFold(prior.ValueString(), current) {
		return prior
	}
	return types.StringValue(current)
}
