package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// addCreateError reports a failed create. When the server refused it because
// the object already exists (a 409), the detail says which object it is and
// how to adopt it: an interrupted apply can leave an object created on the
// server but never recorded in state, and creating it again can only fail.
func addCreateError(diags *diag.Diagnostics, summary, detail string, err error, typeName, what, importID string) {
	if !errors.Is(err, client.ErrConflict) || importID == "" {
		diags.AddError(summary, detail)
		return
	}
	diags.AddError(summary, fmt.Sprintf("%s\n\n"+
		"The %s already exists on the server but is not in this Terraform state; for example, an earlier apply "+
		"created it and was interrupted before recording it. Adopt it instead of creating it, replacing <name> "+
		"(and [<index>], for count or for_each) with this resource's address:\n\n"+
		"  terraform import '%s.<name>' '%s'\n\n"+
		"or add an import block:\n\n"+
		"  import {\n    to = %s.<name>\n    id = %q\n  }",
		detail, what, typeName, importID, typeName, importID))
}

// conflictingUsername finds the username of the user that holds username or
// email (either clashes), for the import advice; "" when it cannot tell.
func (r *userResource) conflictingUsername(ctx context.Context, username, email string) string {
	if u, err := r.client.GetUserByUsername(ctx, username); err == nil {
		return u.Username
	}
	if u, err := r.client.GetUserByEmail(ctx, email); err == nil {
		return u.Username
	}
	return ""
}

// existingGrantID finds the id of the permission identical to plan, for the import advice.
func (r *permissionResource) existingGrantID(ctx context.Context, plan permissionResourceModel) string {
	ps, err := r.client.ListPermissions(ctx, client.PermissionFilter{
		Operation: plan.Operation.ValueString(), Scope: plan.Scope.ValueString(),
		UserID: plan.UserID.ValueString(), GroupID: plan.GroupID.ValueString(), Role: plan.Role.ValueString(),
	})
	if err != nil || len(ps) != 1 {
		return ""
	}
	return ps[0].ID
}
