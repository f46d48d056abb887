package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// readOnlyAttribute is one attribute the server reports about an object,
// described once for the resource and every data source that shows the
// object (see userAttributes and groupAttributes). Its type is a string,
// bool, int64 or map of strings.
type readOnlyAttribute struct {
	typ         attr.Type
	description string
	// stable means the value never changes once the object exists, so a
	// resource plans its prior value rather than "known after apply".
	stable bool
}

// dataSourceAttributes renders read-only attributes for a data source, or
// for each element of a data source's list.
func dataSourceAttributes(fields map[string]readOnlyAttribute) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(fields))
	for name, f := range fields {
		switch {
		case f.typ.Equal(types.StringType):
			out[name] = dschema.StringAttribute{MarkdownDescription: f.description, Computed: true}
		case f.typ.Equal(types.BoolType):
			out[name] = dschema.BoolAttribute{MarkdownDescription: f.description, Computed: true}
		case f.typ.Equal(types.Int64Type):
			out[name] = dschema.Int64Attribute{MarkdownDescription: f.description, Computed: true}
		case f.typ.Equal(stringMapType):
			out[name] = dschema.MapAttribute{MarkdownDescription: f.description, ElementType: types.StringType, Computed: true}
		case f.typ.Equal(stringSetType):
			out[name] = dschema.SetAttribute{MarkdownDescription: f.description, ElementType: types.StringType, Computed: true}
		default:
			panic(fmt.Sprintf("read-only attribute %q has type %s, which dataSourceAttributes does not render", name, f.typ))
		}
	}
	return out
}

// withComputed adds to a resource's arguments, as computed attributes, the
// read-only attributes it does not define itself.
func withComputed(attrs map[string]rschema.Attribute, fields map[string]readOnlyAttribute) map[string]rschema.Attribute {
	for name, f := range fields {
		if _, ok := attrs[name]; ok {
			continue
		}
		switch {
		case f.typ.Equal(types.StringType):
			a := rschema.StringAttribute{MarkdownDescription: f.description, Computed: true}
			if f.stable {
				a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
			}
			attrs[name] = a
		case f.typ.Equal(types.BoolType):
			a := rschema.BoolAttribute{MarkdownDescription: f.description, Computed: true}
			if f.stable {
				a.PlanModifiers = []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}
			}
			attrs[name] = a
		case f.typ.Equal(types.Int64Type):
			a := rschema.Int64Attribute{MarkdownDescription: f.description, Computed: true}
			if f.stable {
				a.PlanModifiers = []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
			}
			attrs[name] = a
		default:
			panic(fmt.Sprintf("read-only attribute %q has type %s, which withComputed does not render", name, f.typ))
		}
	}
	return attrs
}

// stringMapType is the type of a map of strings, such as a user's attributes.
var stringMapType = types.MapType{ElemType: types.StringType}

// stringSetType is the type of a set of strings, such as a user's group ids.
var stringSetType = types.SetType{ElemType: types.StringType}
