package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource                     = (*groupDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*groupDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*groupDataSource)(nil)
)

// NewGroupDataSource returns the identity_group data source.
func NewGroupDataSource() datasource.DataSource {
	return &groupDataSource{}
}

type groupDataSource struct {
	client *client.Client
}

// groupDataSourceModel is also one element of identity_groups.
type groupDataSourceModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Organization types.String `tfsdk:"organization"`
	FullName     types.String `tfsdk:"full_name"`
	Description  types.String `tfsdk:"description"`
	MemberCount  types.Int64  `tfsdk:"member_count"`
}

func (d *groupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group"
}

func (d *groupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one group by `id`, or by `name` and `organization` (omit `organization` for a " +
			"group without one). An error when there is no such group.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The group's id (a UUID). Exactly one of `id` and `name` is set.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{idValidator()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The group's name (case-insensitive). Exactly one of `id` and `name` is set.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{groupNameValidator()},
			},
			"organization": schema.StringAttribute{
				MarkdownDescription: "The group's organization, with `name`; empty or omitted for a group without one.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{organizationValidator()},
			},
			"full_name": schema.StringAttribute{
				MarkdownDescription: "`Organization:Name`, or `Name` when the group has no organization.",
				Computed:            true,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "The group's description.",
				Computed:            true,
			},
			"member_count": schema.Int64Attribute{
				MarkdownDescription: "How many users are members.",
				Computed:            true,
			},
		},
	}
}

func (d *groupDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("organization")),
	}
}

func (d *groupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *groupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg groupDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		g    *client.Group
		err  error
		what string
	)
	if id := cfg.ID.ValueString(); id != "" {
		what = "with id " + id
		g, err = d.client.GetGroup(ctx, id)
	} else {
		full := catalog.GroupFullName(cfg.Organization.ValueString(), cfg.Name.ValueString())
		what = fmt.Sprintf("named %q", full)
		g, err = groupByFullName(ctx, d.client, full)
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read group", fmt.Sprintf("Could not find the group %s: %s", what, err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupDataModelFrom(g))...)
}

func groupDataModelFrom(g *client.Group) groupDataSourceModel {
	return groupDataSourceModel{
		ID:           types.StringValue(g.ID),
		Name:         types.StringValue(g.Name),
		Organization: types.StringValue(g.Organization),
		FullName:     types.StringValue(g.FullName),
		Description:  types.StringValue(g.Description),
		MemberCount:  types.Int64Value(g.MemberCount),
	}
}
