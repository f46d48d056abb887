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

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource                     = (*accessDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*accessDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*accessDataSource)(nil)
)

// NewAccessDataSource returns the identity_access data source.
func NewAccessDataSource() datasource.DataSource {
	return &accessDataSource{}
}

type accessDataSource struct {
	client *client.Client
}

type accessDataSourceModel struct {
	UserID    types.String `tfsdk:"user_id"`
	TokenID   types.String `tfsdk:"token_id"`
	Operation types.String `tfsdk:"operation"`
	Scope     types.String `tfsdk:"scope"`
	Allowed   types.Bool   `tfsdk:"allowed"`
	Via       []viaModel   `tfsdk:"via"`
}

func (d *accessDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access"
}

func (d *accessDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Asks the identity server whether a user or a third-party token may do an `operation` on a `scope`, " +
			"and through which grants. The server decides: a grant of the operation (or of `SUPER_ADMIN`) on the scope " +
			"or on a scope containing it (`global` contains every tenant, `tenant:T` its projects and inventories) reaches " +
			"a user when it is granted to the user, to a group the user is a member of, or to the user's role; a token " +
			"holds its role's grants; a disabled user or an expired token holds nothing. " +
			"Use it in `check` blocks and postconditions to assert an access policy. The caller needs level 100 or lower, " +
			"or to ask about its own user.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The id (a UUID) of the user asked about. Exactly one of `user_id` and `token_id` must be set.",
				Optional:            true,
				Validators:          []validator.String{idValidator()},
			},
			"token_id": schema.StringAttribute{
				MarkdownDescription: "The id (a UUID) of the third-party token asked about. Exactly one of `user_id` and `token_id` must be set.",
				Optional:            true,
				Validators:          []validator.String{idValidator()},
			},
			"operation": schema.StringAttribute{
				MarkdownDescription: "The operation asked about, " + operationRule + ".",
				Required:            true,
				Validators:          []validator.String{operationValidator()},
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "The scope asked about: " + scopeRule + ". The operation must be one that can be granted on the scope's kind:\n\n" +
					operationScopesMarkdown(),
				Required:   true,
				Validators: []validator.String{scopeValidator()},
			},
			"allowed": schema.BoolAttribute{
				MarkdownDescription: "Whether the principal may do the operation on the scope.",
				Computed:            true,
			},
			"via": viaAttribute("Every grant that allows it; empty when `allowed` is false."),
		},
	}
}

func (d *accessDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("user_id"), path.MatchRoot("token_id")),
		grantValidator{},
	}
}

func (d *accessDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *accessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state accessDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	q := client.AccessQuery{UserID: state.UserID.ValueString(), TokenID: state.TokenID.ValueString(),
		Operation: state.Operation.ValueString(), Scope: state.Scope.ValueString()}
	who := "user " + q.UserID
	if q.TokenID != "" {
		who = "token " + q.TokenID
	}
	dec, err := d.client.Access(ctx, q)
	if err != nil {
		resp.Diagnostics.AddError("Unable to decide access",
			fmt.Sprintf("Asking whether %s may %s on %s: %s", who, q.Operation, q.Scope, err))
		return
	}
	state.Allowed = types.BoolValue(dec.Allowed)
	state.Via = viaModelsFrom(dec.Via)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}
