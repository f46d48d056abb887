package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccGroupMembershipResource_basic(t *testing.T) {
	env := newTestEnv(t)
	alice := env.createUser(t, "alice")
	bob := env.createUser(t, "bob")
	const addr = "identity_group_membership.alice"

	config := func(withBob bool) string {
		body := fmt.Sprintf(`
resource "identity_group" "team" {
  name = "team"
}

resource "identity_group_membership" "alice" {
  group_id = identity_group.team.id
  user_id  = %q
}
`, alice.ID)
		if withBob {
			body += fmt.Sprintf(`
resource "identity_group_membership" "bob" {
  group_id = identity_group.team.id
  user_id  = %q
}
`, bob.ID)
		}
		return env.Config(body)
	}
	var groupID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkMembershipsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config(true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("user_id"), knownvalue.StringExact(alice.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile("^[0-9a-f-]{36}/"+alice.ID+"$"))),
				},
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["identity_group.team"].Primary.ID
					return env.expectMembers(t, groupID, alice.ID, bob.ID)
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "not-a-pair",
				ExpectError:   regexp.MustCompile(`(?s)Expected an import id of the form group/user,.*group_id/user_id.*got\s+"not-a-pair"`),
			},
			{
				// Removing bob's membership leaves alice's alone.
				Config: config(false),
				Check: func(*terraform.State) error {
					return env.expectMembers(t, groupID, alice.ID)
				},
			},
			{
				PreConfig: func() {
					if err := env.Client.RemoveMember(env.ctx(t), groupID, alice.ID); err != nil {
						t.Fatalf("removing member out of band: %v", err)
					}
				},
				Config:             config(false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// expectMembers asks the server for a group's members and compares them with want.
func (e *testEnv) expectMembers(t *testing.T, groupID string, want ...string) error {
	got, err := e.Client.GetMemberIDs(e.ctx(t), groupID)
	if err != nil {
		return fmt.Errorf("reading members of %s: %w", groupID, err)
	}
	wantSet := map[string]bool{}
	for _, id := range want {
		wantSet[id] = true
	}
	if len(got) != len(wantSet) {
		return fmt.Errorf("group %s has members %v, want %v", groupID, got, want)
	}
	for _, id := range got {
		if !wantSet[id] {
			return fmt.Errorf("group %s has members %v, want %v", groupID, got, want)
		}
	}
	return nil
}

// checkMembershipsDestroyed asks the server that no membership in the state still exists.
func (e *testEnv) checkMembershipsDestroyed(t *testing.T) resource.TestCheckFunc {
	return e.checkDestroyed(t, "identity_group_membership", func(ctx context.Context, a map[string]string) error {
		_, err := e.Client.GetMembership(ctx, a["group_id"], a["user_id"])
		return err
	})
}
