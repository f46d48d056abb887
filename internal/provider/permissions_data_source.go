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
	_ datasource.DataSource              = (*permissionsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*permissionsDataSource)(nil)
)

// NewPermissionsDataSource returns the identity_permissions data source.
func NewPermissionsDataSource() datasource.DataSource {
	return &permissionsDataSource{}
}

type permissionsDataSource struct {
	client *client.Client
}

type permissionsDataSourceModel struct {
	UserID      types.String      `tfsdk:"user_id"`
	GroupID     types.String      `tfsdk:"group_id"`
	Role        types.String      `tfsdk:"role"`
	Scope       types.String      `tfsdk:"scope"`
	Operation   types.String      `tfsdk:"operation"`
	Permissions []permissionModel `tfsdk:"permissions"`
}

func (d *permissionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permissions"
}

func (d *permissionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists permission grants, in creation order, that match every filter given, so pipelines " +
			"can review who holds what. With no filter it lists every grant. Filters match grants made directly " +
			"to that principal: a `user_id` filter does not include grants the user receives through a group or role.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: "Only grants to the user with this id (a UUID).",
				Optional:            true,
				Validators:          []validator.String{idValidator()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "Only grants to the group with this id (a UUID).",
				Optional:            true,
				Validators:          []validator.String{idValidator()},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "Only grants to this role.",
				Optional:            true,
				Validators:          []validator.String{roleNameValidator()},
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "Only grants on exactly this scope: " + scopeRule + ".",
				Optional:            true,
				Validators:          []validator.String{scopeValidator()},
			},
			"operation": schema.StringAttribute{
				MarkdownDescription: "Only grants of this operation, " + operationRule + ".",
				Optional:            true,
				Validators:          []validator.String{operationValidator()},
			},
			"permissions": schema.ListNestedAttribute{
				MarkdownDescription: "The matching grants. Of `user_id`, `group_id` and `role`, the two not granted to are null.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":         schema.StringAttribute{MarkdownDescription: "The permission's id.", Computed: true},
					"operation":  schema.StringAttribute{MarkdownDescription: "The operation granted.", Computed: true},
					"scope":      schema.StringAttribute{MarkdownDescription: "The scope it applies to.", Computed: true},
					"user_id":    schema.StringAttribute{MarkdownDescription: "The user granted, or null.", Computed: true, CustomType: idType{}},
					"group_id":   schema.StringAttribute{MarkdownDescription: "The group granted, or null.", Computed: true, CustomType: idType{}},
					"role":       schema.StringAttribute{MarkdownDescription: "The role granted, or null.", Computed: true},
					"created_at": schema.StringAttribute{MarkdownDescription: "When the grant was made (RFC 3339).", Computed: true},
				}},
			},
		},
	}
}

func (d *permissionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *permissionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state permissionsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	perms, err := d.client.ListPermissions(ctx, client.PermissionFilter{
		UserID:    normalizeID(state.UserID.ValueString()),
		GroupID:   normalizeID(state.GroupID.ValueString()),
		Role:      state.Role.ValueString(),
		Scope:     state.Scope.ValueString(),
		Operation: state.Operation.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to list permissions", fmt.Sprintf("Could not list permissions: %s", err))
		return
	}
	state.Permissions = make([]permissionModel, len(perms))
	for i := range perms {
		state.Permissions[i] = permissionModelFrom(&perms[i])
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}
