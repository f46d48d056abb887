package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                = (*settingsResource)(nil)
	_ resource.ResourceWithConfigure   = (*settingsResource)(nil)
	_ resource.ResourceWithImportState = (*settingsResource)(nil)
)

// NewSettingsResource returns the identity_settings resource.
func NewSettingsResource() resource.Resource {
	return &settingsResource{}
}

type settingsResource struct {
	client *client.Client
}

func (r *settingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_settings"
}

func (r *settingsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	d := serverSettingsDescriptions
	keep := " Unset, it keeps the server's value."
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the identity server's settings: self-registration, the password policy, the session " +
			"lifetime and the login throttle. The server has one settings object, so declare this resource once: " +
			"creating it adopts the settings and sets the arguments given, destroying it restores the server's " +
			"defaults. Changing settings needs a caller of level 1 or lower.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: d["id"],
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"self_registration": schema.BoolAttribute{
				MarkdownDescription: d["self_registration"] + keep,
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"self_registration_role": schema.StringAttribute{
				MarkdownDescription: d["self_registration_role"] + " It must exist; " + roleNameRule + "." + keep,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{roleNameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"password_min_length": schema.Int64Attribute{
				MarkdownDescription: d["password_min_length"] + keep,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{passwordMinLengthValidator()},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"session_ttl": schema.StringAttribute{
				MarkdownDescription: d["session_ttl"] + keep,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{settingsDurationValidator(catalog.SessionTTLMin, catalog.SessionTTLMax)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"login_throttle_threshold": schema.Int64Attribute{
				MarkdownDescription: d["login_throttle_threshold"] + keep,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{loginThrottleThresholdValidator()},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"login_throttle_window": schema.StringAttribute{
				MarkdownDescription: d["login_throttle_window"] + keep,
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{settingsDurationValidator(catalog.LoginThrottleWindowMin, catalog.LoginThrottleWindowMax)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *settingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// apply sets the planned settings that are known and returns the result.
func (r *settingsResource) apply(ctx context.Context, plan serverSettingsModel) (serverSettingsModel, error) {
	s, err := r.client.UpdateSettings(ctx, serverSettingsUpdate(plan))
	if err != nil {
		return plan, err
	}
	return serverSettingsModelFrom(s, plan), nil
}

func (r *settingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan serverSettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state, err := r.apply(ctx, plan)
	if err != nil {
		resp.Diagnostics.AddError("Unable to set the server settings", fmt.Sprintf("Setting the server's settings: %s", err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *settingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serverSettingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state, err := readServerSettings(ctx, r.client, state)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the server settings", fmt.Sprintf("Reading the server's settings: %s", err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *settingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan serverSettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state, err := r.apply(ctx, plan)
	if err != nil {
		resp.Diagnostics.AddError("Unable to change the server settings", fmt.Sprintf("Changing the server's settings: %s", err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Delete restores the server's defaults: the settings object itself always exists.
func (r *settingsResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	if _, err := r.client.ResetSettings(ctx); err != nil {
		resp.Diagnostics.AddError("Unable to restore the default server settings", fmt.Sprintf("Restoring the server's default settings: %s", err))
	}
}

func (r *settingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != serverSettingsID {
		resp.Diagnostics.AddError(summaryInvalidImportID, fmt.Sprintf("Import the server settings with the id %q, not %q.", serverSettingsID, req.ID))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
