package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// An object's version, as last read, travels in the resource's private state
// from the read that a plan is based on to the apply of that plan (saved
// plans included). An update sends it as If-Match, so a change made on the
// server in between is refused and reported instead of being overwritten by
// a plan that never showed it.

// versionKey is the private state key holding the object's version.
const versionKey = "version"

// privateGetter and privateSetter are the parts of the framework's private
// state the version needs.
type (
	privateGetter interface {
		GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	}
	privateSetter interface {
		SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
	}
)

// saveVersion records the version of the object just read or written.
func saveVersion(ctx context.Context, p privateSetter, version int64) diag.Diagnostics {
	b, err := json.Marshal(version)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to record the object's version", err.Error())
		return diags
	}
	return p.SetKey(ctx, versionKey, b)
}

// withSavedVersion returns ctx carrying If-Match with the version the plan
// was made from. State written by an older provider has none; the update is
// then unconditional.
func withSavedVersion(ctx context.Context, p privateGetter) (context.Context, diag.Diagnostics) {
	b, diags := p.GetKey(ctx, versionKey)
	if diags.HasError() || len(b) == 0 {
		return ctx, diags
	}
	var v int64
	if err := json.Unmarshal(b, &v); err != nil {
		return ctx, diags // an unreadable value only loses the check
	}
	return client.WithIfMatch(ctx, v), diags
}

// addUpdateError reports a failed update; a 412 means the object changed on
// the server after the read the plan was made from.
func addUpdateError(diags *diag.Diagnostics, summary, what string, err error) {
	if errors.Is(err, client.ErrPreconditionFailed) {
		diags.AddError(summary, fmt.Sprintf("The %s changed on the server since it was last read; "+
			"run terraform apply again (refresh) to see the change. This apply left it as it was.\n\nServer: %s", what, err))
		return
	}
	diags.AddError(summary, fmt.Sprintf("Updating %s: %s", what, err))
}
