package api

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// settingsResponse is the settings on the wire. Durations are written in
// whole hours, minutes and seconds without zero parts (12h, 1h30m).
type settingsResponse struct {
	SelfRegistration       bool    `json:"self_registration"`
	SelfRegistrationRole   string  `json:"self_registration_role"`
	PasswordMinLength      int     `json:"password_min_length"`
	SessionTTL             string  `json:"session_ttl"`
	LoginThrottleThreshold int     `json:"login_throttle_threshold"`
	LoginThrottleWindow    string  `json:"login_throttle_window"`
	UpdatedAt              *string `json:"updated_at"`
	Version                int64   `json:"version"`
}

func settingsOut(s store.Settings) settingsResponse {
	out := settingsResponse{SelfRegistration: s.SelfRegistration, SelfRegistrationRole: s.SelfRegistrationRole,
		PasswordMinLength: s.PasswordMinLength, SessionTTL: catalog.FormatDuration(s.SessionTTL),
		LoginThrottleThreshold: s.LoginThrottleThreshold, LoginThrottleWindow: catalog.FormatDuration(s.LoginThrottleWindow),
		Version: s.Version}
	if s.UpdatedAt != "" {
		out.UpdatedAt = &s.UpdatedAt
	}
	return out
}

type patchSettingsRequest struct {
	SelfRegistration       *bool   `json:"self_registration"`
	SelfRegistrationRole   *string `json:"self_registration_role"`
	PasswordMinLength      *int64  `json:"password_min_length"`
	SessionTTL             *string `json:"session_ttl"`
	LoginThrottleThreshold *int64  `json:"login_throttle_threshold"`
	LoginThrottleWindow    *string `json:"login_throttle_window"`
}

// defaultSettings are the settings a server starts with and DELETE restores.
func defaultSettings(cfg Config) store.Settings {
	s := store.Settings{SelfRegistrationRole: catalog.DefaultSelfRegistrationRole, PasswordMinLength: catalog.PasswordMinLength,
		SessionTTL: cfg.SessionTTL, LoginThrottleThreshold: cfg.Throttle.MaxFailures, LoginThrottleWindow: cfg.Throttle.Window}
	if s.SessionTTL <= 0 {
		s.SessionTTL = catalog.DefaultSessionTTL
	}
	if s.LoginThrottleThreshold <= 0 {
		s.LoginThrottleThreshold = catalog.DefaultLoginThrottleThreshold
	}
	if s.LoginThrottleWindow <= 0 {
		s.LoginThrottleWindow = catalog.DefaultLoginThrottleWindow
	}
	return s
}

// settings reads the current settings.
func (a *API) settings(ctx context.Context, q store.Querier) (store.Settings, error) {
	return store.GetSettings(ctx, q, a.defaults)
}

// checkPassword applies the password policy: the length bounds with the
// configured minimum.
func (a *API) checkPassword(ctx context.Context, fields map[string]string, name, password string) error {
	s, err := a.settings(ctx, a.st.R)
	if err != nil {
		return err
	}
	if msg := catalog.ValidatePasswordLength(password, s.PasswordMinLength); msg != "" {
		fields[name] = msg
	}
	return nil
}

func (a *API) getSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	c.ev.ObjectID = "settings"
	if err := authz.ReadSettings(c.caller); err != nil {
		return err
	}
	s, err := a.settings(r.Context(), a.st.R)
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, s.Version, settingsOut(s))
	return nil
}

func (a *API) patchSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	c.ev.ObjectID = "settings"
	var req patchSettingsRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	if req.SelfRegistrationRole != nil {
		if msg := catalog.ValidateRoleName(*req.SelfRegistrationRole); msg != "" {
			fields["self_registration_role"] = msg
		}
	}
	if req.PasswordMinLength != nil {
		if msg := catalog.ValidatePasswordMinLength(*req.PasswordMinLength); msg != "" {
			fields["password_min_length"] = msg
		}
	}
	if req.LoginThrottleThreshold != nil {
		if msg := catalog.ValidateLoginThrottleThreshold(*req.LoginThrottleThreshold); msg != "" {
			fields["login_throttle_threshold"] = msg
		}
	}
	var next store.Settings
	if req.SessionTTL != nil {
		d, msg := catalog.ParseDuration(*req.SessionTTL, catalog.SessionTTLMin, catalog.SessionTTLMax)
		if msg != "" {
			fields["session_ttl"] = msg
		}
		next.SessionTTL = d
	}
	if req.LoginThrottleWindow != nil {
		d, msg := catalog.ParseDuration(*req.LoginThrottleWindow, catalog.LoginThrottleWindowMin, catalog.LoginThrottleWindowMax)
		if msg != "" {
			fields["login_throttle_window"] = msg
		}
		next.LoginThrottleWindow = d
	}
	if p := invalid(fields); p != nil {
		return p
	}
	var s store.Settings
	err := c.change(ctx, func(tx *sql.Tx) error {
		var err error
		if s, err = a.settings(ctx, tx); err != nil {
			return err
		}
		before := s
		var role *authz.RoleRef
		if req.SelfRegistrationRole != nil && *req.SelfRegistrationRole != s.SelfRegistrationRole {
			stored, err := store.GetRole(ctx, tx, *req.SelfRegistrationRole)
			if errors.Is(err, store.ErrNotFound) {
				return invalid(map[string]string{"self_registration_role": "role " + quoteName(*req.SelfRegistrationRole) + " does not exist"})
			} else if err != nil {
				return err
			}
			ref := authz.RoleRef{Name: stored.Name, Level: stored.Level}
			role = &ref
		}
		if err := authz.ChangeSettings(c.caller, role); err != nil {
			return err
		}
		if err := checkIfMatch(r, s.Version); err != nil {
			return err
		}
		if req.SelfRegistration != nil {
			s.SelfRegistration = *req.SelfRegistration
		}
		if role != nil {
			s.SelfRegistrationRole = role.Name
		}
		if req.PasswordMinLength != nil {
			s.PasswordMinLength = int(*req.PasswordMinLength)
		}
		if req.SessionTTL != nil {
			s.SessionTTL = next.SessionTTL
		}
		if req.LoginThrottleThreshold != nil {
			s.LoginThrottleThreshold = int(*req.LoginThrottleThreshold)
		}
		if req.LoginThrottleWindow != nil {
			s.LoginThrottleWindow = next.LoginThrottleWindow
		}
		c.ev.Detail = settingsDiff(before, s)
		if c.ev.Detail == "" {
			return nil // nothing changes: the version stays
		}
		return store.PutSettings(ctx, tx, &s)
	})
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, s.Version, settingsOut(s))
	return nil
}

// resetSettings restores the defaults, as a new version.
func (a *API) resetSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	c.ev.ObjectID = "settings"
	var s store.Settings
	err := c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ChangeSettings(c.caller, nil); err != nil {
			return err
		}
		cur, err := a.settings(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkIfMatch(r, cur.Version); err != nil {
			return err
		}
		s = a.defaults
		s.Version = cur.Version
		c.ev.Detail = settingsDiff(cur, s)
		if c.ev.Detail == "" {
			s = cur
			return nil // already the defaults: the version stays
		}
		return store.PutSettings(ctx, tx, &s)
	})
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, s.Version, settingsOut(s))
	return nil
}

// settingsDiff lists the settings that differ, for the audit log; "" when none.
func settingsDiff(before, after store.Settings) string {
	b, a := settingsOut(before), settingsOut(after)
	var parts []string
	add := func(name string, x, y any) {
		if x != y {
			parts = append(parts, fmt.Sprintf("%s %v -> %v", name, x, y))
		}
	}
	add("self_registration", b.SelfRegistration, a.SelfRegistration)
	add("self_registration_role", b.SelfRegistrationRole, a.SelfRegistrationRole)
	add("password_min_length", b.PasswordMinLength, a.PasswordMinLength)
	add("session_ttl", b.SessionTTL, a.SessionTTL)
	add("login_throttle_threshold", b.LoginThrottleThreshold, a.LoginThrottleThreshold)
	add("login_throttle_window", b.LoginThrottleWindow, a.LoginThrottleWindow)
	return strings.Join(parts, ", ")
}

// keepSelfRegistrationRole refuses to move the self-registration role below
// the level self-registered users may have.
func (a *API) keepSelfRegistrationRole(ctx context.Context, q store.Querier, role string, level int) error {
	s, err := a.settings(ctx, q)
	if err != nil {
		return err
	}
	if s.SelfRegistrationRole == role {
		return conflict("level", fmt.Sprintf("role %s is the self-registration role, which must keep level %d or higher; "+
			"choose another self-registration role in the settings before moving it to level %d", role, catalog.SelfRegistrationMinLevel, level))
	}
	return nil
}
