package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	identity "github.com/seed/terraform-provider-identity/internal/provider"
)

func schemaOf(t *testing.T, r resource.Resource) schema.Schema {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	return resp.Schema
}

// The floor is only a floor while benchnoop_item has identity_user's
// attributes with the same types and flags, and none of its validators.
func TestItemSchemaIsIdentityUsers(t *testing.T) {
	user, noop := schemaOf(t, identity.NewUserResource()), schemaOf(t, item{})
	if len(noop.Attributes) != len(user.Attributes) {
		t.Errorf("benchnoop_item has %d attributes, identity_user %d", len(noop.Attributes), len(user.Attributes))
	}
	for name, u := range user.Attributes {
		n, ok := noop.Attributes[name]
		if !ok {
			t.Errorf("benchnoop_item lacks %q", name)
			continue
		}
		if got, want := flagsOf(n), flagsOf(u); got != want {
			t.Errorf("%s: benchnoop_item %+v, identity_user %+v", name, got, want)
		}
		if validators(n) != 0 {
			t.Errorf("%s: benchnoop_item keeps %d validators", name, validators(n))
		}
	}
	if _, ok := user.Attributes["email"]; !ok || validators(user.Attributes["email"]) == 0 {
		t.Fatalf("identity_user's email has no validator; the check above proves nothing")
	}
}

type flags struct {
	typ                                                string
	required, optional, computed, sensitive, writeOnly bool
}

func flagsOf(a schema.Attribute) flags {
	return flags{a.GetType().String(), a.IsRequired(), a.IsOptional(), a.IsComputed(), a.IsSensitive(), a.IsWriteOnly()}
}

func validators(a schema.Attribute) int {
	switch a := a.(type) {
	case schema.StringAttribute:
		return len(a.Validators)
	case schema.BoolAttribute:
		return len(a.Validators)
	case schema.Int64Attribute:
		return len(a.Validators)
	case schema.MapAttribute:
		return len(a.Validators)
	}
	return 0
}

// applied fills in every computed attribute the plan leaves unknown, so
// Terraform accepts the result of Create and Update.
func TestAppliedLeavesNothingUnknown(t *testing.T) {
	ctx := context.Background()
	s := schemaOf(t, item{})
	objType, ok := s.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("schema type is %T, not an object", s.Type().TerraformType(ctx))
	}
	vals := map[string]tftypes.Value{}
	for name, a := range s.Attributes {
		typ := objType.AttributeTypes[name]
		switch {
		case name == "username":
			vals[name] = tftypes.NewValue(typ, "alice")
		case a.IsComputed() && !a.IsOptional(): // arguments have defaults, set in the plan
			vals[name] = tftypes.NewValue(typ, tftypes.UnknownValue)
		default:
			vals[name] = tftypes.NewValue(typ, nil)
		}
	}
	v, err := s.Type().ValueFromTerraform(ctx, tftypes.NewValue(objType, vals))
	if err != nil {
		t.Fatal(err)
	}
	plan, ok := v.(types.Object)
	if !ok {
		t.Fatalf("plan is %T, not an object", v)
	}
	got, diags := applied(ctx, plan)
	if diags.HasError() {
		t.Fatalf("applied: %v", diags)
	}
	for name, v := range got.Attributes() {
		if v.IsUnknown() {
			t.Errorf("%s is still unknown", name)
		}
	}
	if id := got.Attributes()["id"]; !id.Equal(types.StringValue("alice")) {
		t.Errorf("id = %s, want the username", id)
	}
}
