package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// A group whose members an identity_group_members resource manages is marked
// on the server (members_exclusive), and the server refuses per-user changes
// to it. identity_group_membership reports that refusal at plan time when the
// group is already known, and explains the server's 409 at apply otherwise.

var _ resource.ResourceWithModifyPlan = (*groupMembershipResource)(nil)

// summaryMembersExclusive is the summary of both the plan-time and the
// apply-time refusal.
const summaryMembersExclusive = "Group members are managed as a whole set"

// membersExclusiveAdvice says what to do about a membership planned in a
// marked group.
const membersExclusiveAdvice = "An identity_group_members resource manages this group's whole member set, so " +
	"identity_group_membership cannot add to it: each would undo the other on every apply. Add the user to " +
	"that resource's user_ids instead, or stop managing the group as a set (destroy that resource, or set its " +
	"exclusive = false) and apply that first: the mark is cleared only once that apply is done."

// ModifyPlan refuses a new membership in a group already marked as having its
// members managed as a whole set. It reads the group only for a membership
// about to be created (or replaced) whose group id is known. For a group
// created in the same apply, Terraform plans the membership again during the
// apply once the id is known, so the refusal comes then; an add that reaches
// the server anyway (the set written in between) is refused with a 409.
func (r *groupMembershipResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var plan groupMembershipResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.GroupID.IsUnknown() || plan.GroupID.IsNull() {
		return
	}
	if !req.State.Raw.IsNull() {
		var state groupMembershipResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() || (state.GroupID.Equal(plan.GroupID) && state.UserID.Equal(plan.UserID)) {
			return // not an addition
		}
	}
	groupID := plan.GroupID.ValueString()
	g, err := r.client.GetGroup(ctx, groupID)
	if err != nil {
		// A missing or unreadable group fails the add at apply, with the
		// server's own words; the plan goes on without this check.
		tflog.Debug(ctx, "cannot check the group's members_exclusive mark at plan time", map[string]any{"group_id": groupID, "error": err.Error()})
		return
	}
	if g.MembersExclusive {
		user := "the user"
		if !plan.UserID.IsUnknown() {
			user = "user " + plan.UserID.ValueString()
		}
		resp.Diagnostics.AddAttributeError(path.Root("group_id"), summaryMembersExclusive,
			fmt.Sprintf("Cannot add %s to group %s (%s): the group has its members managed as a whole set "+
				"(members_exclusive).\n\n%s", user, g.FullName, g.ID, membersExclusiveAdvice))
	}
}

// addMembershipCreateError reports a refused add, with the advice when the
// server refused it because the group's members are managed as a set.
func addMembershipCreateError(diags *diag.Diagnostics, err error, groupID, userID string) {
	detail := fmt.Sprintf("Could not add user %s to group %s: %s", userID, groupID, err)
	if errors.Is(err, client.ErrMembersExclusive) {
		diags.AddError(summaryMembersExclusive, detail+"\n\n"+membersExclusiveAdvice)
		return
	}
	diags.AddError("Unable to create group membership", detail)
}
