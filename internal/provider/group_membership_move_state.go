package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// `moved` blocks between the two membership styles: one
// identity_group_membership becomes an identity_group_members whose set holds
// that one user, and an identity_group_members whose set holds exactly one
// user becomes an identity_group_membership. Both describe the same members,
// so the move changes no member: a membership moved to a set plans an in-place
// update of exclusive alone (the set marks its group, a membership never
// does), and a set moves to a membership only once its mark is cleared, after
// which the move plans no change.

var (
	_ resource.ResourceWithMoveState = (*groupMembersResource)(nil)
	_ resource.ResourceWithMoveState = (*groupMembershipResource)(nil)
)

// movedFromThisProvider reports whether a moved resource's source is a
// resource of type typeName of this provider (whatever its registry namespace).
func movedFromThisProvider(req resource.MoveStateRequest, typeName string) bool {
	return req.SourceTypeName == typeName && strings.HasSuffix(req.SourceProviderAddress, "/identity")
}

func (r *groupMembersResource) MoveState(ctx context.Context) []resource.StateMover {
	var source resource.SchemaResponse
	(&groupMembershipResource{}).Schema(ctx, resource.SchemaRequest{}, &source)
	return []resource.StateMover{{
		SourceSchema: &source.Schema,
		StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
			if !movedFromThisProvider(req, "identity_group_membership") || req.SourceState == nil {
				return
			}
			var from groupMembershipResourceModel
			resp.Diagnostics.Append(req.SourceState.Get(ctx, &from)...)
			if resp.Diagnostics.HasError() {
				return
			}
			set, diags := types.SetValue(types.StringType, []attr.Value{from.UserID.StringValue})
			resp.Diagnostics.Append(diags...)
			if resp.Diagnostics.HasError() {
				return
			}
			// A per-user membership never marks its group; the plan that
			// follows the move sets the mark (exclusive) and changes no member.
			resp.Diagnostics.Append(resp.TargetState.Set(ctx, groupMembersResourceModel{
				ID:        from.GroupID.StringValue,
				GroupID:   from.GroupID,
				UserIDs:   idSetValue{SetValue: set},
				Exclusive: types.BoolValue(false),
			})...)
		},
	}}
}

func (r *groupMembershipResource) MoveState(ctx context.Context) []resource.StateMover {
	var source resource.SchemaResponse
	(&groupMembersResource{}).Schema(ctx, resource.SchemaRequest{}, &source)
	return []resource.StateMover{{
		SourceSchema: &source.Schema,
		StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
			if !movedFromThisProvider(req, "identity_group_members") || req.SourceState == nil {
				return
			}
			var from groupMembersResourceModel
			resp.Diagnostics.Append(req.SourceState.Get(ctx, &from)...)
			if resp.Diagnostics.HasError() {
				return
			}
			users := from.UserIDs.Elements()
			if len(users) != 1 {
				resp.Diagnostics.AddError("Unable to move group members",
					fmt.Sprintf("identity_group_members for group %s holds %d members; only a set of exactly one user "+
						"moves to identity_group_membership. Write one identity_group_membership per user and import "+
						"each (group_id/user_id) instead, once exclusive = false is applied here, so that the group "+
						"accepts per-user changes.", from.GroupID.ValueString(), len(users)))
				return
			}
			// A membership cannot clear the mark, and the server refuses
			// per-user changes while it is set: destroying the membership
			// later would fail. Clearing it first is one apply.
			if from.Exclusive.ValueBool() {
				resp.Diagnostics.AddError("Unable to move group members",
					fmt.Sprintf("identity_group_members for group %s has marked the group as having its members managed "+
						"as a whole set (exclusive = true), and identity_group_membership cannot clear that mark. Apply "+
						"exclusive = false on the identity_group_members resource first, then move it.", from.GroupID.ValueString()))
				return
			}
			user, ok := users[0].(types.String)
			if !ok || user.IsNull() || user.IsUnknown() {
				resp.Diagnostics.AddError("Unable to move group members",
					fmt.Sprintf("identity_group_members for group %s holds a member id that is not a known string.", from.GroupID.ValueString()))
				return
			}
			resp.Diagnostics.Append(resp.TargetState.Set(ctx, groupMembershipResourceModelFrom(from.GroupID.ValueString(), user.ValueString()))...)
		},
	}}
}
