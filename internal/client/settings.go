package client

import (
	"context"
	"net/http"
	"time"
)

// Settings are the identity server's settings. Durations are strings such as
// "12h" or "1h30m" (time.ParseDuration reads them).
type Settings struct {
	SelfRegistration       bool       `json:"self_registration"`
	SelfRegistrationRole   string     `json:"self_registration_role"`
	PasswordMinLength      int64      `json:"password_min_length"`
	SessionTTL             string     `json:"session_ttl"`
	LoginThrottleThreshold int64      `json:"login_throttle_threshold"`
	LoginThrottleWindow    string     `json:"login_throttle_window"`
	UpdatedAt              *time.Time `json:"updated_at"`
	Version                int64      `json:"version"`
}

// SettingsUpdate is the body of PATCH /api/v1/settings; nil fields are left
// unchanged.
type SettingsUpdate struct {
	SelfRegistration       *bool   `json:"self_registration,omitempty"`
	SelfRegistrationRole   *string `json:"self_registration_role,omitempty"`
	PasswordMinLength      *int64  `json:"password_min_length,omitempty"`
	SessionTTL             *string `json:"session_ttl,omitempty"`
	LoginThrottleThreshold *int64  `json:"login_throttle_threshold,omitempty"`
	LoginThrottleWindow    *string `json:"login_throttle_window,omitempty"`
}

// GetSettings reads the server's settings.
func (c *Client) GetSettings(ctx context.Context) (*Settings, error) {
	var out Settings
	if err := c.do(ctx, http.MethodGet, "/settings", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateSettings changes the non-nil fields of s.
func (c *Client) UpdateSettings(ctx context.Context, s SettingsUpdate) (*Settings, error) {
	var out Settings
	if err := c.do(ctx, http.MethodPatch, "/settings", nil, s, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ResetSettings restores the server's default settings.
func (c *Client) ResetSettings(ctx context.Context) (*Settings, error) {
	var out Settings
	if err := c.do(ctx, http.MethodDelete, "/settings", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
