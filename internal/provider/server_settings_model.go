package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

// The server's settings, written once for the identity_settings resource and
// data source.

// serverSettingsID is the id of the one settings object, also its import id.
const serverSettingsID = "settings"

// serverSettingsDescriptions describes each setting; the bounds come from the
// catalogue the server validates with.
var serverSettingsDescriptions = map[string]string{
	"id": "Always `" + serverSettingsID + "`: the server has one settings object.",
	"self_registration": "Whether anyone may create an account with `POST /api/v1/register`, without a credential. " +
		"The server's default is `false`.",
	"self_registration_role": fmt.Sprintf("The role self-registered users get; a role of level %d or higher "+
		"(self-registered users never read other identities). The server's default is `%s`.",
		catalog.SelfRegistrationMinLevel, catalog.DefaultSelfRegistrationRole),
	"password_min_length": fmt.Sprintf("The fewest characters a password may have, from %d to %d; every password set, "+
		"created or registered afterwards must have at least this many. The server's default is %d.",
		catalog.PasswordMinLength, catalog.PasswordMaxLength, catalog.PasswordMinLength),
	"session_ttl": "How long a login session lasts, " + durationBetween(catalog.SessionTTLMin, catalog.SessionTTLMax) +
		"; sessions opened afterwards get it. The server's default is `" + catalog.FormatDuration(catalog.DefaultSessionTTL) + "`.",
	"login_throttle_threshold": fmt.Sprintf("How many failed logins, within `login_throttle_window`, lock an account "+
		"for a while (429 with Retry-After), from %d to %d. The server's default is %d.",
		catalog.LoginThrottleThresholdMin, catalog.LoginThrottleThresholdMax, catalog.DefaultLoginThrottleThreshold),
	"login_throttle_window": "How long failed logins are remembered, " + durationBetween(catalog.LoginThrottleWindowMin, catalog.LoginThrottleWindowMax) +
		". The server's default is `" + catalog.FormatDuration(catalog.DefaultLoginThrottleWindow) + "`.",
}

func durationBetween(lo, hi time.Duration) string {
	return fmt.Sprintf("a duration such as `1h` or `1h30m`, from `%s` to `%s`",
		catalog.FormatDuration(lo), catalog.FormatDuration(hi))
}

// serverSettingsModel holds the settings in state.
type serverSettingsModel struct {
	ID                     types.String `tfsdk:"id"`
	SelfRegistration       types.Bool   `tfsdk:"self_registration"`
	SelfRegistrationRole   types.String `tfsdk:"self_registration_role"`
	PasswordMinLength      types.Int64  `tfsdk:"password_min_length"`
	SessionTTL             types.String `tfsdk:"session_ttl"`
	LoginThrottleThreshold types.Int64  `tfsdk:"login_throttle_threshold"`
	LoginThrottleWindow    types.String `tfsdk:"login_throttle_window"`
}

// serverSettingsModelFrom maps the settings as the server reports them. A
// duration in prior that means the same as the server's is kept as written
// (24h0m for the server's 24h), so spelling alone never shows as a change.
func serverSettingsModelFrom(s *client.Settings, prior serverSettingsModel) serverSettingsModel {
	return serverSettingsModel{
		ID:                     types.StringValue(serverSettingsID),
		SelfRegistration:       types.BoolValue(s.SelfRegistration),
		SelfRegistrationRole:   types.StringValue(s.SelfRegistrationRole),
		PasswordMinLength:      types.Int64Value(s.PasswordMinLength),
		SessionTTL:             sameDuration(prior.SessionTTL, s.SessionTTL),
		LoginThrottleThreshold: types.Int64Value(s.LoginThrottleThreshold),
		LoginThrottleWindow:    sameDuration(prior.LoginThrottleWindow, s.LoginThrottleWindow),
	}
}

// sameDuration returns prior when it spells the same duration as server, else server.
func sameDuration(prior types.String, server string) types.String {
	if !prior.IsNull() && !prior.IsUnknown() {
		p, perr := time.ParseDuration(prior.ValueString())
		s, serr := time.ParseDuration(server)
		if perr == nil && serr == nil && p == s {
			return prior
		}
	}
	return types.StringValue(server)
}

// serverSettingsUpdate is the change that sets every configured setting.
func serverSettingsUpdate(m serverSettingsModel) client.SettingsUpdate {
	var u client.SettingsUpdate
	if known(m.SelfRegistration) {
		u.SelfRegistration = m.SelfRegistration.ValueBoolPointer()
	}
	if known(m.SelfRegistrationRole) {
		u.SelfRegistrationRole = m.SelfRegistrationRole.ValueStringPointer()
	}
	if known(m.PasswordMinLength) {
		u.PasswordMinLength = m.PasswordMinLength.ValueInt64Pointer()
	}
	if known(m.SessionTTL) {
		u.SessionTTL = m.SessionTTL.ValueStringPointer()
	}
	if known(m.LoginThrottleThreshold) {
		u.LoginThrottleThreshold = m.LoginThrottleThreshold.ValueInt64Pointer()
	}
	if known(m.LoginThrottleWindow) {
		u.LoginThrottleWindow = m.LoginThrottleWindow.ValueStringPointer()
	}
	return u
}

// known reports whether a value is neither null nor unknown.
func known(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}

// readServerSettings reads the settings for a resource or data source.
func readServerSettings(ctx context.Context, c *client.Client, prior serverSettingsModel) (serverSettingsModel, error) {
	s, err := c.GetSettings(ctx)
	if err != nil {
		return prior, err
	}
	return serverSettingsModelFrom(s, prior), nil
}
