package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// A user's fields, written once for identity_user (resource and data source)
// and each element of identity_users. A new field the server reports needs
// an entry in userAttributes, a field in userModel and a line in
// userModelFrom; a field Terraform sets is also an argument of the resource.

// userAttributes describes what the server reports about a user. The
// resource shows those it does not take as arguments as computed attributes;
// the data sources show them all.
var userAttributes = map[string]readOnlyAttribute{
	"id":           {typ: types.StringType, description: "The user's id, a UUID assigned by the server.", stable: true},
	"username":     {typ: types.StringType, description: "Login name."},
	"email":        {typ: types.StringType, description: "Email address."},
	"first_name":   {typ: types.StringType, description: "Given name; `\"\"` when unset."},
	"last_name":    {typ: types.StringType, description: "Family name; `\"\"` when unset."},
	"organization": {typ: types.StringType, description: "Organization; `\"\"` when unset."},
	"role":         {typ: types.StringType, description: "Name of the user's role."},
	"disabled":     {typ: types.BoolType, description: "Whether the user is disabled."},
	"attributes":   {typ: stringMapType, description: "The user's string attributes; `{}` when none."},
	"created_at":   {typ: types.StringType, description: "When the user was created (RFC 3339).", stable: true},
	"updated_at":   {typ: types.StringType, description: "When the user was last changed (RFC 3339)."},
	"last_login_at": {typ: types.StringType, description: "When the user last signed in (RFC 3339); null when never. " +
		"Set by the server on each successful login; signing in does not change `updated_at`."},
}

// userDataAttributes are what the data sources show of a user:
// userAttributes and its groups, which the resource does not show (the
// membership resources manage them, and a user's state should not change
// when a group does).
var userDataAttributes = func() map[string]readOnlyAttribute {
	out := maps.Clone(userAttributes)
	out["group_ids"] = readOnlyAttribute{typ: stringSetType,
		description: "The ids of the groups the user is a member of (directly; groups do not nest); empty when none."}
	return out
}()

// userModel holds userAttributes; the resource's model adds the passwords,
// the data sources' (userDataModel) the group ids.
type userModel struct {
	ID           types.String `tfsdk:"id"`
	Username     types.String `tfsdk:"username"`
	Email        types.String `tfsdk:"email"`
	FirstName    types.String `tfsdk:"first_name"`
	LastName     types.String `tfsdk:"last_name"`
	Organization types.String `tfsdk:"organization"`
	Role         types.String `tfsdk:"role"`
	Disabled     types.Bool   `tfsdk:"disabled"`
	Attributes   types.Map    `tfsdk:"attributes"`
	CreatedAt    types.String `tfsdk:"created_at"`
	UpdatedAt    types.String `tfsdk:"updated_at"`
	LastLoginAt  types.String `tfsdk:"last_login_at"`
}

// userModelFrom maps a user as the server reports it.
func userModelFrom(ctx context.Context, u *client.User) (userModel, diag.Diagnostics) {
	attrs, diags := types.MapValueFrom(ctx, types.StringType, nonNilMap(u.Attributes))
	return userModel{
		ID:           types.StringValue(u.ID),
		Username:     types.StringValue(u.Username),
		Email:        types.StringValue(u.Email),
		FirstName:    types.StringValue(u.FirstName),
		LastName:     types.StringValue(u.LastName),
		Organization: types.StringValue(u.Organization),
		Role:         types.StringValue(u.Role),
		Disabled:     types.BoolValue(u.Disabled),
		Attributes:   attrs,
		CreatedAt:    timeString(u.CreatedAt),
		UpdatedAt:    timeString(u.UpdatedAt),
		LastLoginAt:  optionalTime(u.LastLoginAt),
	}, diags
}

// userDataModel holds userDataAttributes.
type userDataModel struct {
	userModel
	GroupIDs types.Set `tfsdk:"group_ids"`
}

// userDataModelFrom maps a user the server reported with its group ids
// (client.User.GroupIDs).
func userDataModelFrom(ctx context.Context, u *client.User) (userDataModel, diag.Diagnostics) {
	m, diags := userModelFrom(ctx, u)
	ids := u.GroupIDs
	if ids == nil {
		ids = []string{}
	}
	groups, d := types.SetValueFrom(ctx, types.StringType, ids)
	diags.Append(d...)
	return userDataModel{userModel: m, GroupIDs: groups}, diags
}

// userResourceModelFrom maps a user to the resource's state. prior supplies
// what the server never returns (passwords) and the username and email as
// written in the configuration when the server's differ only in case, so
// case alone never shows as drift.
func userResourceModelFrom(ctx context.Context, u *client.User, prior userResourceModel) (userResourceModel, diag.Diagnostics) {
	m, diags := userModelFrom(ctx, u)
	m.Username = keepSpelling(prior.Username, u.Username)
	m.Email = keepSpelling(prior.Email, u.Email)
	return userResourceModel{
		userModel:         m,
		PasswordWO:        types.StringNull(),
		PasswordWOVersion: prior.PasswordWOVersion,
		Password:          prior.Password,
	}, diags
}
