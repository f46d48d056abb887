package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// A group's fields, written once for identity_group (resource and data
// source) and each element of identity_groups. A new field the server
// reports needs an entry in groupAttributes, a field in groupModel and a line
// in groupModelFrom; a field Terraform sets is also an argument of the resource.

// groupAttributes describes what the server reports about a group. The
// resource shows those it does not take as arguments as computed attributes;
// the data sources show them all, and member_count.
var groupAttributes = map[string]readOnlyAttribute{
	"id":           {typ: types.StringType, description: "The group's id (a UUID).", stable: true},
	"name":         {typ: types.StringType, description: "The group's name."},
	"organization": {typ: types.StringType, description: "The group's organization; empty for none."},
	"full_name":    {typ: types.StringType, description: "`Organization:Name`, or `Name` when the group has no organization."},
	"description":  {typ: types.StringType, description: "The group's description."},
}

// groupModel holds groupAttributes; it is the resource's model.
type groupModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Organization types.String `tfsdk:"organization"`
	FullName     types.String `tfsdk:"full_name"`
	Description  types.String `tfsdk:"description"`
}

// groupModelFrom maps a group as the server reports it.
func groupModelFrom(g *client.Group) groupModel {
	return groupModel{
		ID:           types.StringValue(g.ID),
		Name:         types.StringValue(g.Name),
		Organization: types.StringValue(g.Organization),
		FullName:     types.StringValue(g.FullName),
		Description:  types.StringValue(g.Description),
	}
}

// groupDataSourceModel is a group as the data sources show it: with its
// member count, which the resource leaves out because members change
// outside it. It is also one element of identity_groups.
type groupDataSourceModel struct {
	groupModel
	MemberCount types.Int64 `tfsdk:"member_count"`
}

// groupDataSourceAttributes are the attributes of groupDataSourceModel.
func groupDataSourceAttributes() map[string]schema.Attribute {
	attrs := dataSourceAttributes(groupAttributes)
	attrs["member_count"] = schema.Int64Attribute{MarkdownDescription: "How many users are members.", Computed: true}
	return attrs
}

// groupDataSourceModelFrom maps a group for the data sources.
func groupDataSourceModelFrom(g *client.Group) groupDataSourceModel {
	return groupDataSourceModel{groupModel: groupModelFrom(g), MemberCount: types.Int64Value(g.MemberCount)}
}
