package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource              = (*roleDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*roleDataSource)(nil)
)

// NewRoleDataSource returns the identity_role data source.
func NewRoleDataSource() datasource.DataSource {
	return &roleDataSource{}
}

type roleDataSource struct {
	client *client.Client
}

type roleDataSourceModel struct {
	Name        types.String `tfsdk:"name"`
	Level       types.Int64  `tfsdk:"level"`
	Description types.String `tfsdk:"description"`
	Builtin     types.Bool   `tfsdk:"builtin"`
}

func (d *roleDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (d *roleDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a role, built-in (" + builtinRoleList() + ") or custom, by name.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the role; " + roleNameRule + ".",
				Required:            true,
				Validators:          []validator.String{roleNameValidator()},
			},
			"level": schema.Int64Attribute{
				MarkdownDescription: "Privilege level; a lower level means more privilege.",
				Computed:            true,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the role is for.",
				Computed:            true,
			},
			"builtin": schema.BoolAttribute{
				MarkdownDescription: "Whether the role is built in (its level is fixed and it cannot be deleted).",
				Computed:            true,
			},
		},
	}
}

func (d *roleDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *roleDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg roleDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := d.client.GetRole(ctx, cfg.Name.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Role not found", fmt.Sprintf("No role named %q exists on the identity server.", cfg.Name.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read role", fmt.Sprintf("Reading role %q: %s", cfg.Name.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, roleDataSourceModelFrom(role))...)
}

// roleDataSourceModelFrom maps a role, built in or custom, for the data source.
func roleDataSourceModelFrom(r *client.Role) roleDataSourceModel {
	return roleDataSourceModel{
		Name:        types.StringValue(r.Name),
		Level:       types.Int64Value(r.Level),
		Description: types.StringValue(r.Description),
		Builtin:     types.BoolValue(r.Builtin),
	}
}
