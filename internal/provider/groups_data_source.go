package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource              = (*groupsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*groupsDataSource)(nil)
)

// NewGroupsDataSource returns the identity_groups data source.
func NewGroupsDataSource() datasource.DataSource {
	return &groupsDataSource{}
}

type groupsDataSource struct {
	client *client.Client
}

type groupsDataSourceModel struct {
	Name         types.String           `tfsdk:"name"`
	Organization types.String           `tfsdk:"organization"`
	IDs          []types.String         `tfsdk:"ids"`
	Groups       []groupDataSourceModel `tfsdk:"groups"`
}

func (d *groupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_groups"
}

func (d *groupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists groups, in creation order, that match every filter given. With no filter it lists every group.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only groups with this name (exact, case-insensitive), in any organization.",
				Optional:            true,
				Validators:          []validator.String{groupNameValidator()},
			},
			"organization": schema.StringAttribute{
				MarkdownDescription: "Only groups of this organization (exact, case-insensitive). `\"\"` lists the groups without an organization; omit it for groups of any organization.",
				Optional:            true,
				Validators:          []validator.String{organizationValidator()},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "The ids of the matching groups, in the order of `groups`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"groups": schema.ListNestedAttribute{
				MarkdownDescription: "The matching groups.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: groupDataSourceAttributes()},
			},
		},
	}
}

func (d *groupsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *groupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state groupsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	groups, err := d.client.ListGroups(ctx, client.GroupFilter{
		Name:           state.Name.ValueString(),
		Organization:   state.Organization.ValueString(),
		NoOrganization: !state.Organization.IsNull() && state.Organization.ValueString() == "",
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to list groups", fmt.Sprintf("Could not list groups: %s", err))
		return
	}
	state.IDs = make([]types.String, len(groups))
	state.Groups = make([]groupDataSourceModel, len(groups))
	for i := range groups {
		state.IDs[i] = types.StringValue(groups[i].ID)
		state.Groups[i] = groupDataSourceModelFrom(&groups[i])
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}
