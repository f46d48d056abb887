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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
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
	ID        types.String `tfsdk:"id"`
	GroupID   idValue      `tfsdk:"group_id"`
	UserIDs   idSetValue   `tfsdk:"user_ids"`
	Exclusive types.Bool   `tfsdk:"exclusive"`
}

func (r *groupMembersResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_members"
}

func (r *groupMembersResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The whole member set of one group. Authoritative: members added any other way are shown " +
			"as drift on plan and removed on apply. The set is written in one request and read in one request, so " +
			"groups with thousands of members plan and apply quickly. Destroying the resource empties the group " +
			"(the group itself stays) and clears its `members_exclusive` mark (see `exclusive`). To add single users " +
			"without owning the whole set, use " +
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
			"exclusive": schema.BoolAttribute{
				MarkdownDescription: "Whether the group is marked on the server as having its members managed as a whole " +
					"set (the group's `members_exclusive`), so that the server refuses per-user additions and removals, " +
					"such as those of an `identity_group_membership`, with a conflict. Defaults to `true`: create and update " +
					"set the mark with the member set, and destroy clears it. A mark cleared outside Terraform, a group " +
					"imported or moved here from `identity_group_membership`, and state written before this attribute " +
					"existed all show as an in-place update of this attribute alone, which sets the mark again without " +
					"changing a member. Set `false` to leave the group unmarked (then the two styles fight again, see the " +
					"note above); that is also the step before moving this resource to `identity_group_membership`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
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
	set, err := r.client.GetMemberSet(ctx, state.GroupID.normalized())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read group members",
			fmt.Sprintf("Could not read the members of group %s: %s", state.GroupID.normalized(), err))
		return
	}
	resp.Diagnostics.Append(r.setState(ctx, &resp.State, state.GroupID.normalized(), set)...)
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
	// One request empties the group and clears its mark, so per-user
	// memberships may be added afterwards.
	unmark := false
	_, err := r.client.PutMemberSet(ctx, state.GroupID.normalized(), []string{}, &unmark)
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to delete group members",
			fmt.Sprintf("Could not empty group %s and clear its members_exclusive mark: %s", state.GroupID.normalized(), err))
	}
}

// ImportState takes the group's id or full name (`Organization:Name` or
// `Name`); Read then fills in its members and its mark, so an unmarked group
// plans an update that marks it.
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

// set replaces the whole member set with the plan's, and sets or clears the
// group's mark, in one request. The server accepts the set as given or
// refuses it whole, so the plan's set is what is stored.
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
	exclusive := plan.Exclusive.ValueBool()
	if _, err := r.client.PutMemberSet(ctx, plan.GroupID.normalized(), want, &exclusive); err != nil {
		diags.AddError("Unable to "+verb+" group members",
			fmt.Sprintf("Could not set the %d members of group %s: %s", len(want), plan.GroupID.normalized(), err))
		return
	}
	plan.ID = types.StringValue(plan.GroupID.normalized())
	diags.Append(state.Set(ctx, plan)...)
}

func (r *groupMembersResource) setState(ctx context.Context, state *tfsdk.State, groupID string, set *client.MemberSet) diag.Diagnostics {
	ids := set.UserIDs
	// Built element by element: SetValueFrom validates the set by comparing
	// every pair of elements, which takes seconds at ten thousand ids, and
	// the server's list is already free of duplicates.
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	users, diags := types.SetValue(types.StringType, elems)
	if diags.HasError() {
		return diags
	}
	diags.Append(state.Set(ctx, groupMembersResourceModel{
		ID:        types.StringValue(groupID),
		GroupID:   idValueOf(groupID),
		UserIDs:   idSetValue{SetValue: users},
		Exclusive: types.BoolValue(set.Exclusive),
	})...)
	return diags
}
