package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ ephemeral.EphemeralResource              = (*tokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*tokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*tokenEphemeralResource)(nil)
)

const (
	// defaultEphemeralTokenTTL is how long an identity_token lives when ttl is not set.
	defaultEphemeralTokenTTL = time.Hour
	// maxEphemeralTokenTTL bounds ttl: the token is for one run, not a standing credential.
	maxEphemeralTokenTTL = 24 * time.Hour
	// ephemeralTokenPrivateKey carries the token's id from Open to Close.
	ephemeralTokenPrivateKey = "token_id"
)

// NewTokenEphemeralResource returns the identity_token ephemeral resource.
func NewTokenEphemeralResource() ephemeral.EphemeralResource {
	return &tokenEphemeralResource{}
}

type tokenEphemeralResource struct {
	client *client.Client
}

type tokenEphemeralResourceModel struct {
	Role        types.String `tfsdk:"role"`
	TTL         types.String `tfsdk:"ttl"`
	Description types.String `tfsdk:"description"`
	ID          types.String `tfsdk:"id"`
	Token       types.String `tfsdk:"token"`
	ExpiresAt   types.String `tfsdk:"expires_at"`
}

func (r *tokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_token"
}

func (r *tokenEphemeralResource) Schema(ctx context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	ttlMax := durationAtMost(maxEphemeralTokenTTL)
	resp.Schema = schema.Schema{
		MarkdownDescription: "A third-party token minted for the length of one Terraform run (Terraform 1.10 or later). " +
			"It is never written to the plan or the state: Terraform opens it when a run needs it and the provider revokes " +
			"it when Terraform closes it. It also carries an expiry of now plus `ttl`, so it stops working by itself if " +
			"Terraform is killed before it can revoke it.\n\n" +
			"Use it as the `token` of another provider block (an alias that acts with less privilege, such as an auditor), " +
			"or in a write-only attribute. Minting tokens needs a `sudo` caller, like `identity_third_party_token`. " +
			"Each run mints its own token: `terraform plan` and `terraform apply` each open and close one.",
		Attributes: map[string]schema.Attribute{
			"role": schema.StringAttribute{
				MarkdownDescription: "The role the token acts as; its level is the token's level. The role name " + roleNameValidator().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{roleNameValidator()},
			},
			"ttl": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long the token works at most, as a Go duration such as `15m` or `2h`; %s. Defaults to `%s`.", ttlMax.MarkdownDescription(ctx), catalog.FormatDuration(defaultEphemeralTokenTTL)),
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{durationValidator{}, ttlMax},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the token is for, shown in the server's token list while it exists; " + textRule(catalog.DescriptionMaxLength, true) + ".",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{textValidator(catalog.DescriptionMaxLength, true)},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The token's id (the JWT's `jti`).",
				Computed:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The secret (a JWT), sent by clients as `Authorization: Bearer`.",
				Computed:            true,
				Sensitive:           true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token stops working even if it is not revoked (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (r *tokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *tokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var cfg tokenEphemeralResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ttl := defaultEphemeralTokenTTL
	if !cfg.TTL.IsNull() {
		d, err := time.ParseDuration(cfg.TTL.ValueString())
		if err != nil || d <= 0 || d > maxEphemeralTokenTTL {
			// The validators refuse this first; kept so Open never mints a standing token.
			resp.Diagnostics.AddAttributeError(path.Root("ttl"), "Invalid ttl",
				fmt.Sprintf("ttl %q must be a positive duration of at most %s.", cfg.TTL.ValueString(), catalog.FormatDuration(maxEphemeralTokenTTL)))
			return
		}
		ttl = d
	} else {
		cfg.TTL = types.StringValue(catalog.FormatDuration(ttl))
	}
	if cfg.Description.IsNull() {
		cfg.Description = types.StringValue("")
	}

	expires := time.Now().Add(ttl).UTC()
	t, err := r.client.CreateToken(ctx, client.TokenCreate{
		Role:        cfg.Role.ValueString(),
		Description: cfg.Description.ValueString(),
		ExpiresAt:   &expires,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to open ephemeral token",
			fmt.Sprintf("Could not mint a token for role %q: %s", cfg.Role.ValueString(), err))
		return
	}
	id, err := json.Marshal(t.ID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to open ephemeral token", fmt.Sprintf("Encoding token id %s: %s", t.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ephemeralTokenPrivateKey, id)...)

	cfg.ID = types.StringValue(t.ID)
	cfg.Token = types.StringValue(t.Secret)
	cfg.ExpiresAt = timeString(expires)
	if t.ExpiresAt != nil {
		cfg.ExpiresAt = timeString(*t.ExpiresAt)
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, cfg)...)
}

// Close revokes the token. A token already gone (revoked by hand, or
// removed after it expired) needs nothing more.
func (r *tokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, ephemeralTokenPrivateKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || raw == nil {
		return
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil || id == "" {
		resp.Diagnostics.AddError("Unable to close ephemeral token",
			fmt.Sprintf("The token id kept between open and close is unreadable (%q); the token expires by itself.", raw))
		return
	}
	if err := r.client.DeleteToken(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to close ephemeral token",
			fmt.Sprintf("Could not revoke token %s: %s. It stops working by itself when it expires.", id, err))
	}
}
