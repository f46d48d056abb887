package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource                     = (*userDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*userDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*userDataSource)(nil)
)

// NewUserDataSource returns the identity_user data source.
func NewUserDataSource() datasource.DataSource {
	return &userDataSource{}
}

type userDataSource struct {
	client *client.Client
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one user by exactly one of `id`, `email` or `username`. Email and username match case-insensitively. " +
			"It is an error when no user matches. `group_ids` costs one more request.",
		Attributes: d.attributes(),
	}
}

// attributes are userAttributes, of which the lookup keys are also arguments.
func (d *userDataSource) attributes() map[string]schema.Attribute {
	attrs := dataSourceAttributes(userDataAttributes)
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The user's id (a UUID). Exactly one of `id`, `email` and `username` must be set.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{idValidator()},
	}
	attrs["username"] = schema.StringAttribute{
		MarkdownDescription: "Username to look up, matched case-insensitively; " + usernameRule + ". When set, it keeps the value given here.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{usernameValidator()},
	}
	attrs["email"] = schema.StringAttribute{
		MarkdownDescription: "Email address to look up, matched case-insensitively. When set, it keeps the value given here.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{emailValidator()},
	}
	return attrs
}

func (d *userDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("email"), path.MatchRoot("username")),
	}
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg userDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		user   *client.User
		err    error
		search string
	)
	switch {
	case !cfg.ID.IsNull():
		search = fmt.Sprintf("id %q", cfg.ID.ValueString())
		user, err = d.client.GetUser(ctx, cfg.ID.ValueString())
	case !cfg.Email.IsNull():
		search = fmt.Sprintf("email %q", cfg.Email.ValueString())
		user, err = d.client.GetUserByEmail(ctx, cfg.Email.ValueString())
	default:
		search = fmt.Sprintf("username %q", cfg.Username.ValueString())
		user, err = d.client.GetUserByUsername(ctx, cfg.Username.ValueString())
	}
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("User not found", fmt.Sprintf("No user with %s exists on the identity server.", search))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read user", fmt.Sprintf("Looking up the user with %s: %s", search, err))
		return
	}

	groups, err := d.client.UserGroups(ctx, user.ID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read user", fmt.Sprintf("Listing the groups of the user with %s: %s", search, err))
		return
	}
	user.GroupIDs = make([]string, len(groups))
	for i, g := range groups {
		user.GroupIDs[i] = g.ID
	}
	state, diags := userDataModelFrom(ctx, user)
	resp.Diagnostics.Append(diags...)
	// A lookup key keeps the configured spelling: Terraform requires a data
	// source to return configured values unchanged.
	if !cfg.Email.IsNull() {
		state.Email = cfg.Email
	}
	if !cfg.Username.IsNull() {
		state.Username = cfg.Username
	}
	if !cfg.ID.IsNull() {
		state.ID = cfg.ID
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}
