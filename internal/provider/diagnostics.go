package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// Diagnostics shared by several resources, and the summaries they repeat.

// summaryInvalidImportID is the summary of every refused import id.
const summaryInvalidImportID = "Invalid import ID"

// createFailure describes a create the server refused, for addCreateError.
type createFailure struct {
	summary  string // such as "Unable to create user"
	detail   string // what failed on which object, with the server's words
	typeName string // the resource type, such as "identity_user", for the import advice
	what     string // the object in prose, such as `user "alice"`
	importID string // the id that imports the object; "" when unknown, which leaves out the advice
}

// addCreateError reports a failed create. When the server refused it because
// the object already exists (a 409) and f names it, the detail says which
// object it is and how to adopt it into this resource; the object may come
// from another configuration, a manual change or an apply that was
// interrupted before recording it, and creating it again can only fail.
func addCreateError(diags *diag.Diagnostics, err error, f createFailure) {
	if !errors.Is(err, client.ErrConflict) || f.importID == "" {
		diags.AddError(f.summary, f.detail)
		return
	}
	diags.AddError(f.summary, fmt.Sprintf("%s\n\n"+
		"The %s already exists on the server but is not in this Terraform state: another configuration or a "+
		"manual change made it, or an earlier apply was interrupted before recording it. If this resource is meant "+
		"to manage it, adopt it instead of creating it, replacing <name> (and [<index>], for count or for_each) with "+
		"this resource's address:\n\n"+
		"  terraform import '%s.<name>' '%s'\n\n"+
		"or add an import block:\n\n"+
		"  import {\n    to = %s.<name>\n    id = %q\n  }\n\n"+
		"If another configuration manages it, remove this resource instead.",
		f.detail, f.what, f.typeName, f.importID, f.typeName, f.importID))
}

// addConnectError turns the first call's failure into a diagnostic on the setting to fix.
func addConnectError(diags *diag.Diagnostics, s settings, err error) {
	var apiErr *client.APIError
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		attr, what, from := "token", "token", s.tokenFrom
		if s.token == "" {
			attr, what, from = "password", "username and password", s.usernameFrom+" and "+s.passwordFrom
		}
		if s.fromEnvironment() {
			what += " (set by " + from + ")"
		}
		diags.AddAttributeError(path.Root(attr), "Identity server refused the credentials",
			fmt.Sprintf("The server at %s refused the %s: %s", s.endpoint, what, err))
	case errors.As(err, &apiErr):
		diags.AddAttributeError(path.Root("endpoint"), "Unable to use the identity server",
			fmt.Sprintf("The server at %s answered: %s", s.endpoint, err))
	default:
		diags.AddAttributeError(path.Root("endpoint"), "Unable to reach the identity server",
			fmt.Sprintf("Could not connect to %s: %s. Check \"endpoint\" (or %s) and that the server is running.", s.endpoint, err, EnvEndpoint))
	}
}
