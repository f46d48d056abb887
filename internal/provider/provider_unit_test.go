package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestResolveSettings(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	cases := []struct {
		name      string
		cfg       identityProviderModel
		env       map[string]string
		wantErr   string // substring of the first error's summary; "" for none
		wantToken string
		wantUser  string
	}{
		{
			name:      "token from configuration",
			cfg:       identityProviderModel{Endpoint: types.StringValue("http://127.0.0.1:8080"), Token: types.StringValue("t")},
			wantToken: "t",
		},
		{
			name:     "everything from the environment",
			env:      map[string]string{EnvEndpoint: "https://id.example.com", EnvUsername: "u", EnvPassword: "p"},
			wantUser: "u",
		},
		{
			name:     "username from configuration, password from the environment",
			cfg:      identityProviderModel{Endpoint: types.StringValue("http://h:1"), Username: types.StringValue("u")},
			env:      map[string]string{EnvPassword: "p"},
			wantUser: "u",
		},
		{
			name:     "configuration wins over its own variable",
			cfg:      identityProviderModel{Endpoint: types.StringValue("http://h:1"), Username: types.StringValue("u"), Password: types.StringValue("p")},
			env:      map[string]string{EnvUsername: "other", EnvPassword: "other"},
			wantUser: "u",
		},
		{
			name:      "token in configuration wins over username and password in the environment",
			cfg:       identityProviderModel{Endpoint: types.StringValue("http://h:1"), Token: types.StringValue("t")},
			env:       map[string]string{EnvUsername: "u", EnvPassword: "p"},
			wantToken: "t",
		},
		{
			name:     "username in configuration wins over a token in the environment",
			cfg:      identityProviderModel{Endpoint: types.StringValue("http://h:1"), Username: types.StringValue("u")},
			env:      map[string]string{EnvToken: "t", EnvPassword: "p"},
			wantUser: "u",
		},
		{
			name:    "missing endpoint",
			cfg:     identityProviderModel{Token: types.StringValue("t")},
			wantErr: "Missing identity server endpoint",
		},
		{
			name:    "endpoint without scheme",
			cfg:     identityProviderModel{Endpoint: types.StringValue("127.0.0.1:8080"), Token: types.StringValue("t")},
			wantErr: "Invalid identity server endpoint",
		},
		{
			name:    "endpoint with credentials in it",
			cfg:     identityProviderModel{Endpoint: types.StringValue("http://u:secret@127.0.0.1:8080"), Token: types.StringValue("t")},
			wantErr: "Invalid identity server endpoint",
		},
		{
			name:    "token and username together",
			cfg:     identityProviderModel{Endpoint: types.StringValue("http://h:1"), Token: types.StringValue("t"), Username: types.StringValue("u")},
			wantErr: "Conflicting provider credentials",
		},
		{
			name:    "conflict within the environment",
			env:     map[string]string{EnvEndpoint: "http://h:1", EnvToken: "t", EnvPassword: "p"},
			wantErr: "Conflicting provider credentials",
		},
		{
			name:    "no credentials",
			cfg:     identityProviderModel{Endpoint: types.StringValue("http://h:1")},
			wantErr: "Missing provider credentials",
		},
		{
			name:    "username without password",
			cfg:     identityProviderModel{Endpoint: types.StringValue("http://h:1"), Username: types.StringValue("u")},
			wantErr: "Missing password",
		},
		{
			name:    "password without username",
			cfg:     identityProviderModel{Endpoint: types.StringValue("http://h:1"), Password: types.StringValue("p")},
			wantErr: "Missing username",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, diags := resolveSettings(tc.cfg, env(tc.env))
			if tc.wantErr == "" {
				if diags.HasError() {
					t.Fatalf("unexpected error: %v", diags)
				}
				if s.token != tc.wantToken || s.username != tc.wantUser {
					t.Fatalf("got token %q user %q, want %q %q", s.token, s.username, tc.wantToken, tc.wantUser)
				}
				return
			}
			if !diags.HasError() {
				t.Fatalf("want error %q, got none", tc.wantErr)
			}
			if got := diags.Errors()[0].Summary(); !strings.Contains(got, tc.wantErr) {
				t.Fatalf("want error %q, got %q", tc.wantErr, got)
			}
		})
	}
}
