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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// `moved` between the two membership styles plans no change, both ways; a
// set of more than one user does not move to a single membership.
func TestAccGroupMembershipResource_movedBetweenStyles(t *testing.T) {
	env := newTestEnv(t)
	alice := env.createUser(t, "alice")
	bob := env.createUser(t, "bob")
	const group = `
resource "identity_group" "team" {
  name = "team"
}
`
	pair := env.Config(group + fmt.Sprintf(`
resource "identity_group_membership" "team" {
  group_id = identity_group.team.id
  user_id  = %q
}
`, alice.ID))
	set := func(moved string, users ...string) string {
		return env.Config(group + fmt.Sprintf(`
resource "identity_group_members" "team" {
  group_id = identity_group.team.id
  user_ids = %s
}
%s`, hclStrings(users), moved))
	}
	pairFromSet := env.Config(group + fmt.Sprintf(`
resource "identity_group_membership" "team" {
  group_id = identity_group.team.id
  user_id  = %q
}

moved {
  from = identity_group_members.team
  to   = identity_group_membership.team
}
`, alice.ID))
	const toSet = `
moved {
  from = identity_group_membership.team
  to   = identity_group_members.team
}
`
	var groupID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		CheckDestroy:             env.checkMembershipsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: pair,
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["identity_group.team"].Primary.ID
					return env.expectMembers(t, groupID, alice.ID)
				},
			},
			{
				Config: set(toSet, alice.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("identity_group_members.team", plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("identity_group_members.team", tfjsonpath.New("user_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(alice.ID)})),
				},
				Check: func(*terraform.State) error { return env.expectMembers(t, groupID, alice.ID) },
			},
			{
				Config: pairFromSet,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("identity_group_membership.team", plancheck.ResourceActionNoop)},
				},
				Check: func(s *terraform.State) error {
					if got, want := s.RootModule().Resources["identity_group_membership.team"].Primary.ID, groupID+"/"+alice.ID; got != want {
						return fmt.Errorf("moved membership has id %q, want %q", got, want)
					}
					return env.expectMembers(t, groupID, alice.ID)
				},
			},
			{
				Config: set(toSet, alice.ID, bob.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("identity_group_members.team", plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error { return env.expectMembers(t, groupID, alice.ID, bob.ID) },
			},
			{
				Config:      pairFromSet,
				ExpectError: regexp.MustCompile(`holds\s+2\s+members;\s+only\s+a\s+set\s+of\s+exactly\s+one\s+user`),
			},
			{
				// Nothing moved: the set is as it was.
				Config:   set("", alice.ID, bob.ID),
				PlanOnly: true,
			},
		},
	})
}
