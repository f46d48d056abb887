package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

func TestAccThirdPartyTokenResource_basic(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_third_party_token.ci"
	expires := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	config := func(rotation string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_third_party_token" "ci" {
  role        = "operator"
  description = "CI pipeline"
  expires_at  = %q
  rotate_when_changed = {
    rotation = %q
  }
}
`, expires, rotation))
	}
	var secrets []string // every secret minted, in order
	saveSecret := func(s *terraform.State) error {
		secret := s.RootModule().Resources[addr].Primary.Attributes["token"]
		if secret == "" {
			return errors.New("token is empty")
		}
		secrets = append(secrets, secret)
		return env.tokenWorks(t, secret)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := env.checkTokensDestroyed(t)(s); err != nil {
				return err
			}
			return env.tokenRevoked(t, secrets[len(secrets)-1])
		},
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("expires_at"), knownvalue.StringExact(expires)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
				},
				Check: saveSecret,
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token", "rotate_when_changed"},
			},
			{
				// Revoked out of band: planned again.
				PreConfig: func() {
					tokens, err := env.Client.ListTokens(env.ctx(t))
					if err != nil || len(tokens) != 1 {
						t.Fatalf("listing tokens: %v (%d found)", err, len(tokens))
					}
					if err := env.Client.DeleteToken(env.ctx(t), tokens[0].ID); err != nil {
						t.Fatalf("revoking token out of band: %v", err)
					}
				},
				Config:             config("1"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config("1"),
				Check:  saveSecret,
			},
			{
				// Rotation mints a new secret and revokes the old one.
				Config: config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
				},
				Check: resource.ComposeTestCheckFunc(saveSecret, func(*terraform.State) error {
					if secrets[1] == secrets[2] {
						return errors.New("rotation kept the same secret")
					}
					return env.tokenRevoked(t, secrets[1])
				}),
			},
		},
	})
}

func TestAccThirdPartyTokenResource_expiry(t *testing.T) {
	// What resource.ParallelTest does, but with the short expiry computed
	// after the wait for a parallel slot, which can be long.
	t.Parallel()
	env := newTestEnv(t)
	const addr = "identity_third_party_token.short"
	config := func(expires time.Time) string {
		return env.Config(fmt.Sprintf(`
resource "identity_third_party_token" "short" {
  role       = "auditor"
  expires_at = %q
}
`, expires.UTC().Format(time.RFC3339)))
	}
	// Long enough that the first two steps finish before it on a loaded
	// machine; the third step waits for it.
	soon := time.Now().Add(20 * time.Second).Truncate(time.Second)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkTokensDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:      config(time.Now().Add(-time.Hour)),
				ExpectError: regexp.MustCompile(`(?s)Unable to create third-party token.*is\s+not\s+in\s+the\s+future`),
			},
			{
				Config: config(soon.Add(time.Second)),
			},
			{
				// Once expired, the token is planned for replacement.
				PreConfig: func() {
					time.Sleep(time.Until(soon.Add(2 * time.Second)))
				},
				Config:             config(soon.Add(time.Second)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(time.Now().Add(time.Hour)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
				},
			},
		},
	})
}

// tokenWorks checks that a secret authenticates.
func (e *testEnv) tokenWorks(t *testing.T, secret string) error {
	c, err := client.New(client.Config{Endpoint: e.Server.URL, Token: secret, DisableRetries: true})
	if err != nil {
		return err
	}
	me, err := c.Me(e.ctx(t))
	if err != nil {
		return fmt.Errorf("new token does not work: %w", err)
	}
	if me.Kind != client.KindToken {
		return fmt.Errorf("token authenticates as %q, want %q", me.Kind, client.KindToken)
	}
	return nil
}

// tokenRevoked checks that a secret no longer authenticates.
func (e *testEnv) tokenRevoked(t *testing.T, secret string) error {
	c, err := client.New(client.Config{Endpoint: e.Server.URL, Token: secret, DisableRetries: true})
	if err != nil {
		return err
	}
	if _, err := c.Me(e.ctx(t)); !errors.Is(err, client.ErrUnauthorized) {
		return fmt.Errorf("revoked token: got %w, want unauthorized", err)
	}
	return nil
}

// checkTokensDestroyed asks the server that no token in the state still exists.
func (e *testEnv) checkTokensDestroyed(t *testing.T) resource.TestCheckFunc {
	return e.checkDestroyed(t, "identity_third_party_token", func(ctx context.Context, a map[string]string) error {
		_, err := e.Client.GetToken(ctx, a["id"])
		return err
	})
}
