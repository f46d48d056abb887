package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

// groupNameValidator checks group names and organizations with the catalogue's rule.
func groupNameValidator() validator.String {
	return catalogStringValidator{
		description: "must match `" + catalog.GroupNamePatternText + "` (no colon: it separates the organization from the name)",
		summary:     "Invalid group name",
		check:       catalog.ValidateGroupName,
	}
}

// organizationValidator is groupNameValidator that also accepts "" (no organization).
func organizationValidator() validator.String {
	return catalogStringValidator{
		description: "must be empty, or match `" + catalog.GroupNamePatternText + "`",
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
		description: "must be one of " + catalog.ScopeFormText,
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
		description: "must be an RFC 3339 timestamp such as `2030-01-01T00:00:00Z`",
		summary:     "Invalid timestamp",
		check: func(s string) string {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return fmt.Sprintf("must be an RFC 3339 timestamp such as 2030-01-01T00:00:00Z, not %q", s)
			}
			return ""
		},
	}
}

// grantValidator checks that the configured operation is allowed on the
// configured scope (catalog.ValidateGrant), reporting on the scope. Unknown
// operations and malformed scopes are left to the attributes' own validators
// so each mistake is reported once.
type grantValidator struct{}

var _ resource.ConfigValidator = grantValidator{}

func (grantValidator) Description(_ context.Context) string {
	return "the operation must be allowed on the scope's kind"
}

func (v grantValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (grantValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var op, scope types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("operation"), &op)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("scope"), &scope)...)
	if resp.Diagnostics.HasError() || op.IsNull() || op.IsUnknown() || scope.IsNull() || scope.IsUnknown() {
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
		resp.Diagnostics.AddAttributeError(path.Root("scope"), "Operation not allowed on this scope", err.Error())
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
