package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                = (*roleResource)(nil)
	_ resource.ResourceWithConfigure   = (*roleResource)(nil)
	_ resource.ResourceWithImportState = (*roleResource)(nil)
)

// NewRoleResource returns the identity_role resource.
func NewRoleResource() resource.Resource {
	return &roleResource{}
}

type roleResource struct {
	client *client.Client
}

type roleResourceModel struct {
	Name        types.String `tfsdk:"name"`
	Level       types.Int64  `tfsdk:"level"`
	Description types.String `tfsdk:"description"`
}

func (r *roleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (r *roleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a custom role: a name and a privilege level. Users, third-party tokens and permissions refer to roles by name.\n\n" +
			"Built-in roles (" + builtinRoleList() + ") always exist and cannot be managed. " +
			"A role can be deleted only while no user, token or permission uses it.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the role; " + roleNameRule + ", and not a built-in role (" + builtinRoleNames() + "). Changing it replaces the role: while users, tokens or " +
					"permissions use the role, rename it with `lifecycle { create_before_destroy = true }` on this resource, so the " +
					"new role exists and they move to it before the old one is deleted.",
				Required:      true,
				Validators:    []validator.String{customRoleNameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"level": schema.Int64Attribute{
				MarkdownDescription: "Privilege level, " + levelRule + ". The caller may only manage roles whose level is greater than its own.",
				Required:            true,
				Validators:          []validator.Int64{levelValidator()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the role is for; " + textRule(catalog.DescriptionMaxLength, true) + ". Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{textValidator(catalog.DescriptionMaxLength, true)},
			},
		},
	}
}

func (r *roleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *roleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan roleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := r.client.CreateRole(ctx, client.RoleCreate{
		Name:        plan.Name.ValueString(),
		Level:       plan.Level.ValueInt64(),
		Description: plan.Description.ValueString(),
	})
	if err != nil {
		addCreateError(&resp.Diagnostics, err, createFailure{
			summary: "Unable to create role", detail: fmt.Sprintf("Creating role %q: %s", plan.Name.ValueString(), err),
			typeName: "identity_role", what: fmt.Sprintf("role %q", plan.Name.ValueString()), importID: plan.Name.ValueString(),
		})
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, roleResourceModelFrom(role))...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, role.Version)...)
}

func (r *roleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := r.client.GetRole(ctx, state.Name.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read role", fmt.Sprintf("Reading role %q: %s", state.Name.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, roleResourceModelFrom(role))...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, role.Version)...)
}

func (r *roleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state roleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Every managed field is sent, so the result is the plan; If-Match with
	// the version the plan was made from refuses the update when the role
	// changed on the server since.
	updateCtx, diags := withSavedVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := r.client.UpdateRole(updateCtx, plan.Name.ValueString(), client.RoleUpdate{
		Level:       plan.Level.ValueInt64Pointer(),
		Description: plan.Description.ValueStringPointer(),
	})
	if err != nil {
		addUpdateError(&resp.Diagnostics, "Unable to update role", fmt.Sprintf("role %q", plan.Name.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, roleResourceModelFrom(role))...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, role.Version)...)
}

func (r *roleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteRole(ctx, state.Name.ValueString())
	switch {
	case err == nil, errors.Is(err, client.ErrNotFound):
	case errors.Is(err, client.ErrConflict):
		resp.Diagnostics.AddError("Unable to delete role", fmt.Sprintf("Deleting role %q: %s\n\n"+
			"A role can be deleted only once no user, token or permission uses it. If this delete is part of a rename, "+
			"Terraform replaces the role and by default deletes the old one before anything moves to the new one. "+
			"Add\n\n  lifecycle {\n    create_before_destroy = true\n  }\n\n"+
			"to the identity_role so the new role is created and its users move before the old one is deleted, or rename "+
			"in two steps: add the new role and point its users, tokens and permissions at it, apply, then remove the old role.",
			state.Name.ValueString(), err))
	default:
		resp.Diagnostics.AddError("Unable to delete role", fmt.Sprintf("Deleting role %q: %s", state.Name.ValueString(), err))
	}
}

// ImportState imports a role by its name.
func (r *roleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if catalog.IsBuiltinRole(req.ID) {
		resp.Diagnostics.AddError(summaryInvalidImportID, fmt.Sprintf("%q %s.", req.ID, builtinRoleRefusal(req.ID)))
		return
	}
	if msg := catalog.ValidateRoleName(req.ID); msg != "" {
		resp.Diagnostics.AddError(summaryInvalidImportID, fmt.Sprintf("Import a role by its name; %q %s.", req.ID, msg))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("name"), req, resp)
}

// roleResourceModelFrom maps a role as the server reports it.
func roleResourceModelFrom(r *client.Role) roleResourceModel {
	return roleResourceModel{
		Name:        types.StringValue(r.Name),
		Level:       types.Int64Value(r.Level),
		Description: types.StringValue(r.Description),
	}
}
