package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

func TestAccPermissionResource_basic(t *testing.T) {
	env := newTestEnv(t)
	user := env.createUser(t, "perm-user")
	idsDiffer := statecheck.CompareValue(compare.ValuesDiffer())
	const addr = "identity_permission.test"

	config := func(scope string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_group" "ops" {
  name = "ops"
}

resource "identity_permission" "test" {
  operation = "VIEW_PROJECT"
  scope     = %q
  group_id  = identity_group.ops.id
}

resource "identity_permission" "user" {
  operation = "DEPLOY_INVENTORY"
  scope     = "inventory:prod"
  user_id   = %q
}

resource "identity_permission" "role" {
  operation = "SUPER_ADMIN"
  scope     = "global"
  role      = "operator"
}
`, scope, user.ID))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkPermissionsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config("project:web"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scope"), knownvalue.StringExact("project:web")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("user_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("identity_permission.user", tfjsonpath.New("user_id"), knownvalue.StringExact(user.ID)),
					statecheck.ExpectKnownValue("identity_permission.role", tfjsonpath.New("role"), knownvalue.StringExact("operator")),
					idsDiffer.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: "identity_permission.role", ImportState: true, ImportStateVerify: true},
			{
				// Grants are immutable: a new scope is a new grant.
				Config: config("tenant:acme"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{idsDiffer.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				PreConfig: func() {
					perms, err := env.Client.ListPermissions(env.ctx(t), client.PermissionFilter{Scope: "tenant:acme"})
					if err != nil || len(perms) != 1 {
						t.Fatalf("finding permission: %v (%d found)", err, len(perms))
					}
					if err := env.Client.DeletePermission(env.ctx(t), perms[0].ID); err != nil {
						t.Fatalf("revoking permission out of band: %v", err)
					}
				},
				Config:             config("tenant:acme"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccPermissionResource_validation(t *testing.T) {
	env := newTestEnv(t)
	config := func(operation, scope, principals string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_permission" "bad" {
  operation = %q
  scope     = %q
%s
}
`, operation, scope, principals))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("FLY", "global", `  role = "operator"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Attribute operation value must be one of.*"SUPER_ADMIN"`),
			},
			{
				Config:      config("VIEW_PROJECT", "planet:mars", `  role = "operator"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid scope.*scope is not valid: scope kind "planet" is unknown`),
			},
			{
				Config:      config("SUPER_ADMIN", "tenant:acme", `  role = "operator"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Operation not allowed on this scope.*scope\s+= "tenant:acme".*operation SUPER_ADMIN is not valid on a tenant scope; it is valid on: global`),
			},
			{
				Config:      config("VIEW_PROJECT", "global", "  role     = \"operator\"\n  group_id = \"x\""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*group_id = "x".*Exactly one of these attributes must be configured:\s+\[user_id,group_id,role\]`),
			},
			{
				Config:      config("VIEW_PROJECT", "global", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured:\s+\[user_id,group_id,role\]`),
			},
		},
	})
}

// createUser makes a user through the API for tests that need one.
func (e *testEnv) createUser(t *testing.T, username string) *client.User {
	t.Helper()
	u, err := e.Client.CreateUser(e.ctx(t), client.UserCreate{Username: username, Email: username + "@example.com"})
	if err != nil {
		t.Fatalf("creating user %s: %v", username, err)
	}
	return u
}

// checkPermissionsDestroyed asks the server that no permission in the state still exists.
func (e *testEnv) checkPermissionsDestroyed(t *testing.T) resource.TestCheckFunc {
	return e.checkDestroyed(t, "identity_permission", func(ctx context.Context, a map[string]string) error {
		_, err := e.Client.GetPermission(ctx, a["id"])
		return err
	})
}

// A grant that already exists is named with its id and the way to import
// it, without claiming an interrupted apply made it.
func TestAccPermissionResource_duplicateGrantNamesExisting(t *testing.T) {
	env := newTestEnv(t)
	user := env.createUser(t, "dup-grant")
	existing, err := env.Client.CreatePermission(env.ctx(t), client.PermissionCreate{Operation: "VIEW_PROJECT", Scope: "project:web", UserID: user.ID})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
resource "identity_permission" "p" {
  operation = "VIEW_PROJECT"
  scope     = "project:web"
  user_id   = %q
}
`, user.ID)),
				ExpectError: regexp.MustCompile(`(?s)Unable to create permission.*grant\s+of\s+VIEW_PROJECT\s+on\s+project:web.*\(permission\s+id\s+` +
					existing.ID + `\)\s+already\s+exists.*another\s+configuration\s+or\s+a\s+manual\s+change.*terraform\s+import\s+'identity_permission.<name>'\s+'` + existing.ID + `'`),
			},
		},
	})
}
