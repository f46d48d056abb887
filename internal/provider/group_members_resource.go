package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                = (*groupMembersResource)(nil)
	_ resource.ResourceWithConfigure   = (*groupMembersResource)(nil)
	_ resource.ResourceWithImportState = (*groupMembersResource)(nil)
)

// NewGroupMembersResource returns the identity_group_members resource.
func NewGroupMembersResource() resource.Resource {
	return &groupMembersResource{}
}

type groupMembersResource struct {
	client *client.Client
}

type groupMembersResourceModel struct {
	ID      types.String `tfsdk:"id"`
	GroupID idValue      `tfsdk:"group_id"`
	UserIDs idSetValue   `tfsdk:"user_ids"`
}

func (r *groupMembersResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_members"
}

func (r *groupMembersResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The whole member set of one group. Authoritative: members added any other way are shown " +
			"as drift on plan and removed on apply. The set is written in one request and read in one request, so " +
			"groups with thousands of members plan and apply quickly. Destroying the resource empties the group " +
			"(the group itself stays). To add single users without owning the whole set, use " +
			"`identity_group_membership` instead.\n\n" + membershipConflictNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The group's id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The group's id (a UUID). Changing it replaces the resource: the old group is emptied, the new one filled.",
				Required:            true,
				CustomType:          idType{},
				Validators:          []validator.String{idValidator()},
				PlanModifiers:       []planmodifier.String{requiresReplaceUnlessCase()},
			},
			"user_ids": schema.SetAttribute{
				MarkdownDescription: "The ids (UUIDs) of every user who is to be a member; an empty set empties the group.",
				ElementType:         types.StringType,
				CustomType:          newIDSetType(),
				Required:            true,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(idValidator())},
			},
		},
	}
}

func (r *groupMembersResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *groupMembersResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.set(ctx, req.Plan, &resp.State, &resp.Diagnostics, "create")
}

func (r *groupMembersResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state groupMembersResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ids, err := r.client.GetMemberIDs(ctx, state.GroupID.normalized())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read group members",
			fmt.Sprintf("Could not read the members of group %s: %s", state.GroupID.normalized(), err))
		return
	}
	resp.Diagnostics.Append(r.setState(ctx, &resp.State, state.GroupID.normalized(), ids)...)
}

func (r *groupMembersResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.set(ctx, req.Plan, &resp.State, &resp.Diagnostics, "update")
}

func (r *groupMembersResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state groupMembersResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, err := r.client.SetMembers(ctx, state.GroupID.normalized(), []string{})
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to delete group members",
			fmt.Sprintf("Could not empty group %s: %s", state.GroupID.normalized(), err))
	}
}

// ImportState takes the group's id or full name (`Organization:Name` or
// `Name`); Read then fills in its members.
func (r *groupMembersResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider must be configured before group members can be imported.")
		return
	}
	g, err := findGroup(ctx, r.client, req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to import group members",
			fmt.Sprintf("Could not find a group with id or full name %q (expected a UUID, `Organization:Name` or `Name`): %s", req.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), g.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), g.ID)...)
}

// set replaces the whole member set with the plan's in one request. The
// server accepts the set as given or refuses it whole, so the plan's set is
// what is stored.
func (r *groupMembersResource) set(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics, verb string) {
	var plan groupMembersResourceModel
	diags.Append(planned.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	var want []string
	diags.Append(plan.UserIDs.ElementsAs(ctx, &want, false)...)
	if diags.HasError() {
		return
	}
	for i := range want {
		want[i] = normalizeID(want[i])
	}
	if _, err := r.client.SetMembers(ctx, plan.GroupID.normalized(), want); err != nil {
		diags.AddError("Unable to "+verb+" group members",
			fmt.Sprintf("Could not set the %d members of group %s: %s", len(want), plan.GroupID.normalized(), err))
		return
	}
	plan.ID = types.StringValue(plan.GroupID.normalized())
	diags.Append(state.Set(ctx, plan)...)
}

func (r *groupMembersResource) setState(ctx context.Context, state *tfsdk.State, groupID string, ids []string) diag.Diagnostics {
	// Built element by element: SetValueFrom validates the set by comparing
	// every pair of elements, which takes seconds at ten thousand ids, and
	// the server's list is already free of duplicates.
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	set, diags := types.SetValue(types.StringType, elems)
	if diags.HasError() {
		return diags
	}
	diags.Append(state.Set(ctx, groupMembersResourceModel{
		ID:      types.StringValue(groupID),
		GroupID: idValueOf(groupID),
		UserIDs: idSetValue{SetValue: set},
	})...)
	return diags
}
