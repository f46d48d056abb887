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
// user becomes an identity_group_membership. Both describe the same server
// state, so the move plans no change when the group has just that member.

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
			resp.Diagnostics.Append(resp.TargetState.Set(ctx, groupMembersResourceModel{
				ID:      from.GroupID.StringValue,
				GroupID: from.GroupID,
				UserIDs: idSetValue{SetValue: set},
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
						"each (group_id/user_id) instead.", from.GroupID.ValueString(), len(users)))
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
