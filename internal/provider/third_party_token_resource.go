package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                = (*thirdPartyTokenResource)(nil)
	_ resource.ResourceWithConfigure   = (*thirdPartyTokenResource)(nil)
	_ resource.ResourceWithImportState = (*thirdPartyTokenResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*thirdPartyTokenResource)(nil)
)

// NewThirdPartyTokenResource returns the identity_third_party_token resource.
func NewThirdPartyTokenResource() resource.Resource {
	return &thirdPartyTokenResource{}
}

type thirdPartyTokenResource struct {
	client *client.Client
}

type thirdPartyTokenResourceModel struct {
	ID                 types.String `tfsdk:"id"`
	Role               types.String `tfsdk:"role"`
	Description        types.String `tfsdk:"description"`
	ExpiresAt          types.String `tfsdk:"expires_at"`
	RotateWhenChanged  types.Map    `tfsdk:"rotate_when_changed"`
	RotationPeriod     types.String `tfsdk:"rotation_period"`
	RotateBeforeExpiry types.String `tfsdk:"rotate_before_expiry"`
	Token              types.String `tfsdk:"token"`
	CreatedAt          types.String `tfsdk:"created_at"`
}

func (r *thirdPartyTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_third_party_token"
}

func (r *thirdPartyTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A third-party token: a long-lived credential (a signed JWT) for an integration, acting with " +
			"the level of its `role`. Only a `sudo` caller can manage tokens.\n\n" +
			"The server shows the secret once, when the token is minted; it is kept in the state as the sensitive " +
			"`token` attribute, so protect the state. Tokens cannot be changed: any change to an argument mints a new " +
			"token and revokes the old one, and destroying the resource revokes the token at once. A token that has " +
			"expired is planned for replacement (move `expires_at` forward to mint a new one). Change " +
			"`rotate_when_changed` to rotate the secret on demand.\n\n" +
			"For scheduled rotation, set `rotation_period` (a replacement is planned once the token is older than that) " +
			"or `rotate_before_expiry` (a replacement is planned that long before `expires_at`), run `terraform plan` " +
			"on a schedule, and add `lifecycle { create_before_destroy = true }` so the new token is minted before the " +
			"old one is revoked and both work in between. The plan states why a replacement is due.\n\n" +
			"An imported token has a null `token`: the secret cannot be recovered from the server.\n\n" +
			"~> **A credential for this configuration's own provider blocks** should come from the ephemeral " +
			"`identity_token` resource, not from this one: `identity_token` mints a token for each run and never stores it, " +
			"while this resource's `token` is unknown whenever a replacement is planned, so a provider block configured with it " +
			"cannot plan the rotation without `-target`. Keep `identity_third_party_token` for tokens handed to systems " +
			"outside Terraform.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The token's id (the JWT's `jti`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "The role the token acts as; its level is the token's level. A role name is " + roleNameRule + ".",
				Required:            true,
				Validators:          []validator.String{roleNameValidator()},
				PlanModifiers:       replace,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the token is for; " + textRule(catalog.DescriptionMaxLength, true) + ".",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{textValidator(catalog.DescriptionMaxLength, true)},
				PlanModifiers:       replace,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token stops working, as " + timestampRule + "; " +
					"it must be in the future when the token is minted. Omit it for a token that does not expire. " +
					"Changing it to another instant mints a new token; the same instant written with another offset " +
					"(`2030-01-01T01:00:00+01:00`) keeps the token and only updates the spelling in the state.",
				Optional:      true,
				Validators:    []validator.String{rfc3339Validator()},
				PlanModifiers: []planmodifier.String{requiresReplaceIfOtherInstant()},
			},
			"rotation_period": schema.StringAttribute{
				MarkdownDescription: "How long a token is used before it is rotated, as a Go duration such as `720h` (30 days). " +
					"Once the token is older than this (counted from `created_at`), a plan replaces it and says why. " +
					"Changing it does not replace the token by itself. The duration must be " + durationRule + ".",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
			"rotate_before_expiry": schema.StringAttribute{
				MarkdownDescription: "How long before `expires_at` the token is rotated, as a Go duration such as `336h` (14 days). " +
					"Inside that window a plan replaces the token and says why. Requires `expires_at`, which must lie " +
					"beyond the window when a token is minted (or every plan would replace it again). Changing it does not " +
					"replace the token by itself. The duration must be " + durationRule + ".",
				Optional: true,
				Validators: []validator.String{
					durationValidator{},
					stringvalidator.AlsoRequires(path.MatchRoot("expires_at")),
				},
			},
			"rotate_when_changed": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values; any change to them mints a new token and revokes the old one, " +
					"for example `{ rotation = \"2026-q4\" }` or a `time_rotating` id.",
				ElementType:   types.StringType,
				Optional:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The secret (a JWT), sent by clients as `Authorization: Bearer`. Null after import.",
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the token was minted (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *thirdPartyTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan plans the replacement of a token that has expired or is due
// for rotation (rotation_period, rotate_before_expiry): Terraform replaces
// only when a value changes, so the id is planned as unknown, and a warning
// says why. For a token about to be minted, an expiry in the past is a
// warning here (a replacement is planned as a create, indistinguishable from
// a first one) and an error in Create; an expiry already inside the
// rotate_before_expiry window is an error, since it could never settle.
func (r *thirdPartyTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan thirdPartyTokenResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	now := time.Now()

	if req.State.Raw.IsNull() {
		if planned, ok := parseTime(plan.ExpiresAt); ok && !planned.After(now) {
			resp.Diagnostics.AddAttributeWarning(path.Root("expires_at"), "Expiry in the past",
				fmt.Sprintf("expires_at %s is not in the future, so minting this token will fail. Set expires_at to a later time.", plan.ExpiresAt.ValueString()))
		}
		if msg, due := newTokenDueAtOnce(plan, now); due {
			resp.Diagnostics.AddAttributeError(path.Root("rotate_before_expiry"), "Token would be due for rotation at once", msg)
		}
		return
	}

	var state thirdPartyTokenResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	due := dueTokenReplacement(state, plan, now)
	if due == nil {
		return
	}
	resp.Diagnostics.AddAttributeWarning(due.Attribute, due.Summary, due.Detail)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("id"))
	for _, attr := range []string{"id", "token", "created_at"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attr), types.StringUnknown())...)
	}
}

func (r *thirdPartyTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan thirdPartyTokenResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := client.TokenCreate{Role: plan.Role.ValueString(), Description: plan.Description.ValueString()}
	if exp, ok := parseTime(plan.ExpiresAt); ok {
		if !exp.After(time.Now()) {
			resp.Diagnostics.AddAttributeError(path.Root("expires_at"), "Unable to create third-party token",
				fmt.Sprintf("Could not mint a token for role %q: expires_at %s is not in the future; set it to a later time.", plan.Role.ValueString(), plan.ExpiresAt.ValueString()))
			return
		}
		body.ExpiresAt = &exp
	}
	t, err := r.client.CreateToken(ctx, body)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create third-party token",
			fmt.Sprintf("Could not mint a token for role %q: %s", plan.Role.ValueString(), err))
		return
	}
	plan.ID = types.StringValue(t.ID)
	plan.Token = types.StringValue(t.Secret)
	plan.CreatedAt = timeString(t.CreatedAt)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *thirdPartyTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state thirdPartyTokenResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, err := r.client.GetToken(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		// Revoked out of band.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read third-party token",
			fmt.Sprintf("Could not read token %s: %s", state.ID.ValueString(), err))
		return
	}
	state.Role = types.StringValue(t.Role)
	state.Description = types.StringValue(t.Description)
	state.CreatedAt = timeString(t.CreatedAt)
	// Keep the configured spelling of the same instant (time zone, precision).
	if t.ExpiresAt == nil {
		state.ExpiresAt = types.StringNull()
	} else if prior, ok := parseTime(state.ExpiresAt); !ok || !prior.Equal(*t.ExpiresAt) {
		state.ExpiresAt = types.StringValue(t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update stores what can change without a new token: the rotation settings
// and the spelling of the same expires_at instant. Every other change
// replaces the token, and the server keeps none of these, so nothing is sent.
func (r *thirdPartyTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan thirdPartyTokenResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *thirdPartyTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state thirdPartyTokenResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteToken(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to delete third-party token",
			fmt.Sprintf("Could not revoke token %s (role %q): %s", state.ID.ValueString(), state.Role.ValueString(), err))
	}
}

// ImportState takes the token's id. The secret cannot be recovered, so
// token stays null.
func (r *thirdPartyTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider must be configured before a token can be imported.")
		return
	}
	t, err := r.client.GetToken(ctx, req.ID)
	switch {
	case errors.Is(err, client.ErrNotFound):
		resp.Diagnostics.AddError("Token not found", fmt.Sprintf("No third-party token with id %q exists on the identity server "+
			"(a revoked token is gone); the identity_third_party_tokens data source lists tokens with their ids.", req.ID))
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to import third-party token", fmt.Sprintf("Reading token %q: %s", req.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), t.ID)...)
}
