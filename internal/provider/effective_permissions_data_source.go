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
	_ datasource.DataSource              = (*effectivePermissionsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*effectivePermissionsDataSource)(nil)
)

// NewEffectivePermissionsDataSource returns the identity_effective_permissions data source.
func NewEffectivePermissionsDataSource() datasource.DataSource {
	return &effectivePermissionsDataSource{}
}

type effectivePermissionsDataSource struct {
	client *client.Client
}

type effectivePermissionsDataSourceModel struct {
	UserID      types.String               `tfsdk:"user_id"`
	Permissions []effectivePermissionModel `tfsdk:"permissions"`
}

type effectivePermissionModel struct {
	Operation types.String `tfsdk:"operation"`
	Scope     types.String `tfsdk:"scope"`
	Via       []viaModel   `tfsdk:"via"`
}

func (d *effectivePermissionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_effective_permissions"
}

func (d *effectivePermissionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists what a user holds, as the identity server evaluates it: every operation on every scope " +
			"that a grant to the user, to one of its groups or to its role gives it, each with the grants that give it. " +
			"A grant also applies to the scopes its scope contains; those are not listed separately (ask `identity_access` " +
			"about one). `SUPER_ADMIN` on `global` lists as every operation on `global`. A disabled user holds nothing. " +
			"The caller needs level 100 or lower, or to ask about its own user.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The id (a UUID) of the user.",
				Required:            true,
				Validators:          []validator.String{idValidator()},
			},
			"permissions": schema.ListNestedAttribute{
				MarkdownDescription: "What the user holds, in the server's stable order: by operation in catalogue order, then broadest scope first, then by scope.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"operation": schema.StringAttribute{MarkdownDescription: "The operation held.", Computed: true},
					"scope":     schema.StringAttribute{MarkdownDescription: "The scope it is held on (and on every scope this one contains).", Computed: true},
					"via":       viaAttribute("Every grant that gives it."),
				}},
			},
		},
	}
}

func (d *effectivePermissionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *effectivePermissionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state effectivePermissionsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.UserID.ValueString()
	perms, err := d.client.EffectivePermissions(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("User not found", fmt.Sprintf("No user with id %q exists on the identity server.", id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read effective permissions", fmt.Sprintf("Listing what user %s holds: %s", id, err))
		return
	}
	state.Permissions = make([]effectivePermissionModel, len(perms))
	for i, p := range perms {
		state.Permissions[i] = effectivePermissionModel{Operation: types.StringValue(p.Operation), Scope: types.StringValue(p.Scope),
			Via: viaModelsFrom(p.Via)}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}
