package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccRoleDataSource_basic(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "identity_role" "custom" {
  name        = "deployer"
  level       = 50
  description = "Deploys things"
}

data "identity_role" "custom" {
  name = identity_role.custom.name
}

data "identity_role" "admin" {
  name = "admin"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_role.custom", tfjsonpath.New("level"), knownvalue.Int64Exact(50)),
					statecheck.ExpectKnownValue("data.identity_role.custom", tfjsonpath.New("description"), knownvalue.StringExact("Deploys things")),
					statecheck.ExpectKnownValue("data.identity_role.custom", tfjsonpath.New("builtin"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.identity_role.admin", tfjsonpath.New("level"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("data.identity_role.admin", tfjsonpath.New("builtin"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

func TestAccRoleDataSource_notFound(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
data "identity_role" "missing" {
  name = "nosuchrole"
}
`),
				ExpectError: regexp.MustCompile(`No role named "nosuchrole"`),
			},
		},
	})
}
