package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource                   = (*rolesDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*rolesDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*rolesDataSource)(nil)
)

// NewRolesDataSource returns the identity_roles data source.
func NewRolesDataSource() datasource.DataSource {
	return &rolesDataSource{}
}

type rolesDataSource struct {
	client *client.Client
}

type rolesDataSourceModel struct {
	Builtin    types.Bool   `tfsdk:"builtin"`
	MinLevel   types.Int64  `tfsdk:"min_level"`
	MaxLevel   types.Int64  `tfsdk:"max_level"`
	NamePrefix types.String `tfsdk:"name_prefix"`
	Names      types.List   `tfsdk:"names"`
	Roles      types.List   `tfsdk:"roles"`
}

// rolesItemAttrTypes is the object type of one element of roles.
var rolesItemAttrTypes = map[string]attr.Type{
	"name":        types.StringType,
	"level":       types.Int64Type,
	"description": types.StringType,
	"builtin":     types.BoolType,
	"created_at":  types.StringType,
	"updated_at":  types.StringType,
}

func (d *rolesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_roles"
}

func (d *rolesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	levels := int64validator.Between(catalog.MinLevel, catalog.MaxLevel)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists roles, built-in (" + builtinRoleList() + ") and custom, by level then name, that match " +
			"every filter given. With no filter it lists every role. Useful to review which roles exist and how privileged they are.",
		Attributes: map[string]schema.Attribute{
			"builtin": schema.BoolAttribute{
				MarkdownDescription: "`true` for only the built-in roles, `false` for only custom roles; omit for both.",
				Optional:            true,
			},
			"min_level": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Only roles whose level is at least this (as privileged or less); %s.", levelRule),
				Optional:            true,
				Validators:          []validator.Int64{levels},
			},
			"max_level": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Only roles whose level is at most this (as privileged or more); %s. Not below `min_level`.", levelRule),
				Optional:            true,
				Validators:          []validator.Int64{levels},
			},
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: "Only roles whose name starts with this, such as `deploy`; the prefix must be " + roleNameRule + ".",
				Optional:            true,
				Validators:          []validator.String{roleNameValidator()},
			},
			"names": schema.ListAttribute{
				MarkdownDescription: "Names of the matching roles, in the same order as `roles`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"roles": schema.ListNestedAttribute{
				MarkdownDescription: "The matching roles.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":        schema.StringAttribute{MarkdownDescription: "Name of the role.", Computed: true},
						"level":       schema.Int64Attribute{MarkdownDescription: "Privilege level; a lower level means more privilege.", Computed: true},
						"description": schema.StringAttribute{MarkdownDescription: "What the role is for.", Computed: true},
						"builtin":     schema.BoolAttribute{MarkdownDescription: "Whether the role is built in (its level is fixed and it cannot be deleted).", Computed: true},
						"created_at":  schema.StringAttribute{MarkdownDescription: "When the role was created (RFC 3339).", Computed: true},
						"updated_at":  schema.StringAttribute{MarkdownDescription: "When the role was last changed (RFC 3339).", Computed: true},
					},
				},
			},
		},
	}
}

// ValidateConfig refuses a level range that can match nothing.
func (d *rolesDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg rolesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.MinLevel.IsNull() || cfg.MinLevel.IsUnknown() || cfg.MaxLevel.IsNull() || cfg.MaxLevel.IsUnknown() {
		return
	}
	if cfg.MaxLevel.ValueInt64() < cfg.MinLevel.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("max_level"), "Invalid level range",
			fmt.Sprintf("max_level %d is below min_level %d, so no role could match.", cfg.MaxLevel.ValueInt64(), cfg.MinLevel.ValueInt64()))
	}
}

func (d *rolesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *rolesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg rolesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := client.RoleFilter{
		Builtin:    cfg.Builtin.ValueBoolPointer(),
		MinLevel:   cfg.MinLevel.ValueInt64Pointer(),
		MaxLevel:   cfg.MaxLevel.ValueInt64Pointer(),
		NamePrefix: cfg.NamePrefix.ValueString(),
	}
	roles, err := d.client.ListRolesMatching(ctx, filter)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list roles", fmt.Sprintf("Listing roles%s: %s", describeRoleFilter(cfg), err))
		return
	}

	names := make([]attr.Value, 0, len(roles))
	items := make([]attr.Value, 0, len(roles))
	for _, r := range roles {
		obj, diags := types.ObjectValue(rolesItemAttrTypes, map[string]attr.Value{
			"name":        types.StringValue(r.Name),
			"level":       types.Int64Value(r.Level),
			"description": types.StringValue(r.Description),
			"builtin":     types.BoolValue(r.Builtin),
			"created_at":  timeString(r.CreatedAt),
			"updated_at":  timeString(r.UpdatedAt),
		})
		resp.Diagnostics.Append(diags...)
		names = append(names, types.StringValue(r.Name))
		items = append(items, obj)
	}
	nameList, diags := types.ListValue(types.StringType, names)
	resp.Diagnostics.Append(diags...)
	roleList, diags := types.ListValue(types.ObjectType{AttrTypes: rolesItemAttrTypes}, items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Names, cfg.Roles = nameList, roleList
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

// describeRoleFilter names the filters in use for error messages.
func describeRoleFilter(cfg rolesDataSourceModel) string {
	var parts []string
	if !cfg.Builtin.IsNull() {
		parts = append(parts, fmt.Sprintf("builtin %t", cfg.Builtin.ValueBool()))
	}
	if !cfg.MinLevel.IsNull() {
		parts = append(parts, fmt.Sprintf("min_level %d", cfg.MinLevel.ValueInt64()))
	}
	if !cfg.MaxLevel.IsNull() {
		parts = append(parts, fmt.Sprintf("max_level %d", cfg.MaxLevel.ValueInt64()))
	}
	if p := cfg.NamePrefix.ValueString(); p != "" {
		parts = append(parts, fmt.Sprintf("name_prefix %q", p))
	}
	if len(parts) == 0 {
		return ""
	}
	return " with " + strings.Join(parts, ", ")
}
