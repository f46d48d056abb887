package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccGroupDataSource_basic(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "identity_group" "admins" {
  name         = "Admins"
  organization = "Acme"
  description  = "Administrators"
}

data "identity_group" "by_name" {
  name         = "admins"
  organization = "acme"
  depends_on   = [identity_group.admins]
}

data "identity_group" "by_id" {
  id = identity_group.admins.id
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("data.identity_group.by_name", tfjsonpath.New("id"), "identity_group.admins", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.identity_group.by_name", tfjsonpath.New("full_name"), knownvalue.StringExact("Acme:Admins")),
					statecheck.ExpectKnownValue("data.identity_group.by_id", tfjsonpath.New("description"), knownvalue.StringExact("Administrators")),
					statecheck.ExpectKnownValue("data.identity_group.by_id", tfjsonpath.New("member_count"), knownvalue.Int64Exact(0)),
				},
			},
			{
				Config:      env.Config(`data "identity_group" "missing" { name = "nobody" }`),
				ExpectError: regexp.MustCompile(`(?s)Unable to read group.*named "nobody"`),
			},
		},
	})
}
