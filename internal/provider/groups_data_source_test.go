package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccGroupsDataSource_basic(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "identity_group" "acme_dev" {
  name         = "Dev"
  organization = "Acme"
}

resource "identity_group" "acme_ops" {
  name         = "Ops"
  organization = "Acme"
}

resource "identity_group" "dev" {
  name = "Dev"
}

locals {
  groups = [identity_group.acme_dev, identity_group.acme_ops, identity_group.dev]
}

data "identity_groups" "acme" {
  organization = "Acme"
  depends_on   = [local.groups]
}

data "identity_groups" "dev" {
  name       = "dev"
  depends_on = [local.groups]
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.identity_groups.acme", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.identity_groups.dev", tfjsonpath.New("groups"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.identity_groups.acme", tfjsonpath.New("groups").AtSliceIndex(0).AtMapKey("organization"), knownvalue.StringExact("Acme")),
			},
		}},
	})
}
