package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource              = (*usersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*usersDataSource)(nil)
)

// NewUsersDataSource returns the identity_users data source.
func NewUsersDataSource() datasource.DataSource {
	return &usersDataSource{}
}

type usersDataSource struct {
	client *client.Client
}

type usersDataSourceModel struct {
	Role         types.String `tfsdk:"role"`
	Organization types.String `tfsdk:"organization"`
	GroupID      types.String `tfsdk:"group_id"`
	EmailSuffix  types.String `tfsdk:"email_suffix"`
	IDs          types.List   `tfsdk:"ids"`
	Users        types.List   `tfsdk:"users"`
}

// usersItemAttrTypes is the object type of one element of users.
var usersItemAttrTypes = map[string]attr.Type{
	"id":           types.StringType,
	"username":     types.StringType,
	"email":        types.StringType,
	"first_name":   types.StringType,
	"last_name":    types.StringType,
	"organization": types.StringType,
	"role":         types.StringType,
	"disabled":     types.BoolType,
	"attributes":   types.MapType{ElemType: types.StringType},
	"created_at":   types.StringType,
	"updated_at":   types.StringType,
}

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists users, in creation order, that match every filter given. With no filter it lists every user.",
		Attributes: map[string]schema.Attribute{
			"role": schema.StringAttribute{
				MarkdownDescription: "Only users with this role; " + roleNameRule + ".",
				Optional:            true,
				Validators:          []validator.String{roleNameValidator()},
			},
			"organization": schema.StringAttribute{
				MarkdownDescription: "Only users of this organization (exact, case-insensitive); " + textRule(catalog.NameMaxLength, false) + ".",
				Optional:            true,
				Validators:          []validator.String{textValidator(catalog.NameMaxLength, false)},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "Only members of the group with this id (a UUID).",
				Optional:            true,
				Validators:          []validator.String{idValidator()},
			},
			"email_suffix": schema.StringAttribute{
				MarkdownDescription: "Only users whose email ends with this, case-insensitively, such as `@example.com`.",
				Optional:            true,
				Validators:          []validator.String{textValidator(catalog.EmailMaxLength, false)},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "Ids of the matching users, in the same order as `users`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The matching users.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":           schema.StringAttribute{MarkdownDescription: "The user's id.", Computed: true},
						"username":     schema.StringAttribute{MarkdownDescription: "Username.", Computed: true},
						"email":        schema.StringAttribute{MarkdownDescription: "Email address.", Computed: true},
						"first_name":   schema.StringAttribute{MarkdownDescription: "Given name; `\"\"` when unset.", Computed: true},
						"last_name":    schema.StringAttribute{MarkdownDescription: "Family name; `\"\"` when unset.", Computed: true},
						"organization": schema.StringAttribute{MarkdownDescription: "Organization; `\"\"` when unset.", Computed: true},
						"role":         schema.StringAttribute{MarkdownDescription: "Name of the user's role.", Computed: true},
						"disabled":     schema.BoolAttribute{MarkdownDescription: "Whether the user is disabled.", Computed: true},
						"attributes": schema.MapAttribute{
							MarkdownDescription: "String attributes; `{}` when none.",
							ElementType:         types.StringType,
							Computed:            true,
						},
						"created_at": schema.StringAttribute{MarkdownDescription: "When the user was created (RFC 3339).", Computed: true},
						"updated_at": schema.StringAttribute{MarkdownDescription: "When the user was last changed (RFC 3339).", Computed: true},
					},
				},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg usersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := client.UserFilter{
		Role:         cfg.Role.ValueString(),
		Organization: cfg.Organization.ValueString(),
		GroupID:      cfg.GroupID.ValueString(),
		EmailSuffix:  cfg.EmailSuffix.ValueString(),
	}
	users, err := d.client.ListUsers(ctx, filter)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list users", fmt.Sprintf("Listing users%s: %s", describeUserFilter(filter), err))
		return
	}

	ids := make([]attr.Value, 0, len(users))
	items := make([]attr.Value, 0, len(users))
	for _, u := range users {
		attrs, diags := types.MapValueFrom(ctx, types.StringType, nonNilMap(u.Attributes))
		resp.Diagnostics.Append(diags...)
		obj, diags := types.ObjectValue(usersItemAttrTypes, map[string]attr.Value{
			"id":           types.StringValue(u.ID),
			"username":     types.StringValue(u.Username),
			"email":        types.StringValue(u.Email),
			"first_name":   types.StringValue(u.FirstName),
			"last_name":    types.StringValue(u.LastName),
			"organization": types.StringValue(u.Organization),
			"role":         types.StringValue(u.Role),
			"disabled":     types.BoolValue(u.Disabled),
			"attributes":   attrs,
			"created_at":   timeString(u.CreatedAt),
			"updated_at":   timeString(u.UpdatedAt),
		})
		resp.Diagnostics.Append(diags...)
		ids = append(ids, types.StringValue(u.ID))
		items = append(items, obj)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	idList, diags := types.ListValue(types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	userList, diags := types.ListValue(types.ObjectType{AttrTypes: usersItemAttrTypes}, items)
	resp.Diagnostics.Append(diags...)
	cfg.IDs, cfg.Users = idList, userList
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

// describeUserFilter names the filters in use for error messages.
func describeUserFilter(f client.UserFilter) string {
	var parts []string
	for _, p := range []struct{ name, value string }{
		{"role", f.Role}, {"organization", f.Organization}, {"group_id", f.GroupID}, {"email_suffix", f.EmailSuffix},
	} {
		if p.value != "" {
			parts = append(parts, fmt.Sprintf("%s %q", p.name, p.value))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " with " + strings.Join(parts, ", ")
}
