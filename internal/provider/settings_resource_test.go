package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// testAccCheckSettingsDefaults asks the server that destroying
// identity_settings restored every default.
func testAccCheckSettingsDefaults(env *testEnv, t *testing.T) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := env.Client.GetSettings(env.ctx(t))
		if err != nil {
			return fmt.Errorf("reading settings: %w", err)
		}
		if s.SelfRegistration || s.SelfRegistrationRole != "guest" || s.PasswordMinLength != 8 || s.SessionTTL != "12h" ||
			s.LoginThrottleThreshold != 5 || s.LoginThrottleWindow != "15m" {
			return fmt.Errorf("settings after destroy are not the defaults: %+v", s)
		}
		return nil
	}
}

// testAccSettingsEveryField sets every setting.
const testAccSettingsEveryField = `
resource "identity_settings" "test" {
  self_registration        = true
  self_registration_role   = "auditor"
  password_min_length      = 10
  session_ttl              = "24h0m"
  login_throttle_threshold = 3
  login_throttle_window    = "1h"
}
`

func TestAccSettingsResource_basic(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_settings.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckSettingsDefaults(env, t),
		Steps: []resource.TestStep{
			{
				// Unset arguments are read from the server; a duration keeps its spelling.
				Config: env.Config(`
resource "identity_settings" "test" {
  self_registration   = true
  password_min_length = 12
  session_ttl         = "24h0m"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("settings")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("self_registration"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("self_registration_role"), knownvalue.StringExact("guest")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_min_length"), knownvalue.Int64Exact(12)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("session_ttl"), knownvalue.StringExact("24h0m")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("login_throttle_threshold"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("login_throttle_window"), knownvalue.StringExact("15m")),
				},
				Check: func(*terraform.State) error {
					s, err := env.Client.GetSettings(env.ctx(t))
					if err != nil {
						return err
					}
					if !s.SelfRegistration || s.PasswordMinLength != 12 || s.SessionTTL != "24h" {
						return fmt.Errorf("server settings = %+v", s)
					}
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "settings",
				ImportStateVerify: true,
				// The import reads the server's spelling of the duration.
				ImportStateVerifyIgnore: []string{"session_ttl"},
			},
			{
				Config: env.Config(testAccSettingsEveryField),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("self_registration_role"), knownvalue.StringExact("auditor")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_min_length"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("login_throttle_threshold"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("login_throttle_window"), knownvalue.StringExact("1h")),
				},
			},
			{
				// Changed out of band: the plan sets the configured values again.
				PreConfig: func() {
					if _, err := env.Client.ResetSettings(env.ctx(t)); err != nil {
						t.Fatalf("resetting settings out of band: %v", err)
					}
				},
				Config: env.Config(testAccSettingsEveryField),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("self_registration_role"), knownvalue.StringExact("auditor")),
					},
				},
			},
		},
	})
}

func TestAccSettingsResource_refusals(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(`resource "identity_settings" "test" { session_ttl = "1m" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)session_ttl must be a duration.*between 5m and 720h`),
			},
			{
				Config:      env.Config(`resource "identity_settings" "test" { password_min_length = 4 }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)password_min_length.*between 8 and 128`),
			},
			{
				Config:      env.Config(`resource "identity_settings" "test" { self_registration_role = "operator" }`),
				ExpectError: regexp.MustCompile(`(?s)Unable to set the server settings.*cannot be the self-registration\s+role`),
			},
			{
				Config:        env.Config(`resource "identity_settings" "test" {}`),
				ResourceName:  "identity_settings.test",
				ImportState:   true,
				ImportStateId: "other",
				ExpectError:   regexp.MustCompile(`Import the server settings with the id "settings"`),
			},
		},
	})
}

func TestAccSettingsDataSource_basic(t *testing.T) {
	env := newTestEnv(t)
	on, window := true, "90m"
	if _, err := env.Client.UpdateSettings(env.ctx(t), client.SettingsUpdate{SelfRegistration: &on, LoginThrottleWindow: &window}); err != nil {
		t.Fatalf("changing settings: %v", err)
	}
	const addr = "data.identity_settings.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`data "identity_settings" "test" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("settings")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("self_registration"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("login_throttle_window"), knownvalue.StringExact("1h30m")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("session_ttl"), knownvalue.StringExact("12h")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_min_length"), knownvalue.Int64Exact(8)),
			},
		}},
	})
}
