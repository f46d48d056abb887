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

func TestAccRolesDataSource_filters(t *testing.T) {
	env := newTestEnv(t)
	for _, r := range []client.RoleCreate{
		{Name: "deployer", Level: 50, Description: "Deploys services."},
		{Name: "deploy-bot", Level: 60},
		{Name: "reviewer", Level: 300},
	} {
		if _, err := env.Client.CreateRole(env.ctx(t), r); err != nil {
			t.Fatalf("creating role %s: %v", r.Name, err)
		}
	}
	names := stringListExact
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
data "identity_roles" "max_level_bad" {
  min_level = 100
  max_level = 10
}
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid level range.*max_level 10 is below min_level 100`),
			},
			{
				Config: env.Config(`
data "identity_roles" "prefix_bad" {
  name_prefix = "Deploy"
}
`),
				ExpectError: regexp.MustCompile(`Invalid role name`),
			},
			{
				Config: env.Config(`
data "identity_roles" "all" {}

data "identity_roles" "custom" {
  builtin = false
}

data "identity_roles" "builtin" {
  builtin = true
}

data "identity_roles" "middle" {
  min_level = 10
  max_level = 100
}

data "identity_roles" "deploy" {
  name_prefix = "deploy"
}

data "identity_roles" "custom_privileged" {
  builtin   = false
  max_level = 55
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_roles.all", tfjsonpath.New("names"),
						names("sudo", "admin", "supervisor", "operator", "deployer", "deploy-bot", "auditor", "guest", "reviewer")),
					statecheck.ExpectKnownValue("data.identity_roles.custom", tfjsonpath.New("names"), names("deployer", "deploy-bot", "reviewer")),
					statecheck.ExpectKnownValue("data.identity_roles.builtin", tfjsonpath.New("names"),
						names("sudo", "admin", "supervisor", "operator", "auditor", "guest")),
					statecheck.ExpectKnownValue("data.identity_roles.middle", tfjsonpath.New("names"), names("operator", "deployer", "deploy-bot", "auditor")),
					statecheck.ExpectKnownValue("data.identity_roles.deploy", tfjsonpath.New("names"), names("deployer", "deploy-bot")),
					statecheck.ExpectKnownValue("data.identity_roles.custom_privileged", tfjsonpath.New("roles"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":        knownvalue.StringExact("deployer"),
							"level":       knownvalue.Int64Exact(50),
							"description": knownvalue.StringExact("Deploys services."),
							"builtin":     knownvalue.Bool(false),
							"created_at":  knownvalue.NotNull(),
							"updated_at":  knownvalue.NotNull(),
						}),
					})),
				},
			},
		},
	})
}

// stringListExact checks a list of exactly these strings, in this order.
func stringListExact(want ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(want))
	for i, v := range want {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}
