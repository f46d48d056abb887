package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                = (*groupMembershipResource)(nil)
	_ resource.ResourceWithConfigure   = (*groupMembershipResource)(nil)
	_ resource.ResourceWithImportState = (*groupMembershipResource)(nil)
)

// membershipConflictNote is stated in both membership resources' documentation.
const membershipConflictNote = "~> **One style per group.** `identity_group_members` owns the whole member set: it " +
	"removes every membership it does not list, including those an `identity_group_membership` adds, which would " +
	"add them back on the next apply, for ever. So `identity_group_members` marks its group on the server as having " +
	"its members managed as a whole set (`members_exclusive`), and the server refuses per-user additions and " +
	"removals to a marked group (so an `identity_group_membership` already in a group that becomes marked cannot be " +
	"destroyed until the mark is cleared). A new `identity_group_membership` in such a group fails at plan time when the group " +
	"already exists, and otherwise (a group created in the same apply) at apply, with the server's conflict. " +
	"Add the user to the set's `user_ids` instead. Destroying the `identity_group_members` resource, or setting its " +
	"`exclusive = false`, clears the mark."

// NewGroupMembershipResource returns the identity_group_membership resource.
func NewGroupMembershipResource() resource.Resource {
	return &groupMembershipResource{}
}

type groupMembershipResource struct {
	client *client.Client
}

type groupMembershipResourceModel struct {
	ID      types.String `tfsdk:"id"`
	GroupID idValue      `tfsdk:"group_id"`
	UserID  idValue      `tfsdk:"user_id"`
}

func (r *groupMembershipResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_membership"
}

func (r *groupMembershipResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{requiresReplaceUnlessCase()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Makes one user a member of one group. Non-authoritative: other members of the group, " +
			"added by other resources or by hand, are left alone. To manage a group's whole member set, use " +
			"`identity_group_members` instead.\n\n" + membershipConflictNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`group_id/user_id`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The group's id. Changing it replaces the membership.",
				Required:            true,
				CustomType:          idType{},
				Validators:          []validator.String{idValidator()},
				PlanModifiers:       replace,
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The user's id. Changing it replaces the membership.",
				Required:            true,
				CustomType:          idType{},
				Validators:          []validator.String{idValidator()},
				PlanModifiers:       replace,
			},
		},
	}
}

func (r *groupMembershipResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *groupMembershipResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan groupMembershipResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := r.client.AddMember(ctx, plan.GroupID.normalized(), plan.UserID.normalized())
	if err != nil {
		addMembershipCreateError(&resp.Diagnostics, err, plan.GroupID.ValueString(), plan.UserID.ValueString())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupMembershipResourceModelFrom(m.GroupID, m.UserID))...)
}

func (r *groupMembershipResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state groupMembershipResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := r.client.GetMembership(ctx, state.GroupID.normalized(), state.UserID.normalized())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read group membership",
			fmt.Sprintf("Could not read the membership of user %s in group %s: %s", state.UserID.ValueString(), state.GroupID.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupMembershipResourceModelFrom(m.GroupID, m.UserID))...)
}

// Update only records a new spelling of an id: any other change replaces
// the membership.
func (r *groupMembershipResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan groupMembershipResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *groupMembershipResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state groupMembershipResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.RemoveMember(ctx, state.GroupID.normalized(), state.UserID.normalized())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to delete group membership",
			fmt.Sprintf("Could not remove user %s from group %s: %s", state.UserID.ValueString(), state.GroupID.ValueString(), err))
	}
}

// ImportState accepts `group/user`, where the group is its id or full name
// (`Organization:Name` or `Name`) and the user its id or username; the
// membership must exist.
func (r *groupMembershipResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	// Usernames never hold a slash, so the last one separates the user.
	i := strings.LastIndex(req.ID, "/")
	if i <= 0 || i == len(req.ID)-1 {
		resp.Diagnostics.AddError(summaryInvalidImportID, fmt.Sprintf("Expected an import id of the form group/user, "+
			"such as group_id/user_id or Organization:Name/username, got %q.", req.ID))
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider must be configured before a membership can be imported.")
		return
	}
	groupKey, userKey := req.ID[:i], req.ID[i+1:]
	g, err := findGroup(ctx, r.client, groupKey)
	if err != nil {
		resp.Diagnostics.AddError("Unable to import group membership",
			fmt.Sprintf("Could not find a group with id or full name %q: %s", groupKey, err))
		return
	}
	u, err := findUser(ctx, r.client, userKey)
	if err != nil {
		resp.Diagnostics.AddError("Unable to import group membership",
			fmt.Sprintf("Could not find a user with id or username %q: %s", userKey, err))
		return
	}
	if _, err := r.client.GetMembership(ctx, g.ID, u.ID); err != nil {
		detail := fmt.Sprintf("Could not read the membership of user %q in group %q: %s", u.Username, g.FullName, err)
		if errors.Is(err, client.ErrNotFound) {
			detail = fmt.Sprintf("User %q (%s) is not a member of group %q (%s); there is no membership to import.", u.Username, u.ID, g.FullName, g.ID)
		}
		resp.Diagnostics.AddError("Unable to import group membership", detail)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupMembershipResourceModelFrom(g.ID, u.ID))...)
}

// groupMembershipResourceModelFrom is the membership of a user in a group; its id is `group_id/user_id`.
func groupMembershipResourceModelFrom(groupID, userID string) groupMembershipResourceModel {
	return groupMembershipResourceModel{
		ID:      types.StringValue(groupID + "/" + userID),
		GroupID: idValueOf(groupID),
		UserID:  idValueOf(userID),
	}
}
