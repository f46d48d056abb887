package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ resource.Resource                = (*userResource)(nil)
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
)

// NewUserResource returns the identity_user resource.
func NewUserResource() resource.Resource {
	return &userResource{}
}

type userResource struct {
	client *client.Client
}

// userResourceModel is a user (userModel) and the ways to set its password.
type userResourceModel struct {
	userModel
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
	Password          types.String `tfsdk:"password"`
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a user of the identity server.\n\n" +
			"Set the password with the write-only `password_wo` (Terraform 1.11 or later; never stored in plan or state) " +
			"and bump `password_wo_version` to set it again, or with `password` on older Terraform (stored in state, marked sensitive). " +
			"Without either, the user has no password and cannot log in. Passwords are never read back from the server, " +
			"so a password changed outside Terraform is not detected.",
		Attributes: withComputed(map[string]schema.Attribute{
			"username": schema.StringAttribute{
				MarkdownDescription: "Login name; " + usernameRule + ". Changing it replaces the user, unless only its case changes: " +
					"usernames are case-insensitive and the server keeps the case the user was created with, so a case-only change " +
					"is an in-place update that records the new spelling in state without touching the server, and a user whose " +
					"username differs from this one only in case is not drift.",
				Required:      true,
				Validators:    []validator.String{usernameValidator()},
				PlanModifiers: []planmodifier.String{requiresReplaceUnlessCase()},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Email address; " + emailRule + ". Compared case-insensitively: when the server's email differs " +
					"from this one only in case (changed through the API, say), no change is planned. Changing only the case here " +
					"is an in-place update that stores the new spelling on the server.",
				Required:   true,
				Validators: []validator.String{emailValidator()},
			},
			"first_name": schema.StringAttribute{
				MarkdownDescription: "Given name; " + textRule(catalog.NameMaxLength, false) + ". Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{textValidator(catalog.NameMaxLength, false)},
			},
			"last_name": schema.StringAttribute{
				MarkdownDescription: "Family name; " + textRule(catalog.NameMaxLength, false) + ". Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{textValidator(catalog.NameMaxLength, false)},
			},
			"organization": schema.StringAttribute{
				MarkdownDescription: "Organization the user belongs to; " + textRule(catalog.NameMaxLength, false) + ". Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{textValidator(catalog.NameMaxLength, false)},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "Name of the user's role, built in (" + builtinRoleList() + ") or custom; " + roleNameRule +
					". The caller may only assign roles whose level is at least its own. Defaults to `" + catalog.DefaultRole + "`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(catalog.DefaultRole),
				Validators: []validator.String{roleNameValidator()},
			},
			"disabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the user is disabled: a disabled user cannot log in and its sessions stop working. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"attributes": schema.MapAttribute{
				MarkdownDescription: "Free-form string attributes; " + attrKeyRule + ". The whole map is managed: keys not listed here are removed. Defaults to `{}`.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
				Validators:          []validator.Map{attributesValidator{}},
			},
			"password_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only password, " + passwordRule + "; never stored in the plan or state. " +
					"It is set when the user is created and again whenever `password_wo_version` changes. Requires Terraform 1.11 or later. Conflicts with `password`.",
				Optional:   true,
				WriteOnly:  true,
				Sensitive:  true,
				Validators: []validator.String{passwordValidator(), stringvalidator.ConflictsWith(path.MatchRoot("password"))},
			},
			"password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; changing it sets the password again from `password_wo`. Requires `password_wo`. " +
					"An imported user has no version yet, so the first apply after an import sets the password from `password_wo`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("password_wo"))},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password, " + passwordRule + ", for Terraform older than 1.11. Stored in state (marked sensitive); prefer `password_wo`. " +
					"Changing it sets the password again; removing it leaves the current password in place. Conflicts with `password_wo`.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{passwordValidator(), stringvalidator.ConflictsWith(path.MatchRoot("password_wo"))},
			},
		}, userAttributes),
	}
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Write-only values exist only in the configuration, never in the plan.
	var passwordWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &passwordWO)...)
	attrs, diags := stringMap(ctx, plan.Attributes)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	password := plan.Password.ValueString()
	if !passwordWO.IsNull() {
		password = passwordWO.ValueString()
	}
	user, err := r.client.CreateUser(ctx, client.UserCreate{
		Username:     plan.Username.ValueString(),
		Email:        plan.Email.ValueString(),
		FirstName:    plan.FirstName.ValueString(),
		LastName:     plan.LastName.ValueString(),
		Organization: plan.Organization.ValueString(),
		Role:         plan.Role.ValueString(),
		Disabled:     plan.Disabled.ValueBool(),
		Attributes:   attrs,
		Password:     password,
	})
	if err != nil {
		username, email := plan.Username.ValueString(), plan.Email.ValueString()
		detail := fmt.Sprintf("Creating user %q: %s", username, err)
		importID := ""
		if errors.Is(err, client.ErrConflict) {
			// Only a user with this username is this resource's object;
			// one that merely holds the email is someone else.
			if u, lookupErr := r.client.GetUserByUsername(ctx, username); lookupErr == nil {
				importID = u.Username
			} else if u, lookupErr := r.client.GetUserByEmail(ctx, email); lookupErr == nil {
				detail += fmt.Sprintf("\n\nThe email %q already belongs to another user, %q (id %s); emails are unique "+
					"case-insensitively. Choose another email for %q, or change the email of %q first.",
					email, u.Username, u.ID, username, u.Username)
			}
		}
		addCreateError(&resp.Diagnostics, err, createFailure{
			summary: "Unable to create user", detail: detail,
			typeName: "identity_user", what: fmt.Sprintf("user %q", username), importID: importID,
		})
		return
	}
	state, diags := userResourceModelFrom(ctx, user, plan)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, user.Version)...)
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	user, err := r.client.GetUser(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read user", fmt.Sprintf("Reading user %q (%s): %s", state.Username.ValueString(), state.ID.ValueString(), err))
		return
	}
	newState, diags := userResourceModelFrom(ctx, user, state)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, newState)...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, user.Version)...)
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	var passwordWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &passwordWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, username := state.ID.ValueString(), plan.Username.ValueString()

	// Every managed field is sent, so the result is the plan; If-Match with
	// the version the plan was made from refuses the update when the user
	// changed on the server since.
	attrs, diags := stringMap(ctx, plan.Attributes)
	resp.Diagnostics.Append(diags...)
	updateCtx, diags := withSavedVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	attrs = nonNilMap(attrs) // an empty map clears the attributes; nil would leave them
	user, err := r.client.UpdateUser(updateCtx, id, client.UserUpdate{
		Email:        plan.Email.ValueStringPointer(),
		FirstName:    plan.FirstName.ValueStringPointer(),
		LastName:     plan.LastName.ValueStringPointer(),
		Organization: plan.Organization.ValueStringPointer(),
		Role:         plan.Role.ValueStringPointer(),
		Disabled:     plan.Disabled.ValueBoolPointer(),
		Attributes:   &attrs,
	})
	if err != nil {
		addUpdateError(&resp.Diagnostics, "Unable to update user", fmt.Sprintf("user %q", username), err)
		return
	}

	newPassword := ""
	switch {
	case !passwordWO.IsNull() && !plan.PasswordWOVersion.Equal(state.PasswordWOVersion):
		newPassword = passwordWO.ValueString()
	case !plan.Password.IsNull() && !plan.Password.Equal(state.Password):
		newPassword = plan.Password.ValueString()
	}
	if newPassword != "" {
		if err := r.client.SetUserPassword(ctx, id, newPassword, ""); err != nil {
			resp.Diagnostics.AddError("Unable to set user password", fmt.Sprintf("Setting the password of user %q: %s", username, err))
			return
		}
		// Read back so updated_at and the version reflect the new password.
		user, err = r.client.GetUser(ctx, id)
		if err != nil {
			resp.Diagnostics.AddError("Unable to read user", fmt.Sprintf("Reading user %q after updating it: %s", username, err))
			return
		}
	}
	newState, diags := userResourceModelFrom(ctx, user, plan)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, newState)...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, user.Version)...)
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteUser(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to delete user", fmt.Sprintf("Deleting user %q: %s", state.Username.ValueString(), err))
	}
}

// ImportState imports a user by id or by username (case-insensitive).
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider must be configured before a user can be imported.")
		return
	}
	user, err := findUser(ctx, r.client, req.ID)
	var invalid *invalidKeyError
	switch {
	case errors.As(err, &invalid):
		resp.Diagnostics.AddError(summaryInvalidImportID, "Import a user by id (a UUID) or by username; "+invalid.Error()+".")
		return
	case errors.Is(err, client.ErrNotFound):
		resp.Diagnostics.AddError("User not found", fmt.Sprintf("No user with id or username %q exists on the identity server.", req.ID))
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to import user", fmt.Sprintf("Looking up user %q: %s", req.ID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), user.ID)...)
}

// invalidKeyError is a lookup key that is neither an id nor a natural key.
type invalidKeyError struct{ msg string }

func (e *invalidKeyError) Error() string { return e.msg }

// findUser resolves a user's id or username (case-insensitive); an
// *invalidKeyError when key is neither, an error matching client.ErrNotFound
// when no user has it.
func findUser(ctx context.Context, c *client.Client, key string) (*client.User, error) {
	if uuidPattern.MatchString(key) {
		user, err := c.GetUser(ctx, normalizeID(key))
		if err == nil || !errors.Is(err, client.ErrNotFound) {
			return user, err
		}
	}
	if msg := catalog.ValidateUsername(key); msg != "" {
		return nil, &invalidKeyError{fmt.Sprintf("%q is neither: a username %s", key, msg)}
	}
	return c.GetUserByUsername(ctx, key)
}
