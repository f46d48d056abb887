package provider

import (
	"context"
	"errors"
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

func testAccRoleConfig(env *testEnv, name string, level int, description string) string {
	return env.Config(fmt.Sprintf(`
resource "identity_role" "test" {
  name        = %q
  level       = %d
  description = %q
}
`, name, level, description))
}

// testAccCheckRoleDestroyed asks the server that no identity_role in state still exists.
func testAccCheckRoleDestroyed(env *testEnv, t *testing.T) resource.TestCheckFunc {
	return env.checkDestroyed(t, "identity_role", func(ctx context.Context, a map[string]string) error {
		_, err := env.Client.GetRole(ctx, a["name"])
		return err
	})
}

func TestAccRoleResource_basic(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_role.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRoleDestroyed(env, t),
		Steps: []resource.TestStep{
			{
				Config: testAccRoleConfig(env, "deployer", 50, "Deploys things"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("deployer")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("level"), knownvalue.Int64Exact(50)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Deploys things")),
				},
			},
			{
				ResourceName:                         addr,
				ImportState:                          true,
				ImportStateId:                        "deployer",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
			},
			{
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "deployer",
			},
			{
				Config: testAccRoleConfig(env, "deployer", 60, "Deploys more things"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("level"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Deploys more things")),
				},
			},
			{
				// Deleted out of band: refresh drops it and the plan creates it again.
				PreConfig: func() {
					if err := env.Client.DeleteRole(env.ctx(t), "deployer"); err != nil {
						t.Fatalf("deleting role out of band: %v", err)
					}
				},
				Config: testAccRoleConfig(env, "deployer", 60, "Deploys more things"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func TestAccRoleResource_defaultsAndReplace(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_role.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRoleDestroyed(env, t),
		Steps: []resource.TestStep{
			{
				// Without a description the state holds "", matching what the server returns.
				Config: env.Config(`
resource "identity_role" "test" {
  name  = "viewer"
  level = 500
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
				},
			},
			{
				Config: env.Config(`
resource "identity_role" "test" {
  name  = "reader"
  level = 500
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
}

func TestAccRoleResource_validation(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccRoleConfig(env, "Deployer", 50, ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid role name`),
			},
			{
				Config:      testAccRoleConfig(env, "deployer", 1001, ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)level.*between 0 and 1000`),
			},
			{
				Config: env.Config(`
resource "identity_role" "test" {
  name        = "deployer"
  level       = 50
  description = "bad\u0001text"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`control characters`),
			},
		},
	})
}

// A change made through the API between a saved plan and its apply is
// reported as such rather than breaking the apply.
func TestAccRoleResource_editBetweenPlanAndApply(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_role.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRoleDestroyed(env, t),
		Steps: []resource.TestStep{
			{Config: testAccRoleConfig(env, "reviewer", 50, "Reviews")},
			{
				Config: testAccRoleConfig(env, "reviewer", 60, "Reviews"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						changeBeforeApply(func(ctx context.Context) error {
							d := "Changed elsewhere"
							_, err := env.Client.UpdateRole(ctx, "reviewer", client.RoleUpdate{Description: &d})
							return err
						}),
					},
				},
				ExpectError: regexp.MustCompile(`(?s)Unable to update role.*"reviewer".*` + changedOnServer),
			},
			{
				Config: testAccRoleConfig(env, "reviewer", 60, "Reviews"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("level"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Reviews")),
				},
			},
		},
	})
}

// Built-in roles exist on every server and cannot be managed: refused at
// plan time and on import, with the reason.
func TestAccRoleResource_builtinRefused(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccRoleConfig(env, "auditor", 100, ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid role name.*built-in\s+role\s+"auditor".*cannot\s+be\s+managed`),
			},
			{
				Config: env.Config(`
import {
  to = identity_role.test
  id = "auditor"
}

resource "identity_role" "test" {
  name  = "custom"
  level = 100
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid import ID.*built-in\s+role\s+"auditor"`),
			},
		},
	})
}

// Renaming a role that users hold: without create_before_destroy the old
// role cannot be deleted first and the error gives both recipes; with it the
// rename goes through in one apply.
func TestAccRoleResource_renameWhileHeld(t *testing.T) {
	env := newTestEnv(t)
	config := func(name, lifecycle string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_role" "r" {
  name  = %q
  level = 50
%s
}

resource "identity_user" "a" {
  username = "rename-a"
  email    = "rename-a@example.com"
  role     = identity_role.r.name
}

resource "identity_user" "b" {
  username = "rename-b"
  email    = "rename-b@example.com"
  role     = identity_role.r.name
}
`, name, lifecycle))
	}
	const cbd = "  lifecycle {\n    create_before_destroy = true\n  }"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRoleDestroyed(env, t),
		Steps: []resource.TestStep{
			{Config: config("dev", "")},
			{
				Config:      config("developer", ""),
				ExpectError: regexp.MustCompile(`(?s)Unable to delete role.*"dev".*create_before_destroy\s+=\s+true.*rename\s+in\s+two\s+steps`),
			},
			{
				Config: config("developer", cbd),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("identity_user.a", tfjsonpath.New("role"), knownvalue.StringExact("developer")),
					statecheck.ExpectKnownValue("identity_user.b", tfjsonpath.New("role"), knownvalue.StringExact("developer")),
				},
				Check: func(*terraform.State) error {
					_, err := env.Client.GetRole(env.ctx(t), "dev")
					switch {
					case err == nil:
						return errors.New("old role dev still exists after the rename")
					case !errors.Is(err, client.ErrNotFound):
						return fmt.Errorf("reading old role dev after the rename: %w", err)
					}
					return nil
				},
			},
		},
	})
}
