package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// Ids are case-insensitive: an id written in upper case names the same
// object as the server's lower-case spelling, so it is not replaced, shows no
// diff and finds what it names.
func TestAccIDs_caseInsensitive(t *testing.T) {
	env := newTestEnv(t)
	alice := env.createUser(t, "case-alice")
	bob := env.createUser(t, "case-bob")
	g1, err := env.Client.CreateGroup(env.ctx(t), client.GroupCreate{Name: "case-one"})
	if err != nil {
		t.Fatal(err)
	}
	g2, err := env.Client.CreateGroup(env.ctx(t), client.GroupCreate{Name: "case-two"})
	if err != nil {
		t.Fatal(err)
	}
	config := func(spell func(string) string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_group_membership" "m" {
  group_id = %[1]q
  user_id  = %[2]q
}

resource "identity_group_members" "all" {
  group_id = %[3]q
  user_ids = [%[2]q, %[4]q]
}

resource "identity_permission" "p" {
  operation = "VIEW_PROJECT"
  scope     = "project:web"
  user_id   = %[2]q
}

data "identity_users" "in_group" {
  group_id   = %[3]q
  depends_on = [identity_group_members.all]
}

data "identity_permissions" "of_alice" {
  user_id    = %[2]q
  depends_on = [identity_permission.p]
}

data "identity_user" "alice" {
  id = %[2]q
}

data "identity_group" "one" {
  id = %[1]q
}
`, spell(g1.ID), spell(alice.ID), spell(g2.ID), spell(bob.ID)))
	}
	upper, lower := config(strings.ToUpper), config(strings.ToLower)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             resource.ComposeTestCheckFunc(env.checkPermissionsDestroyed(t), env.checkMembershipsDestroyed(t)),
		Steps: []resource.TestStep{
			{
				Config: upper,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_users.in_group", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(alice.ID), knownvalue.StringExact(bob.ID),
					})),
					statecheck.ExpectKnownValue("data.identity_permissions.of_alice", tfjsonpath.New("permissions"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.identity_user.alice", tfjsonpath.New("username"), knownvalue.StringExact("case-alice")),
					statecheck.ExpectKnownValue("data.identity_group.one", tfjsonpath.New("name"), knownvalue.StringExact("case-one")),
				},
				Check: func(*terraform.State) error { return env.expectMembers(t, g2.ID, alice.ID, bob.ID) },
			},
			{
				// Refreshed against the server's lower-case ids: nothing to do.
				Config:   upper,
				PlanOnly: true,
			},
			{
				// Writing the same ids in lower case changes nothing on the server.
				Config: lower,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("identity_group_membership.m", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("identity_permission.p", plancheck.ResourceActionUpdate),
					},
				},
			},
			{
				Config:   lower,
				PlanOnly: true,
			},
		},
	})
}
