package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// rfc3339Pattern matches a UTC timestamp as the provider writes it.
var rfc3339Pattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

// Users who signed in carry last_login_at; identity_users lists by names and
// by inactivity; tokens that were used carry last_used_at.
func TestAccActivity_lastLoginFiltersAndTokenUse(t *testing.T) {
	env := newTestEnv(t)
	ctx := env.ctx(t)
	mk := func(u client.UserCreate) string {
		t.Helper()
		created, err := env.Client.CreateUser(ctx, u)
		if err != nil {
			t.Fatalf("creating user %s: %v", u.Username, err)
		}
		return created.ID
	}
	active := mk(client.UserCreate{Username: "active", Email: "active@example.com", FirstName: "Ada", LastName: "Lovelace", Password: "password-active"})
	idle := mk(client.UserCreate{Username: "idle", Email: "idle@example.com", FirstName: "ADA", LastName: "Byron"})
	signedIn, err := client.New(client.Config{Endpoint: env.Server.URL, Username: "active@example.com", Password: "password-active"})
	if err != nil {
		t.Fatal(err)
	}
	if err := signedIn.Login(ctx); err != nil {
		t.Fatalf("signing in by email: %v", err)
	}
	used, err := env.Client.CreateToken(ctx, client.TokenCreate{Role: "auditor"})
	if err != nil {
		t.Fatal(err)
	}
	asToken, err := client.New(client.Config{Endpoint: env.Server.URL, Token: used.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asToken.Me(ctx); err != nil {
		t.Fatalf("using the token: %v", err)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "identity_user" "active" {
  username = "active"
}

data "identity_users" "adas" {
  first_name = "ada"
}

data "identity_users" "byron" {
  first_name = "Ada"
  last_name  = "BYRON"
}

# Users with no login in 90 days, or none ever.
data "identity_users" "inactive" {
  first_name     = "ada"
  inactive_since = timeadd(plantimestamp(), "-2160h")
}

data "identity_third_party_tokens" "all" {}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.identity_user.active", tfjsonpath.New("last_login_at"), knownvalue.StringRegexp(rfc3339Pattern)),
				statecheck.ExpectKnownValue("data.identity_users.adas", tfjsonpath.New("ids"), stringListExact(active, idle)),
				statecheck.ExpectKnownValue("data.identity_users.adas", tfjsonpath.New("users").AtSliceIndex(1).AtMapKey("last_login_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.identity_users.byron", tfjsonpath.New("ids"), stringListExact(idle)),
				statecheck.ExpectKnownValue("data.identity_users.inactive", tfjsonpath.New("ids"), stringListExact(idle)),
				statecheck.ExpectKnownValue("data.identity_third_party_tokens.all", tfjsonpath.New("tokens").AtSliceIndex(0).AtMapKey("last_used_at"), knownvalue.StringRegexp(rfc3339Pattern)),
			},
		}},
	})
}
