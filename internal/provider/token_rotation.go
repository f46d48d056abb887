package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
)

// tokenReplacement says why an existing third-party token is planned for
// replacement without any argument having changed, and on which attribute.
type tokenReplacement struct {
	Attribute path.Path
	Summary   string
	Detail    string
}

// dueTokenReplacement decides whether the token in state must be replaced at
// now: it has expired, it is inside the rotate_before_expiry window before
// its expiry, or it is older than rotation_period. The arguments come from
// the plan, the token's times from the state. Nil when nothing is due.
func dueTokenReplacement(state, plan thirdPartyTokenResourceModel, now time.Time) *tokenReplacement {
	id := state.ID.ValueString()
	expires, hasExpiry := parseTime(state.ExpiresAt)
	if hasExpiry && !expires.After(now) {
		return &tokenReplacement{
			Attribute: path.Root("expires_at"),
			Summary:   "Token expired: a replacement is planned",
			Detail: fmt.Sprintf("Token %s (role %q) expired at %s: a replacement is planned. "+
				"The new token takes expires_at from the configuration, so set it to a later time if it has passed.",
				id, state.Role.ValueString(), expires.UTC().Format(time.RFC3339)),
		}
	}
	if window, ok := parseDuration(plan.RotateBeforeExpiry); ok && hasExpiry && !expires.Add(-window).After(now) {
		return &tokenReplacement{
			Attribute: path.Root("rotate_before_expiry"),
			Summary:   "Token inside its rotation window: a replacement is planned",
			Detail: fmt.Sprintf("Token %s (role %q) expires at %s, within rotate_before_expiry %s: a replacement is planned.",
				id, state.Role.ValueString(), expires.UTC().Format(time.RFC3339), plan.RotateBeforeExpiry.ValueString()),
		}
	}
	if period, ok := parseDuration(plan.RotationPeriod); ok {
		if created, ok := parseTime(state.CreatedAt); ok && !created.Add(period).After(now) {
			return &tokenReplacement{
				Attribute: path.Root("rotation_period"),
				Summary:   "Token due for rotation: a replacement is planned",
				Detail: fmt.Sprintf("Token %s (role %q) created at %s is older than rotation_period %s: a replacement is planned.",
					id, state.Role.ValueString(), created.UTC().Format(time.RFC3339), plan.RotationPeriod.ValueString()),
			}
		}
	}
	return nil
}

// newTokenDueAtOnce reports a token about to be minted whose expiry already
// lies inside its rotate_before_expiry window: every later plan would
// replace it again.
func newTokenDueAtOnce(plan thirdPartyTokenResourceModel, now time.Time) (string, bool) {
	expires, ok := parseTime(plan.ExpiresAt)
	window, wok := parseDuration(plan.RotateBeforeExpiry)
	if !ok || !wok || !expires.After(now) || expires.Add(-window).After(now) {
		return "", false
	}
	return fmt.Sprintf("expires_at %s is within rotate_before_expiry %s of now, so the new token would be due for rotation "+
		"as soon as it is minted and every plan would replace it. Set expires_at later (for example "+
		"timeadd(plantimestamp(), \"2160h\") with ignore_changes = [expires_at]) or shorten rotate_before_expiry.",
		plan.ExpiresAt.ValueString(), plan.RotateBeforeExpiry.ValueString()), true
}

// requiresReplaceIfOtherInstant replaces the token when expires_at names
// another instant; the same instant written with another offset or precision
// is an in-place change of the state's spelling only.
func requiresReplaceIfOtherInstant() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			before, bok := parseTime(req.StateValue)
			after, aok := parseTime(req.PlanValue)
			resp.RequiresReplace = !bok || !aok || !before.Equal(after)
		},
		"Changing expires_at to another instant mints a new token; the same instant in another offset keeps the token.",
		"Changing `expires_at` to another instant mints a new token; the same instant in another offset keeps the token.",
	)
}
