package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccPermissionsDataSource_basic(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "identity_permission" "view" {
  operation = "VIEW_PROJECT"
  scope     = "project:web"
  role      = "auditor"
}

resource "identity_permission" "deploy" {
  operation = "DEPLOY_INVENTORY"
  scope     = "tenant:acme"
  role      = "operator"
}

data "identity_permissions" "auditor" {
  role       = "auditor"
  depends_on = [identity_permission.view, identity_permission.deploy]
}

data "identity_permissions" "all" {
  depends_on = [identity_permission.view, identity_permission.deploy]
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.identity_permissions.all", tfjsonpath.New("permissions"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.identity_permissions.auditor", tfjsonpath.New("permissions"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"operation": knownvalue.StringExact("VIEW_PROJECT"),
						"scope":     knownvalue.StringExact("project:web"),
						"user_id":   knownvalue.Null(),
					}),
				})),
			},
		}},
	})
}
