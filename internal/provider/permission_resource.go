package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                     = (*permissionResource)(nil)
	_ resource.ResourceWithConfigure        = (*permissionResource)(nil)
	_ resource.ResourceWithImportState      = (*permissionResource)(nil)
	_ resource.ResourceWithConfigValidators = (*permissionResource)(nil)
)

// NewPermissionResource returns the identity_permission resource.
func NewPermissionResource() resource.Resource {
	return &permissionResource{}
}

type permissionResource struct {
	client *client.Client
}

// permissionModel is a grant; identity_permissions lists them too.
type permissionModel struct {
	ID        types.String `tfsdk:"id"`
	Operation types.String `tfsdk:"operation"`
	Scope     types.String `tfsdk:"scope"`
	UserID    idValue      `tfsdk:"user_id"`
	GroupID   idValue      `tfsdk:"group_id"`
	Role      types.String `tfsdk:"role"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (r *permissionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission"
}

func (r *permissionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Grants an `operation` on a `scope` to exactly one principal: a user (`user_id`), a group " +
			"(`group_id`) or every user of a role (`role`). Grants cannot be changed: any change to an argument replaces " +
			"the grant. Deleting the principal removes its grants on the server.\n\n" +
			"Operations and the scope kinds each is valid on:\n\n" + operationScopesMarkdown(),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The permission's id (a UUID).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"operation": schema.StringAttribute{
				MarkdownDescription: "The operation granted, " + operationRule + ".",
				Required:            true,
				Validators:          []validator.String{operationValidator()},
				PlanModifiers:       replace,
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "Where the operation applies: " + scopeRule + ". The operation must be valid on the scope's kind (see above).",
				Required:            true,
				Validators:          []validator.String{scopeValidator()},
				PlanModifiers:       replace,
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The id of the user granted the operation. Exactly one of `user_id`, `group_id` and `role` is set.",
				Optional:            true,
				CustomType:          idType{},
				Validators:          []validator.String{idValidator()},
				PlanModifiers:       []planmodifier.String{requiresReplaceUnlessCase()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The id of the group whose members are granted the operation. Exactly one of `user_id`, `group_id` and `role` is set.",
				Optional:            true,
				CustomType:          idType{},
				Validators:          []validator.String{idValidator()},
				PlanModifiers:       []planmodifier.String{requiresReplaceUnlessCase()},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "The name of the role whose users are granted the operation. Exactly one of `user_id`, `group_id` and `role` is set.",
				Optional:            true,
				Validators:          []validator.String{roleNameValidator()},
				PlanModifiers:       replace,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the grant was made (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *permissionResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("user_id"), path.MatchRoot("group_id"), path.MatchRoot("role")),
		grantValidator{},
	}
}

func (r *permissionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *permissionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan permissionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := r.client.CreatePermission(ctx, client.PermissionCreate{
		Operation: plan.Operation.ValueString(),
		Scope:     plan.Scope.ValueString(),
		UserID:    plan.UserID.normalized(),
		GroupID:   plan.GroupID.normalized(),
		Role:      plan.Role.ValueString(),
	})
	if err != nil {
		grant := fmt.Sprintf("%s on %s to %s", plan.Operation.ValueString(), plan.Scope.ValueString(), plan.principal())
		existing := ""
		if errors.Is(err, client.ErrConflict) {
			existing = r.existingGrantID(ctx, plan)
		}
		addCreateError(&resp.Diagnostics, err, createFailure{
			summary: "Unable to create permission", detail: fmt.Sprintf("Could not grant %s: %s", grant, err),
			typeName: "identity_permission", what: fmt.Sprintf("grant of %s (permission id %s)", grant, existing), importID: existing,
		})
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, permissionModelFrom(p))...)
}

func (r *permissionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state permissionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := r.client.GetPermission(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read permission",
			fmt.Sprintf("Could not read permission %s: %s", state.ID.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, permissionModelFrom(p))...)
}

// Update only records a new spelling of the principal's id: any other
// change replaces the grant.
func (r *permissionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan permissionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *permissionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state permissionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeletePermission(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to delete permission",
			fmt.Sprintf("Could not revoke permission %s (%s on %s for %s): %s", state.ID.ValueString(),
				state.Operation.ValueString(), state.Scope.ValueString(), state.principal(), err))
	}
}

// ImportState takes the permission's id; a missing one is reported here.
func (r *permissionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !uuidPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError(summaryInvalidImportID, fmt.Sprintf("Import a permission by its id (a UUID), not %q; "+
			"the identity_permissions data source lists grants with their ids.", req.ID))
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider must be configured before a permission can be imported.")
		return
	}
	p, err := r.client.GetPermission(ctx, normalizeID(req.ID))
	switch {
	case errors.Is(err, client.ErrNotFound):
		resp.Diagnostics.AddError("Permission not found", fmt.Sprintf("No permission with id %q exists on the identity server; "+
			"the identity_permissions data source lists grants with their ids.", req.ID))
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to import permission", fmt.Sprintf("Reading permission %q: %s", req.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), p.ID)...)
}

// existingGrantID finds the id of the permission identical to plan, for the import advice.
func (r *permissionResource) existingGrantID(ctx context.Context, plan permissionModel) string {
	ps, err := r.client.ListPermissions(ctx, client.PermissionFilter{
		Operation: plan.Operation.ValueString(), Scope: plan.Scope.ValueString(),
		UserID: plan.UserID.normalized(), GroupID: plan.GroupID.normalized(), Role: plan.Role.ValueString(),
	})
	if err != nil || len(ps) != 1 {
		return ""
	}
	return ps[0].ID
}

// principal names the grantee for diagnostics.
func (m permissionModel) principal() string {
	switch {
	case m.UserID.ValueString() != "":
		return "user " + m.UserID.ValueString()
	case m.GroupID.ValueString() != "":
		return "group " + m.GroupID.ValueString()
	default:
		return "role " + m.Role.ValueString()
	}
}

// permissionModelFrom maps a grant as the server reports it; unused principals are null.
func permissionModelFrom(p *client.Permission) permissionModel {
	return permissionModel{
		ID:        types.StringValue(p.ID),
		Operation: types.StringValue(p.Operation),
		Scope:     types.StringValue(p.Scope),
		UserID:    idValueOf(p.UserID),
		GroupID:   idValueOf(p.GroupID),
		Role:      nullIfEmpty(p.Role),
		CreatedAt: timeString(p.CreatedAt),
	}
}
