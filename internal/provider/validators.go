package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

// Every plan-time validator of the provider. Most are built on the catalog's
// rules, so the provider refuses exactly what the server would refuse, and
// the documentation quotes the same rule text (the *Rule values below).

var (
	_ validator.String           = catalogStringValidator{}
	_ validator.String           = durationValidator{}
	_ validator.Map              = attributesValidator{}
	_ resource.ConfigValidator   = grantValidator{}
	_ datasource.ConfigValidator = grantValidator{}
)

// catalogStringValidator checks a string with one of the catalog's Validate* functions.
type catalogStringValidator struct {
	summary     string
	description string
	check       func(string) string
}

func (v catalogStringValidator) Description(_ context.Context) string { return v.description }

func (v catalogStringValidator) MarkdownDescription(_ context.Context) string { return v.description }

func (v catalogStringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.check(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary,
			fmt.Sprintf("%s %s.", describeAttribute(req.Path, req.ConfigValue.ValueString()), msg))
	}
}

// describeAttribute names the attribute at p for a message. An element of a
// set or list is named by its value and its attribute, as in `"x" in
// user_ids`, rather than by Terraform's path syntax.
func describeAttribute(p path.Path, value string) string {
	steps := p.Steps()
	if len(steps) == 0 {
		return fmt.Sprintf("%q", value)
	}
	switch last := steps[len(steps)-1].(type) {
	case path.PathStepElementKeyValue, path.PathStepElementKeyInt:
		return fmt.Sprintf("%q in %s", value, p.ParentPath())
	case path.PathStepElementKeyString:
		return fmt.Sprintf("%s entry %q", p.ParentPath(), string(last))
	}
	return p.String()
}

// Rule texts, each quoted by the MarkdownDescriptions of the attributes its
// validator checks (as in "Login name; " + usernameRule), and built from the
// same constants and lists the validator checks against, so the
// documentation and the checks cannot disagree.
var (
	usernameRule     = fmt.Sprintf("1-64 characters of letters, digits, `.`, `_`, `@` or `-` (pattern `%s`); case-insensitively unique", catalog.UsernamePatternText)
	roleNameRule     = fmt.Sprintf("a lowercase letter followed by up to 62 lowercase letters, digits, `_` or `-` (pattern `%s`)", catalog.RoleNamePatternText)
	emailRule        = fmt.Sprintf("a plain address such as `user@example.com`, at most %d characters, with a dotted domain; case-insensitively unique", catalog.EmailMaxLength)
	passwordRule     = fmt.Sprintf("%d to %d characters", catalog.PasswordMinLength, catalog.PasswordMaxLength)
	levelRule        = fmt.Sprintf("between %d and %d; a lower level means more privilege", catalog.MinLevel, catalog.MaxLevel)
	attrKeyRule      = fmt.Sprintf("at most %d entries; keys match `%s`, values are at most %d characters without control characters", catalog.AttributeMaxCount, catalog.AttributeKeyPatternText, catalog.AttributeValueMax)
	groupNameRule    = fmt.Sprintf("text matching `%s` (no colon: it separates the organization from the name)", catalog.GroupNamePatternText)
	organizationRule = "empty, or " + groupNameRule
	scopeRule        = catalog.ScopeFormText
	operationRule    = "one of " + codeList(operationNames)
	timestampRule    = "an RFC 3339 timestamp such as `2030-01-01T00:00:00Z`"
	durationRule     = "a positive Go duration such as `30s` or `2m`"
	maxRetriesRule   = fmt.Sprintf("between 0 and %d", maxMaxRetries)
)

// operationNames are the operations the catalogue knows, in its order.
var operationNames = catalog.OperationNames()

// codeList renders values as Markdown code, separated by commas.
func codeList(values []string) string {
	return "`" + strings.Join(values, "`, `") + "`"
}

// builtinRoleList renders the built-in roles with their levels for descriptions.
func builtinRoleList() string {
	roles := make([]string, len(catalog.BuiltinRoles))
	for i, r := range catalog.BuiltinRoles {
		roles[i] = fmt.Sprintf("`%s` %d", r.Name, r.Level)
	}
	return strings.Join(roles, ", ")
}

// textRule describes the free-text rule enforced by textValidator.
func textRule(maxLen int, multiline bool) string {
	if multiline {
		return fmt.Sprintf("at most %d characters; no control characters other than newline and tab", maxLen)
	}
	return fmt.Sprintf("at most %d characters, without control characters", maxLen)
}

// usernameValidator checks the username pattern.
func usernameValidator() validator.String {
	return catalogStringValidator{summary: "Invalid username", description: "must be " + usernameRule, check: catalog.ValidateUsername}
}

// roleNameValidator checks the role name pattern.
func roleNameValidator() validator.String {
	return catalogStringValidator{summary: "Invalid role name", description: "must be " + roleNameRule, check: catalog.ValidateRoleName}
}

// customRoleNameValidator checks the role name pattern and refuses the
// built-in roles, which exist on every server and cannot be managed.
func customRoleNameValidator() validator.String {
	return catalogStringValidator{
		summary:     "Invalid role name",
		description: "must be " + roleNameRule + ", and not a built-in role (" + builtinRoleNames() + ")",
		check: func(s string) string {
			if catalog.IsBuiltinRole(s) {
				return builtinRoleRefusal(s)
			}
			return catalog.ValidateRoleName(s)
		},
	}
}

// builtinRoleRefusal says why a built-in role cannot be an identity_role.
func builtinRoleRefusal(name string) string {
	return fmt.Sprintf("names the built-in role %q, which exists on every server with a fixed level and cannot be "+
		"managed, imported or deleted; refer to it by name where a role is expected (such as identity_user.role), "+
		"or read it with the identity_role data source", name)
}

// builtinRoleNames lists the built-in roles' names as Markdown code.
func builtinRoleNames() string {
	names := make([]string, len(catalog.BuiltinRoles))
	for i, r := range catalog.BuiltinRoles {
		names[i] = r.Name
	}
	return codeList(names)
}

// emailValidator checks that a string is a plain email address.
func emailValidator() validator.String {
	return catalogStringValidator{summary: "Invalid email address", description: "must be " + emailRule, check: catalog.ValidateEmail}
}

// passwordValidator checks a password's length in characters.
func passwordValidator() validator.String {
	return catalogStringValidator{summary: "Invalid password", description: "must be " + passwordRule, check: catalog.ValidatePassword}
}

// idValidator checks that a string is an object id (a UUID).
func idValidator() validator.String {
	return catalogStringValidator{summary: "Invalid id", description: "must be a UUID", check: catalog.ValidateID}
}

// uuidPattern tells ids from natural keys in import ids.
var uuidPattern = catalog.IDPattern

// textValidator checks a free-text field (names, organization, description).
func textValidator(maxLen int, multiline bool) validator.String {
	return catalogStringValidator{
		summary:     "Invalid text",
		description: "must be " + textRule(maxLen, multiline),
		check:       func(s string) string { return catalog.ValidateText(s, maxLen, multiline) },
	}
}

// attributesValidator checks a user's attribute map: count, key pattern and values.
type attributesValidator struct{}

func (attributesValidator) Description(_ context.Context) string { return "must have " + attrKeyRule }

func (v attributesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (attributesValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := map[string]string{}
	for k, v := range req.ConfigValue.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			// Unknown values are checked once known; only the key can be checked now.
			attrs[k] = ""
			continue
		}
		attrs[k] = s.ValueString()
	}
	problems := catalog.ValidateAttributes(attrs)
	keys := make([]string, 0, len(problems))
	for k := range problems {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid attributes", fmt.Sprintf("%s: %s.", req.Path, problems[k]))
			continue
		}
		resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Invalid attribute",
			fmt.Sprintf("Attribute %q: %s.", k, problems[k]))
	}
}

// groupNameValidator checks group names and organizations with the catalogue's rule.
func groupNameValidator() validator.String {
	return catalogStringValidator{
		description: "must be " + groupNameRule,
		summary:     "Invalid group name",
		check:       catalog.ValidateGroupName,
	}
}

// organizationValidator is groupNameValidator that also accepts "" (no organization).
func organizationValidator() validator.String {
	return catalogStringValidator{
		description: "must be " + organizationRule,
		summary:     "Invalid organization",
		check: func(s string) string {
			if s == "" {
				return ""
			}
			return catalog.ValidateGroupName(s)
		},
	}
}

// scopeValidator checks a scope's form with catalog.ParseScope.
func scopeValidator() validator.String {
	return catalogStringValidator{
		description: "must be one of " + scopeRule,
		summary:     "Invalid scope",
		check: func(s string) string {
			if _, err := catalog.ParseScope(s); err != nil {
				return "is not valid: " + err.Error()
			}
			return ""
		},
	}
}

// rfc3339Validator checks that a string is an RFC 3339 timestamp.
func rfc3339Validator() validator.String {
	return catalogStringValidator{
		description: "must be " + timestampRule,
		summary:     "Invalid timestamp",
		check: func(s string) string {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return fmt.Sprintf("must be an RFC 3339 timestamp such as 2030-01-01T00:00:00Z, not %q", s)
			}
			return ""
		},
	}
}

// operationValidator checks that a string names an operation of the catalogue.
func operationValidator() validator.String {
	return stringvalidator.OneOf(operationNames...)
}

// levelValidator checks a role's level.
func levelValidator() validator.Int64 {
	return int64validator.Between(catalog.MinLevel, catalog.MaxLevel)
}

// maxRetriesValidator checks the provider's max_retries.
func maxRetriesValidator() validator.Int64 {
	return int64validator.Between(0, maxMaxRetries)
}

// grantValidator checks that the configured operation is allowed on the
// configured scope (catalog.ValidateGrant), reporting on the scope. Unknown
// operations and malformed scopes are left to the attributes' own validators
// so each mistake is reported once.
type grantValidator struct{}

func (grantValidator) Description(_ context.Context) string {
	return "the operation must be allowed on the scope's kind"
}

func (v grantValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v grantValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	v.validate(ctx, req.Config, &resp.Diagnostics)
}

// ValidateDataSource checks a question about an operation on a scope
// (identity_access) as a grant of it.
func (v grantValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	v.validate(ctx, req.Config, &resp.Diagnostics)
}

func (grantValidator) validate(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) {
	var op, scope types.String
	diags.Append(cfg.GetAttribute(ctx, path.Root("operation"), &op)...)
	diags.Append(cfg.GetAttribute(ctx, path.Root("scope"), &scope)...)
	if diags.HasError() || op.IsNull() || op.IsUnknown() || scope.IsNull() || scope.IsUnknown() {
		return
	}
	if _, ok := catalog.LookupOperation(op.ValueString()); !ok {
		return
	}
	s, err := catalog.ParseScope(scope.ValueString())
	if err != nil {
		return
	}
	if err := catalog.ValidateGrant(op.ValueString(), s); err != nil {
		diags.AddAttributeError(path.Root("scope"), "Operation not allowed on this scope", err.Error())
	}
}

// operationScopesMarkdown renders the catalogue as a Markdown list, so the
// documentation always matches what the validators accept.
func operationScopesMarkdown() string {
	var b strings.Builder
	for _, op := range catalog.Operations {
		fmt.Fprintf(&b, "  - `%s`: %s\n", op.Name, strings.Join(op.Scopes, ", "))
	}
	return b.String()
}

// durationValidator checks that a string is a positive Go duration.
type durationValidator struct{}

func (durationValidator) Description(_ context.Context) string {
	return "must be " + durationRule
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q must be a positive duration such as 30s or 2m.", req.ConfigValue.ValueString()))
	}
}

// durationAtMostValidator caps a Go duration string; durationValidator checks its form.
type durationAtMostValidator struct {
	limit time.Duration
}

// durationAtMost returns a validator refusing durations longer than limit.
func durationAtMost(limit time.Duration) validator.String {
	return durationAtMostValidator{limit: limit}
}

func (v durationAtMostValidator) Description(_ context.Context) string {
	return "at most `" + catalog.FormatDuration(v.limit) + "`"
}

func (v durationAtMostValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationAtMostValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err == nil && d > v.limit {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration too long",
			fmt.Sprintf("%s is %q; it must be at most %s.", req.Path, req.ConfigValue.ValueString(), catalog.FormatDuration(v.limit)))
	}
}

// settingsDurationValidator checks a duration setting against its bounds.
func settingsDurationValidator(lo, hi time.Duration) validator.String {
	return catalogStringValidator{
		description: "must be " + durationBetween(lo, hi),
		summary:     "Invalid duration",
		check: func(s string) string {
			_, msg := catalog.ParseDuration(s, lo, hi)
			return msg
		},
	}
}

func passwordMinLengthValidator() validator.Int64 {
	return int64validator.Between(catalog.PasswordMinLength, catalog.PasswordMaxLength)
}

func loginThrottleThresholdValidator() validator.Int64 {
	return int64validator.Between(catalog.LoginThrottleThresholdMin, catalog.LoginThrottleThresholdMax)
}
