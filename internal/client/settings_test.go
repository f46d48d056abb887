package client

import (
	"errors"
	"testing"
	"time"
)

func TestIntegrationSettings(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := serverClient(t)

	s, err := c.GetSettings(ctx)
	if err != nil {
		t.Fatalf("GetSettings: %v", err)
	}
	if s.SelfRegistration || s.SelfRegistrationRole != "guest" || s.PasswordMinLength != 8 || s.SessionTTL != "12h" ||
		s.LoginThrottleThreshold != 5 || s.LoginThrottleWindow != "15m" || s.Version != 1 || s.UpdatedAt != nil {
		t.Fatalf("defaults = %+v", s)
	}
	s, err = c.UpdateSettings(WithIfMatch(ctx, 1), SettingsUpdate{SelfRegistration: ptr(true), SessionTTL: ptr("24h")})
	if err != nil {
		t.Fatalf("UpdateSettings: %v", err)
	}
	if !s.SelfRegistration || s.SessionTTL != "24h" || s.Version != 2 || s.UpdatedAt == nil {
		t.Fatalf("updated = %+v", s)
	}
	if _, err := c.UpdateSettings(WithIfMatch(ctx, 1), SettingsUpdate{PasswordMinLength: ptr(int64(9))}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := c.UpdateSettings(ctx, SettingsUpdate{SelfRegistrationRole: ptr("admin")}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("admin as self-registration role: %v", err)
	}
	s, err = c.ResetSettings(ctx)
	if err != nil {
		t.Fatalf("ResetSettings: %v", err)
	}
	if s.SelfRegistration || s.SessionTTL != "12h" || s.Version != 3 {
		t.Fatalf("reset = %+v", s)
	}
}

func TestIntegrationUserActivityFilters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv, c := serverClient(t)
	for _, u := range []UserCreate{
		{Username: "ann", Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Password: "password-ann"},
		{Username: "ben", Email: "ben@example.com", FirstName: "Ben", LastName: "LEE"},
	} {
		if _, err := c.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	users, err := c.ListUsers(ctx, UserFilter{LastName: "lee", FirstName: "ANN"})
	if err != nil || len(users) != 1 || users[0].Username != "ann" {
		t.Fatalf("by names: %v %+v", err, users)
	}
	if err := as(t, srv, "ann", "password-ann").Login(ctx); err != nil {
		t.Fatal(err)
	}
	ann, err := c.GetUserByUsername(ctx, "ann")
	if err != nil || ann.LastLoginAt == nil || time.Since(*ann.LastLoginAt) > time.Minute {
		t.Fatalf("ann after login: %v %+v", err, ann)
	}
	users, err = c.ListUsers(ctx, UserFilter{LastName: "lee", InactiveSince: time.Now().Add(-time.Hour)})
	if err != nil || len(users) != 1 || users[0].Username != "ben" || users[0].LastLoginAt != nil {
		t.Fatalf("inactive: %v %+v", err, users)
	}
}
