package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource              = (*currentUserDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*currentUserDataSource)(nil)
)

// NewCurrentUserDataSource returns the identity_current_user data source.
func NewCurrentUserDataSource() datasource.DataSource {
	return &currentUserDataSource{}
}

type currentUserDataSource struct {
	client *client.Client
}

type currentUserDataSourceModel struct {
	ID       types.String `tfsdk:"id"`
	Kind     types.String `tfsdk:"kind"`
	Username types.String `tfsdk:"username"`
	Role     types.String `tfsdk:"role"`
	Level    types.Int64  `tfsdk:"level"`
}

func (d *currentUserDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_current_user"
}

func (d *currentUserDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Who the provider is signed in as: the user of its session (from `token` holding a session " +
			"token, or from `username` and `password`) or the third-party token in `token`, with the role and level it " +
			"acts with. Anyone may read this about themselves.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the signed-in user, or of the third-party token (its `jti`).",
				Computed:            true,
			},
			"kind": schema.StringAttribute{
				MarkdownDescription: "`" + client.KindUser + "` for a user's session, `" + client.KindToken + "` for a third-party token.",
				Computed:            true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "The signed-in user's username; null for a third-party token.",
				Computed:            true,
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "The role the caller acts with (a token: the token's role).",
				Computed:            true,
			},
			"level": schema.Int64Attribute{
				MarkdownDescription: "The level of that role; a lower level means more privilege.",
				Computed:            true,
			},
		},
	}
}

func (d *currentUserDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *currentUserDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	me, err := d.client.Me(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the current user", fmt.Sprintf("Asking the server who the provider is signed in as: %s", err))
		return
	}
	state := currentUserDataSourceModel{
		Kind:     types.StringValue(me.Kind),
		Username: types.StringNull(),
		Role:     types.StringValue(me.Role),
		Level:    types.Int64Value(int64(me.Level)),
	}
	switch {
	case me.User != nil:
		state.ID, state.Username = types.StringValue(me.User.ID), types.StringValue(me.User.Username)
	case me.Token != nil:
		state.ID = types.StringValue(me.Token.ID)
	default:
		resp.Diagnostics.AddError("Unable to read the current user",
			fmt.Sprintf("The server reported a caller of kind %q with neither a user nor a token.", me.Kind))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}
