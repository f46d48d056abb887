package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource              = (*thirdPartyTokensDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*thirdPartyTokensDataSource)(nil)
)

// NewThirdPartyTokensDataSource returns the identity_third_party_tokens data source.
func NewThirdPartyTokensDataSource() datasource.DataSource {
	return &thirdPartyTokensDataSource{}
}

type thirdPartyTokensDataSource struct {
	client *client.Client
}

type thirdPartyTokensDataSourceModel struct {
	Role           types.String `tfsdk:"role"`
	IncludeExpired types.Bool   `tfsdk:"include_expired"`
	IDs            types.List   `tfsdk:"ids"`
	Tokens         types.List   `tfsdk:"tokens"`
}

// thirdPartyTokensItemAttrTypes is the object type of one element of tokens.
var thirdPartyTokensItemAttrTypes = map[string]attr.Type{
	"id":           types.StringType,
	"role":         types.StringType,
	"description":  types.StringType,
	"created_by":   types.StringType,
	"created_at":   types.StringType,
	"expires_at":   types.StringType,
	"expired":      types.BoolType,
	"last_used_at": types.StringType,
}

func (d *thirdPartyTokensDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_third_party_tokens"
}

func (d *thirdPartyTokensDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists third-party tokens, in creation order, that match every filter given, so a configuration " +
			"can review which tokens exist (including those minted outside Terraform). Only metadata: the secrets are " +
			"shown once, when a token is minted, and never again. Revoked tokens are gone from the server and never " +
			"listed; expired ones are left out unless `include_expired` is set. Only a `sudo` caller can list tokens.",
		Attributes: map[string]schema.Attribute{
			"role": schema.StringAttribute{
				MarkdownDescription: "Only tokens acting as this role; " + roleNameRule + ".",
				Optional:            true,
				Validators:          []validator.String{roleNameValidator()},
			},
			"include_expired": schema.BoolAttribute{
				MarkdownDescription: "Also list tokens whose `expires_at` has passed. Defaults to `false`.",
				Optional:            true,
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "Ids of the matching tokens, in the same order as `tokens`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"tokens": schema.ListNestedAttribute{
				MarkdownDescription: "The matching tokens, without secrets.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          schema.StringAttribute{MarkdownDescription: "The token's id (the JWT's `jti`).", Computed: true},
						"role":        schema.StringAttribute{MarkdownDescription: "The role the token acts as.", Computed: true},
						"description": schema.StringAttribute{MarkdownDescription: "What the token is for; `\"\"` when unset.", Computed: true},
						"created_by":  schema.StringAttribute{MarkdownDescription: "Id of the user or token that minted it.", Computed: true},
						"created_at":  schema.StringAttribute{MarkdownDescription: "When the token was minted (RFC 3339).", Computed: true},
						"expires_at":  schema.StringAttribute{MarkdownDescription: "When the token stops working (RFC 3339); null when it does not expire.", Computed: true},
						"expired":     schema.BoolAttribute{MarkdownDescription: "Whether `expires_at` had passed when the list was read.", Computed: true},
						"last_used_at": schema.StringAttribute{
							MarkdownDescription: "When the token was last used (RFC 3339), recorded at most once a minute; null when never.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

func (d *thirdPartyTokensDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *thirdPartyTokensDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg thirdPartyTokensDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	now := time.Now()
	filter := client.TokenFilter{Role: cfg.Role.ValueString(), IncludeExpired: cfg.IncludeExpired.ValueBool(), Now: now}
	tokens, err := d.client.ListTokensMatching(ctx, filter)
	if err != nil {
		what := ""
		if filter.Role != "" {
			what = fmt.Sprintf(" with role %q", filter.Role)
		}
		resp.Diagnostics.AddError("Unable to list third-party tokens", fmt.Sprintf("Listing tokens%s: %s", what, err))
		return
	}

	ids := make([]attr.Value, 0, len(tokens))
	items := make([]attr.Value, 0, len(tokens))
	for _, t := range tokens {
		expires := types.StringNull()
		if t.ExpiresAt != nil {
			expires = timeString(*t.ExpiresAt)
		}
		obj, diags := types.ObjectValue(thirdPartyTokensItemAttrTypes, map[string]attr.Value{
			"id":           types.StringValue(t.ID),
			"role":         types.StringValue(t.Role),
			"description":  types.StringValue(t.Description),
			"created_by":   types.StringValue(t.CreatedBy),
			"created_at":   timeString(t.CreatedAt),
			"expires_at":   expires,
			"expired":      types.BoolValue(t.Expired(now)),
			"last_used_at": optionalTime(t.LastUsedAt),
		})
		resp.Diagnostics.Append(diags...)
		ids = append(ids, types.StringValue(t.ID))
		items = append(items, obj)
	}
	idList, diags := types.ListValue(types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	tokenList, diags := types.ListValue(types.ObjectType{AttrTypes: thirdPartyTokensItemAttrTypes}, items)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.IDs, cfg.Tokens = idList, tokenList
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
