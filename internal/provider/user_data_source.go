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
	"github.com/hashicorp/terraform-plugin-framework/types"

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

type userDataSourceModel struct {
	ID           types.String `tfsdk:"id"`
	Username     types.String `tfsdk:"username"`
	Email        types.String `tfsdk:"email"`
	FirstName    types.String `tfsdk:"first_name"`
	LastName     types.String `tfsdk:"last_name"`
	Organization types.String `tfsdk:"organization"`
	Role         types.String `tfsdk:"role"`
	Disabled     types.Bool   `tfsdk:"disabled"`
	Attributes   types.Map    `tfsdk:"attributes"`
	CreatedAt    types.String `tfsdk:"created_at"`
	UpdatedAt    types.String `tfsdk:"updated_at"`
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one user by exactly one of `id`, `email` or `username`. Email and username match case-insensitively. " +
			"It is an error when no user matches.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The user's id (a UUID). Exactly one of `id`, `email` and `username` must be set.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{idValidator()},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Username to look up, matched case-insensitively; " + usernameRule + ". When set, it keeps the value given here.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{usernameValidator()},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Email address to look up, matched case-insensitively. When set, it keeps the value given here.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{emailValidator()},
			},
			"first_name":   schema.StringAttribute{MarkdownDescription: "Given name; `\"\"` when unset.", Computed: true},
			"last_name":    schema.StringAttribute{MarkdownDescription: "Family name; `\"\"` when unset.", Computed: true},
			"organization": schema.StringAttribute{MarkdownDescription: "Organization; `\"\"` when unset.", Computed: true},
			"role":         schema.StringAttribute{MarkdownDescription: "Name of the user's role.", Computed: true},
			"disabled":     schema.BoolAttribute{MarkdownDescription: "Whether the user is disabled.", Computed: true},
			"attributes": schema.MapAttribute{
				MarkdownDescription: "The user's string attributes; `{}` when none.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"created_at": schema.StringAttribute{MarkdownDescription: "When the user was created (RFC 3339).", Computed: true},
			"updated_at": schema.StringAttribute{MarkdownDescription: "When the user was last changed (RFC 3339).", Computed: true},
		},
	}
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
	var cfg userDataSourceModel
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

	attrs, diags := types.MapValueFrom(ctx, types.StringType, nonNilMap(user.Attributes))
	resp.Diagnostics.Append(diags...)
	state := userDataSourceModel{
		ID:           types.StringValue(user.ID),
		Username:     types.StringValue(user.Username),
		Email:        types.StringValue(user.Email),
		FirstName:    types.StringValue(user.FirstName),
		LastName:     types.StringValue(user.LastName),
		Organization: types.StringValue(user.Organization),
		Role:         types.StringValue(user.Role),
		Disabled:     types.BoolValue(user.Disabled),
		Attributes:   attrs,
		CreatedAt:    timeString(user.CreatedAt),
		UpdatedAt:    timeString(user.UpdatedAt),
	}
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
