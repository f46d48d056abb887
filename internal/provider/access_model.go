package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// How a grant reaches a principal, written once for identity_access and
// identity_effective_permissions.

// viaModel is one grant that allows an operation on a scope.
type viaModel struct {
	Kind      types.String `tfsdk:"kind"`
	GrantID   types.String `tfsdk:"grant_id"`
	Operation types.String `tfsdk:"operation"`
	Scope     types.String `tfsdk:"scope"`
	GroupID   types.String `tfsdk:"group_id"`
	GroupName types.String `tfsdk:"group_name"`
	Role      types.String `tfsdk:"role"`
}

// viaAttribute describes a list of viaModel.
func viaAttribute(description string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: description + " Broadest scope first, then by operation, then user before group before role.",
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"kind": schema.StringAttribute{Computed: true,
				MarkdownDescription: "How the grant reaches the principal: `user` (granted to the user itself), `group` (to a group the user is a member of) or `role` (to the principal's role)."},
			"grant_id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The id of the grant (an `identity_permission`); null for a level-0 role such as `sudo`, which holds `SUPER_ADMIN` on `global` without a grant."},
			"operation": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The operation granted: the one asked about, or `SUPER_ADMIN`, which implies every operation."},
			"scope": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The scope granted on: the one asked about, or one containing it."},
			"group_id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "For `group`: the group's id; otherwise null."},
			"group_name": schema.StringAttribute{Computed: true,
				MarkdownDescription: "For `group`: the group's full name (`Organization:Name`, or `Name`); otherwise null."},
			"role": schema.StringAttribute{Computed: true,
				MarkdownDescription: "For `role`: the role's name; otherwise null."},
		}},
	}
}

func viaModelsFrom(vs []client.Via) []viaModel {
	out := make([]viaModel, len(vs))
	for i, v := range vs {
		out[i] = viaModel{
			Kind:      types.StringValue(v.Kind),
			GrantID:   nullIfEmpty(v.GrantID),
			Operation: types.StringValue(v.Operation),
			Scope:     types.StringValue(v.Scope),
			GroupID:   nullIfEmpty(v.GroupID),
			GroupName: nullIfEmpty(v.GroupName),
			Role:      nullIfEmpty(v.Role),
		}
	}
	return out
}
