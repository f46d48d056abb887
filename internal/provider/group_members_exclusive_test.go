package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// planTimeConflict is the plan-time refusal of a membership in a group whose
// members identity_group_members manages.
var planTimeConflict = regexp.MustCompile(`(?s)Group members are managed as a whole set.*Cannot add user [0-9a-f-]{36}\s+to\s+group\s+Acme:Ops.*Add\s+the\s+user\s+to\s+that\s+resource's\s+user_ids\s+instead`)

// identity_group_members marks its group; a membership in the marked group
// fails at plan time; a mark cleared outside Terraform is drift that the next
// apply repairs without changing a member; destroying the set clears the mark
// and a membership can then be added.
func TestAccGroupMembersResource_exclusive(t *testing.T) {
	env := newTestEnv(t)
	alice := env.createUser(t, "alice")
	bob := env.createUser(t, "bob")
	const addr = "identity_group_members.ops"
	const group = `
resource "identity_group" "ops" {
  name         = "Ops"
  organization = "Acme"
}
`
	set := group + fmt.Sprintf(`
resource "identity_group_members" "ops" {
  group_id = identity_group.ops.id
  user_ids = [%q]
}
`, alice.ID)
	pair := fmt.Sprintf(`
resource "identity_group_membership" "bob" {
  group_id = identity_group.ops.id
  user_id  = %q
}
`, bob.ID)
	var groupID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkMembershipsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: env.Config(set),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("exclusive"), knownvalue.Bool(true)),
				},
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["identity_group.ops"].Primary.ID
					return env.expectExclusive(t, groupID, true)
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				// The group is known, so the plan itself refuses the membership.
				Config:      env.Config(set + pair),
				PlanOnly:    true,
				ExpectError: planTimeConflict,
			},
			{
				// A mark cleared outside Terraform is drift...
				PreConfig: func() {
					unmark := false
					if _, err := env.Client.PutMemberSet(env.ctx(t), groupID, []string{alice.ID}, &unmark); err != nil {
						t.Fatalf("clearing the mark out of band: %v", err)
					}
				},
				Config:             env.Config(set),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// ...which the next apply repairs, changing no member.
				Config: env.Config(set),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						expectOnlyChanged(addr, "exclusive"),
					},
				},
				Check: func(*terraform.State) error {
					if err := env.expectMembers(t, groupID, alice.ID); err != nil {
						return err
					}
					return env.expectExclusive(t, groupID, true)
				},
			},
			{
				// Destroying the set empties the group and clears the mark.
				Config: env.Config(group),
				Check: func(*terraform.State) error {
					if err := env.expectMembers(t, groupID); err != nil {
						return err
					}
					return env.expectExclusive(t, groupID, false)
				},
			},
			{
				Config: env.Config(group + pair),
				Check:  func(*terraform.State) error { return env.expectMembers(t, groupID, bob.ID) },
			},
		},
	})
}

// When the group is created in the same apply, its id is unknown at plan
// time; the apply refuses the membership (Terraform plans it again once the
// group exists, and the server refuses an add to a marked group), with the
// same advice, and adds no one.
func TestAccGroupMembershipResource_exclusiveAtApply(t *testing.T) {
	env := newTestEnv(t)
	alice := env.createUser(t, "alice")
	bob := env.createUser(t, "bob")
	// config declares the group, a set marking it and a membership in it.
	config := func(membershipExtra string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_group" "ops" {
  name         = "Ops"
  organization = "Acme"
}

resource "identity_group_members" "ops" {
  group_id = identity_group.ops.id
  user_ids = [%q]
}

resource "identity_group_membership" "bob" {
  group_id = identity_group.ops.id
  user_id  = %q
  %s
}
`, alice.ID, bob.ID, membershipExtra))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkMembershipsDestroyed(t),
		Steps: []resource.TestStep{
			{
				// The membership comes after the set, so it meets a marked group.
				Config:      config("depends_on = [identity_group_members.ops]"),
				ExpectError: regexp.MustCompile(`(?s)Group members are managed as a whole set.*group\s+Acme:Ops.*Add\s+the\s+user\s+to\s+that\s+resource's\s+user_ids\s+instead`),
			},
			{
				// The refused membership was not added; the plan now sees the
				// group and refuses it before any apply.
				PreConfig: func() {
					groups, err := env.Client.ListGroups(env.ctx(t), client.GroupFilter{FullName: "Acme:Ops"})
					if err != nil || len(groups) != 1 {
						t.Fatalf("finding the group: %v, %v", groups, err)
					}
					if err := env.expectMembers(t, groups[0].ID, alice.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config:      config(""),
				PlanOnly:    true,
				ExpectError: planTimeConflict,
			},
		},
	})
}

// expectExclusive asks the server whether a group is marked as having its
// members managed as a whole set.
func (e *testEnv) expectExclusive(t *testing.T, groupID string, want bool) error {
	g, err := e.Client.GetGroup(e.ctx(t), groupID)
	if err != nil {
		return fmt.Errorf("reading group %s: %w", groupID, err)
	}
	if g.MembersExclusive != want {
		return fmt.Errorf("group %s has members_exclusive %t, want %t", g.FullName, g.MembersExclusive, want)
	}
	return nil
}

// expectOnlyChanged is a plan check that the resource's planned change
// touches exactly the named attributes.
func expectOnlyChanged(addr string, attrs ...string) plancheck.PlanCheck {
	return onlyChanged{addr: addr, attrs: attrs}
}

type onlyChanged struct {
	addr  string
	attrs []string
}

func (c onlyChanged) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var changed []string
		for k := range after {
			if u, _ := unknown[k].(bool); u || !reflect.DeepEqual(before[k], after[k]) {
				changed = append(changed, k)
			}
		}
		slices.Sort(changed)
		want := slices.Clone(c.attrs)
		slices.Sort(want)
		if !slices.Equal(changed, want) {
			resp.Error = fmt.Errorf("%s: planned changes to %v, want changes to %v only", c.addr, changed, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s: no planned change", c.addr)
}

// The server's 409 for an add to a marked group (an add that reaches the
// server although the plan saw the group unmarked) gets the plan's summary
// and advice, with the server's own words.
func TestGroupMembershipCreateError_membersExclusive(t *testing.T) {
	env := newTestEnv(t)
	u := env.createUser(t, "alice")
	g, err := env.Client.CreateGroup(env.ctx(t), client.GroupCreate{Name: "Ops", Organization: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	mark := true
	if _, err := env.Client.PutMemberSet(env.ctx(t), g.ID, nil, &mark); err != nil {
		t.Fatal(err)
	}
	_, err = env.Client.AddMember(env.ctx(t), g.ID, u.ID)
	var diags diag.Diagnostics
	addMembershipCreateError(&diags, err, g.ID, u.ID)
	if len(diags) != 1 {
		t.Fatalf("diagnostics %v", diags)
	}
	d := diags[0]
	if d.Summary() != summaryMembersExclusive ||
		!strings.Contains(d.Detail(), "409 Conflict: group Acme:Ops has its members managed as a whole set (members_exclusive); add the user to that set instead, or stop managing it as a set") ||
		!strings.Contains(d.Detail(), membersExclusiveAdvice) {
		t.Fatalf("diagnostic %q: %q", d.Summary(), d.Detail())
	}

	// Any other refusal keeps the plain summary.
	diags = nil
	_, err = env.Client.AddMember(env.ctx(t), g.ID+"0", u.ID)
	addMembershipCreateError(&diags, err, g.ID+"0", u.ID)
	if len(diags) != 1 || diags[0].Summary() != "Unable to create group membership" || strings.Contains(diags[0].Detail(), membersExclusiveAdvice) {
		t.Fatalf("diagnostics for another error %v", diags)
	}
}
