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

func TestAccGroupResource_basic(t *testing.T) {
	env := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const addr = "identity_group.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkGroupsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "identity_group" "test" {
  name         = "Developers"
  organization = "Acme"
  description  = "People who write code"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("full_name"), knownvalue.StringExact("Acme:Developers")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "acme:developers"},
			{
				Config: env.Config(`
resource "identity_group" "test" {
  name = "Engineers"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("full_name"), knownvalue.StringExact("Engineers")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("organization"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "Engineers"},
			{
				// Deleted out of band: planned again.
				PreConfig: func() {
					g, err := groupByFullName(env.ctx(t), env.Client, "Engineers")
					if err != nil {
						t.Fatalf("finding group: %v", err)
					}
					if err := env.Client.DeleteGroup(env.ctx(t), g.ID); err != nil {
						t.Fatalf("deleting group out of band: %v", err)
					}
				},
				Config: env.Config(`
resource "identity_group" "test" {
  name = "Engineers"
}
`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// checkGroupsDestroyed asks the server that no group in the state still exists.
func (e *testEnv) checkGroupsDestroyed(t *testing.T) resource.TestCheckFunc {
	return e.checkDestroyed(t, "identity_group", func(ctx context.Context, a map[string]string) error {
		_, err := e.Client.GetGroup(ctx, a["id"])
		return err
	})
}

// A change made through the API between a saved plan and its apply is
// reported as such rather than breaking the apply.
func TestAccGroupResource_editBetweenPlanAndApply(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_group.test"
	config := func(name string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_group" "test" {
  name         = %q
  organization = "Acme"
  description  = "Pays"
}
`, name))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkGroupsDestroyed(t),
		Steps: []resource.TestStep{
			{Config: config("Payments")},
			{
				Config: config("Billing"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						changeBeforeApply(func(ctx context.Context) error {
							g, err := groupByFullName(ctx, env.Client, "Acme:Payments")
							if err != nil {
								return err
							}
							d := "Changed elsewhere"
							_, err = env.Client.UpdateGroup(ctx, g.ID, client.GroupUpdate{Description: &d})
							return err
						}),
					},
				},
				ExpectError: regexp.MustCompile(`(?s)Unable to update group.*"Acme:Payments".*` + changedOnServer),
			},
			{
				Config: config("Billing"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("full_name"), knownvalue.StringExact("Acme:Billing")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Pays")),
				},
			},
		},
	})
}
