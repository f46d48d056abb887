package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

func TestAccThirdPartyTokensDataSource_filters(t *testing.T) {
	env := newTestEnv(t)
	mint := func(role string, expires time.Time) string {
		t.Helper()
		body := client.TokenCreate{Role: role, Description: role + " token"}
		if !expires.IsZero() {
			body.ExpiresAt = &expires
		}
		tok, err := env.Client.CreateToken(env.ctx(t), body)
		if err != nil {
			t.Fatalf("minting %s token: %v", role, err)
		}
		return tok.ID
	}
	soon := time.Now().Add(time.Second)
	ci := mint("operator", time.Time{})
	report := mint("auditor", time.Now().Add(time.Hour))
	old := mint("operator", soon)
	ids := stringListExact

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { time.Sleep(time.Until(soon.Add(100 * time.Millisecond))) },
				Config: env.Config(`
data "identity_third_party_tokens" "current" {}

data "identity_third_party_tokens" "all" {
  include_expired = true
}

data "identity_third_party_tokens" "operators" {
  role            = "operator"
  include_expired = true
}

data "identity_third_party_tokens" "current_operators" {
  role = "operator"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_third_party_tokens.current", tfjsonpath.New("ids"), ids(ci, report)),
					statecheck.ExpectKnownValue("data.identity_third_party_tokens.all", tfjsonpath.New("ids"), ids(ci, report, old)),
					statecheck.ExpectKnownValue("data.identity_third_party_tokens.operators", tfjsonpath.New("ids"), ids(ci, old)),
					statecheck.ExpectKnownValue("data.identity_third_party_tokens.current_operators", tfjsonpath.New("tokens"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":           knownvalue.StringExact(ci),
							"role":         knownvalue.StringExact("operator"),
							"description":  knownvalue.StringExact("operator token"),
							"created_by":   knownvalue.StringRegexp(uuidPattern),
							"created_at":   knownvalue.NotNull(),
							"expires_at":   knownvalue.Null(),
							"expired":      knownvalue.Bool(false),
							"last_used_at": knownvalue.Null(),
						}),
					})),
					statecheck.ExpectKnownValue("data.identity_third_party_tokens.all", tfjsonpath.New("tokens").AtSliceIndex(2).AtMapKey("expired"), knownvalue.Bool(true)),
					noSecretInState{},
				},
			},
		},
	})
}
