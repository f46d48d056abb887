package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	Role          types.String    `tfsdk:"role"`
	Organization  types.String    `tfsdk:"organization"`
	GroupID       types.String    `tfsdk:"group_id"`
	EmailSuffix   types.String    `tfsdk:"email_suffix"`
	FirstName     types.String    `tfsdk:"first_name"`
	LastName      types.String    `tfsdk:"last_name"`
	InactiveSince types.String    `tfsdk:"inactive_since"`
	IDs           []types.String  `tfsdk:"ids"`
	Users         []userDataModel `tfsdk:"users"`
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
				MarkdownDescription: "Only users of this organization (exact, case-insensitive); " + textRule(catalog.NameMaxLength, false) +
					". `\"\"` lists the users without an organization; omit it for users of any organization.",
				Optional:   true,
				Validators: []validator.String{textValidator(catalog.NameMaxLength, false)},
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
			"first_name": schema.StringAttribute{
				MarkdownDescription: "Only users with this given name (exact, case-insensitive); " + textRule(catalog.NameMaxLength, false) + ".",
				Optional:            true,
				Validators:          []validator.String{textValidator(catalog.NameMaxLength, false)},
			},
			"last_name": schema.StringAttribute{
				MarkdownDescription: "Only users with this family name (exact, case-insensitive); " + textRule(catalog.NameMaxLength, false) + ".",
				Optional:            true,
				Validators:          []validator.String{textValidator(catalog.NameMaxLength, false)},
			},
			"inactive_since": schema.StringAttribute{
				MarkdownDescription: "Only users who have not signed in since this time, including those who never have; " +
					timestampRule + ". For users with no login in 90 days: `timeadd(plantimestamp(), \"-2160h\")`.",
				Optional:   true,
				Validators: []validator.String{rfc3339Validator()},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "Ids of the matching users, in the same order as `users`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The matching users.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: dataSourceAttributes(userDataAttributes)},
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
		Role:           cfg.Role.ValueString(),
		Organization:   cfg.Organization.ValueString(),
		NoOrganization: !cfg.Organization.IsNull() && cfg.Organization.ValueString() == "",
		GroupID:        normalizeID(cfg.GroupID.ValueString()),
		EmailSuffix:    cfg.EmailSuffix.ValueString(),
		FirstName:      cfg.FirstName.ValueString(),
		LastName:       cfg.LastName.ValueString(),
		// The users' group ids come in the same requests as the users.
		IncludeGroupIDs: true,
	}
	if since, ok := parseTime(cfg.InactiveSince); ok {
		filter.InactiveSince = since
	}
	users, err := d.client.ListUsers(ctx, filter)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list users", fmt.Sprintf("Listing users%s: %s", describeUserFilter(filter), err))
		return
	}

	cfg.IDs = make([]types.String, len(users))
	cfg.Users = make([]userDataModel, len(users))
	for i := range users {
		var diags diag.Diagnostics
		cfg.IDs[i] = types.StringValue(users[i].ID)
		cfg.Users[i], diags = userDataModelFrom(ctx, &users[i])
		resp.Diagnostics.Append(diags...)
	}
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
		{"first_name", f.FirstName}, {"last_name", f.LastName}, {"inactive_since", formatIfSet(f.InactiveSince)},
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

// formatIfSet renders t in RFC 3339, or "" for the zero time.
func formatIfSet(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
