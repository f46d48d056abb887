package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                = (*groupResource)(nil)
	_ resource.ResourceWithConfigure   = (*groupResource)(nil)
	_ resource.ResourceWithImportState = (*groupResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*groupResource)(nil)
)

// NewGroupResource returns the identity_group resource.
func NewGroupResource() resource.Resource {
	return &groupResource{}
}

type groupResource struct {
	client *client.Client
}

func (r *groupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group"
}

func (r *groupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A group of users, optionally within an organization. Its full name, `Organization:Name` " +
			"(or `Name` without an organization), is unique case-insensitively.\n\n" +
			"Manage its members with either `identity_group_membership` (one user each, non-authoritative) or " +
			"`identity_group_members` (the whole set, authoritative), never both on the same group.",
		Attributes: withComputed(map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "The group's name; " + groupNameRule + ". It can be changed in place.",
				Required:            true,
				Validators:          []validator.String{groupNameValidator()},
			},
			"organization": schema.StringAttribute{
				MarkdownDescription: "The organization the group belongs to; empty for none. Same rules as `name`; can be changed in place.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{organizationValidator()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free text describing the group; " + textRule(catalog.DescriptionMaxLength, true) + ".",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{textValidator(catalog.DescriptionMaxLength, true)},
			},
		}, groupAttributes),
	}
}

func (r *groupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan predicts full_name, so renaming shows the new full name in the
// plan and an unchanged group plans no unknowns.
func (r *groupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan groupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Name.IsUnknown() || plan.Organization.IsUnknown() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("full_name"),
		catalog.GroupFullName(plan.Organization.ValueString(), plan.Name.ValueString()))...)
}

func (r *groupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan groupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, err := r.client.CreateGroup(ctx, client.GroupCreate{
		Name:         plan.Name.ValueString(),
		Organization: plan.Organization.ValueString(),
		Description:  plan.Description.ValueString(),
	})
	if err != nil {
		full := catalog.GroupFullName(plan.Organization.ValueString(), plan.Name.ValueString())
		addCreateError(&resp.Diagnostics, err, createFailure{
			summary: "Unable to create group", detail: fmt.Sprintf("Could not create group %q: %s", full, err),
			typeName: "identity_group", what: fmt.Sprintf("group %q", full), importID: full,
		})
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupModelFrom(g))...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, g.Version)...)
}

func (r *groupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state groupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, err := r.client.GetGroup(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read group",
			fmt.Sprintf("Could not read group %s (%s): %s", state.ID.ValueString(), state.FullName.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupModelFrom(g))...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, g.Version)...)
}

func (r *groupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state groupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Every managed field is sent, so the result is the plan; If-Match with
	// the version the plan was made from refuses the update when the group
	// changed on the server since.
	updateCtx, diags := withSavedVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, err := r.client.UpdateGroup(updateCtx, state.ID.ValueString(), client.GroupUpdate{
		Name:         plan.Name.ValueStringPointer(),
		Organization: plan.Organization.ValueStringPointer(),
		Description:  plan.Description.ValueStringPointer(),
	})
	if err != nil {
		addUpdateError(&resp.Diagnostics, "Unable to update group",
			fmt.Sprintf("group %q (%s)", state.FullName.ValueString(), state.ID.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupModelFrom(g))...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, g.Version)...)
}

func (r *groupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state groupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteGroup(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to delete group",
			fmt.Sprintf("Could not delete group %s (%s): %s", state.ID.ValueString(), state.FullName.ValueString(), err))
	}
}

// ImportState accepts the group's id, or its full name `Organization:Name`
// (or `Name`), which is looked up once here.
func (r *groupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	g, err := findGroup(ctx, r.client, req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to import group",
			fmt.Sprintf("Could not find a group with id or full name %q (expected a UUID, `Organization:Name` or `Name`): %s", req.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupModelFrom(g))...)
}

// findGroup resolves an id or a full name. A UUID-shaped string that is no
// group's id is still tried as a name, since a name may look like a UUID.
func findGroup(ctx context.Context, c *client.Client, idOrName string) (*client.Group, error) {
	if uuidPattern.MatchString(idOrName) {
		g, err := c.GetGroup(ctx, normalizeID(idOrName))
		if err == nil || !errors.Is(err, client.ErrNotFound) {
			return g, err
		}
	}
	return groupByFullName(ctx, c, idOrName)
}

// groupByFullName finds the one group with this full name (case-insensitive).
func groupByFullName(ctx context.Context, c *client.Client, fullName string) (*client.Group, error) {
	groups, err := c.ListGroups(ctx, client.GroupFilter{FullName: fullName})
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("%w: no group is named %q", client.ErrNotFound, fullName)
	}
	return &groups[0], nil
}
