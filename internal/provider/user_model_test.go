package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// The resource keeps the email as configured when the server's differs only
// in case, and takes the server's otherwise, so case alone is never a change
// and a real change is never hidden.
func TestUserResourceModelFromEmailCase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		prior  types.String
		server string
		want   string
	}{
		{"no prior state (import)", types.StringNull(), "Alice@Example.com", "Alice@Example.com"},
		{"unknown in the plan", types.StringUnknown(), "alice@example.com", "alice@example.com"},
		{"same spelling", types.StringValue("alice@example.com"), "alice@example.com", "alice@example.com"},
		{"configured in other case", types.StringValue("Alice@Example.COM"), "alice@example.com", "Alice@Example.COM"},
		{"server in other case", types.StringValue("alice@example.com"), "ALICE@EXAMPLE.COM", "alice@example.com"},
		{"changed outside Terraform", types.StringValue("alice@example.com"), "alice@example.org", "alice@example.org"},
		{"changed, and in other case", types.StringValue("alice@example.com"), "Bob@Example.com", "Bob@Example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			prior := userResourceModel{userModel: userModel{Email: tc.prior}}
			got, diags := userResourceModelFrom(context.Background(), &client.User{ID: "u1", Email: tc.server}, prior)
			if diags.HasError() {
				t.Fatalf("diagnostics: %v", diags)
			}
			if got.Email.ValueString() != tc.want {
				t.Errorf("email = %q, want %q", got.Email.ValueString(), tc.want)
			}
		})
	}
}

// Passwords never come from the server: the resource keeps what the plan or
// state had, and the write-only one is never stored.
func TestUserResourceModelFromPasswords(t *testing.T) {
	t.Parallel()
	prior := userResourceModel{
		PasswordWO:        types.StringValue("write-only secret"),
		PasswordWOVersion: types.Int64Value(3),
		Password:          types.StringValue("stored secret"),
	}
	got, _ := userResourceModelFrom(context.Background(), &client.User{ID: "u1"}, prior)
	if !got.PasswordWO.IsNull() {
		t.Errorf("password_wo = %s, want null", got.PasswordWO)
	}
	if !got.PasswordWOVersion.Equal(prior.PasswordWOVersion) || !got.Password.Equal(prior.Password) {
		t.Errorf("password_wo_version, password = %s, %s; want %s, %s", got.PasswordWOVersion, got.Password, prior.PasswordWOVersion, prior.Password)
	}
}

func TestUserModelFrom(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("CET", 3600))
	got, diags := userModelFrom(context.Background(), &client.User{
		ID: "u1", Username: "Alice", Email: "alice@example.com", Role: "guest", Disabled: true,
		CreatedAt: created,
	})
	if diags.HasError() {
		t.Fatalf("diagnostics: %v", diags)
	}
	if got.Attributes.IsNull() || len(got.Attributes.Elements()) != 0 {
		t.Errorf("attributes = %s, want {} for a user without attributes", got.Attributes)
	}
	if want := "2026-01-02T02:04:05.0000006Z"; got.CreatedAt.ValueString() != want {
		t.Errorf("created_at = %s, want %s (UTC)", got.CreatedAt, want)
	}
	if !got.UpdatedAt.IsNull() {
		t.Errorf("updated_at = %s, want null for a zero time", got.UpdatedAt)
	}
	if got.Username.ValueString() != "Alice" || !got.Disabled.ValueBool() || got.Role.ValueString() != "guest" {
		t.Errorf("got %+v", got)
	}
}
