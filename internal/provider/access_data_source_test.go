package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// accessFixture is a member of a group holding a grant on tenant:acme.
type accessFixture struct {
	user  *client.User
	group *client.Group
	grant *client.Permission
}

func (e *testEnv) accessFixture(t *testing.T, operation string) accessFixture {
	t.Helper()
	ctx := e.ctx(t)
	u := e.createUser(t, "alice")
	g, err := e.Client.CreateGroup(ctx, client.GroupCreate{Name: "Release Managers", Organization: "Acme"})
	if err != nil {
		t.Fatalf("creating group: %v", err)
	}
	if _, err := e.Client.AddMember(ctx, g.ID, u.ID); err != nil {
		t.Fatalf("adding member: %v", err)
	}
	p, err := e.Client.CreatePermission(ctx, client.PermissionCreate{Operation: operation, Scope: "tenant:acme", GroupID: g.ID})
	if err != nil {
		t.Fatalf("granting: %v", err)
	}
	return accessFixture{user: u, group: g, grant: p}
}

// A grant on a tenant to a group reaches its members on the tenant's
// projects, not on another tenant's; leaving the group shows on the next plan.
func TestAccAccessDataSource_groupGrantOnTenant(t *testing.T) {
	env := newTestEnv(t)
	f := env.accessFixture(t, "VIEW_PROJECT")
	tok, err := env.Client.CreateToken(env.ctx(t), client.TokenCreate{Role: "operator"})
	if err != nil {
		t.Fatalf("creating token: %v", err)
	}
	if _, err := env.Client.CreatePermission(env.ctx(t), client.PermissionCreate{Operation: "VIEW_PROJECT", Scope: "global", Role: "operator"}); err != nil {
		t.Fatalf("granting to the role: %v", err)
	}
	config := env.Config(fmt.Sprintf(`
data "identity_access" "web" {
  user_id   = %[1]q
  operation = "VIEW_PROJECT"
  scope     = "tenant:acme/project:web"
}

data "identity_access" "other_tenant" {
  user_id   = %[1]q
  operation = "VIEW_PROJECT"
  scope     = "tenant:other/project:web"
}

data "identity_access" "token" {
  token_id  = %[2]q
  operation = "VIEW_PROJECT"
  scope     = "tenant:other/project:web"
}
`, f.user.ID, tok.ID))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_access.web", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.identity_access.web", tfjsonpath.New("via"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"kind":       knownvalue.StringExact("group"),
							"grant_id":   knownvalue.StringExact(f.grant.ID),
							"operation":  knownvalue.StringExact("VIEW_PROJECT"),
							"scope":      knownvalue.StringExact("tenant:acme"),
							"group_id":   knownvalue.StringExact(f.group.ID),
							"group_name": knownvalue.StringExact("Acme:Release Managers"),
							"role":       knownvalue.Null(),
						}),
					})),
					statecheck.ExpectKnownValue("data.identity_access.other_tenant", tfjsonpath.New("allowed"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.identity_access.other_tenant", tfjsonpath.New("via"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.identity_access.token", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.identity_access.token", tfjsonpath.New("via").AtSliceIndex(0).AtMapKey("role"), knownvalue.StringExact("operator")),
				},
			},
			{
				// Removed from the group outside Terraform: the next plan reads the change.
				PreConfig: func() {
					if err := env.Client.RemoveMember(env.ctx(t), f.group.ID, f.user.ID); err != nil {
						t.Fatalf("removing member: %v", err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_access.web", tfjsonpath.New("allowed"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.identity_access.web", tfjsonpath.New("via"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}

// An access policy asserted in Terraform: a postcondition on the data source
// fails the plan when the policy is broken; a check block reports the same
// as a warning (Terraform's rule for checks) and lets the run go on.
func TestAccAccessDataSource_policy(t *testing.T) {
	env := newTestEnv(t)
	f := env.accessFixture(t, "DEPLOY_INVENTORY")
	outsider := env.createUser(t, "mallory")
	policy := func(userID string) string {
		return env.Config(fmt.Sprintf(`
data "identity_access" "deploy_prod" {
  user_id   = %q
  operation = "DEPLOY_INVENTORY"
  scope     = "tenant:acme/inventory:prod"

  lifecycle {
    postcondition {
      condition     = self.allowed && alltrue([for v in self.via : v.kind == "group" && v.group_name == "Acme:Release Managers"])
      error_message = "Policy broken: DEPLOY_INVENTORY on tenant:acme/inventory:prod must come from Acme:Release Managers only."
    }
  }
}
`, userID))
	}
	checkOnly := func(userID string) string {
		return env.Config(fmt.Sprintf(`
data "identity_access" "deploy_prod" {
  user_id   = %q
  operation = "DEPLOY_INVENTORY"
  scope     = "tenant:acme/inventory:prod"
}

check "deployers" {
  assert {
    condition     = data.identity_access.deploy_prod.allowed
    error_message = "This user may not deploy to prod."
  }
}
`, userID))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policy(f.user.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_access.deploy_prod", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
				},
			},
			{
				// A direct grant breaks "only through the group" although access is allowed.
				PreConfig: func() {
					if _, err := env.Client.CreatePermission(env.ctx(t), client.PermissionCreate{
						Operation: "DEPLOY_INVENTORY", Scope: "tenant:acme/inventory:prod", UserID: f.user.ID}); err != nil {
						t.Fatalf("granting directly: %v", err)
					}
				},
				Config:      policy(f.user.ID),
				ExpectError: regexp.MustCompile(`Policy broken: DEPLOY_INVENTORY on tenant:acme/inventory:prod`),
			},
			{
				Config:      policy(outsider.ID),
				ExpectError: regexp.MustCompile(`Policy broken`),
			},
			{
				// A failed check is a warning: the run succeeds and the
				// answer it warned about is in the state.
				Config: checkOnly(outsider.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_access.deploy_prod", tfjsonpath.New("allowed"), knownvalue.Bool(false)),
				},
			},
		},
	})
}

// The question is checked at plan time as a grant would be.
func TestAccAccessDataSource_validation(t *testing.T) {
	env := newTestEnv(t)
	id := env.Server.SystemUserID
	q := func(body string) string { return env.Config("data \"identity_access\" \"q\" {\n" + body + "\n}\n") }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: q(fmt.Sprintf(`user_id = %q
operation = "DEPLOY_INVENTORY"
scope = "tenant:acme/project:web"`, id)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`DEPLOY_INVENTORY is not valid on a project scope`),
			},
			{
				Config:      q(`user_id = "alice"` + "\noperation = \"VIEW_PROJECT\"\nscope = \"global\""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`UUID`),
			},
			{
				Config:      q(fmt.Sprintf("user_id = %q\ntoken_id = %q\noperation = \"VIEW_PROJECT\"\nscope = \"global\"", id, id)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?is)Invalid Attribute Combination.*exactly one`),
			},
			{
				Config:      q("operation = \"FLY\"\nscope = \"tenant:acme//x\""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)value must be one of.*Invalid scope`),
			},
		},
	})
}

// The documented policy (examples/data-sources/identity_access): the users
// who may deploy to prod, less the members of Acme:Release Managers, are the
// intruders its check block warns about.
func TestAccAccessDataSource_documentedPolicy(t *testing.T) {
	env := newTestEnv(t)
	f := env.accessFixture(t, "DEPLOY_INVENTORY")
	mallory := env.createUser(t, "mallory")
	config := env.Config(`
data "identity_group" "release_managers" {
  name         = "Release Managers"
  organization = "Acme"
}

data "identity_users" "all" {}

locals {
  # Every user but the level-0 ones.
  candidates = [for u in data.identity_users.all.users : u.id if u.role != "sudo"]
}

data "identity_access" "deploy_prod" {
  count     = length(local.candidates)
  user_id   = local.candidates[count.index]
  operation = "DEPLOY_INVENTORY"
  scope     = "tenant:acme/inventory:prod"
}

locals {
  release_managers = toset([
    for u in data.identity_users.all.users : u.id
    if contains(u.group_ids, data.identity_group.release_managers.id)
  ])
  prod_deployers = toset([for a in data.identity_access.deploy_prod : a.user_id if a.allowed])
}

check "only_release_managers_deploy_prod" {
  assert {
    condition     = length(setsubtract(local.prod_deployers, local.release_managers)) == 0
    error_message = "Only members of Acme:Release Managers may DEPLOY_INVENTORY on tenant:acme/inventory:prod; these users may too: ${join(", ", setsubtract(local.prod_deployers, local.release_managers))}"
  }
}

output "intruders" {
  value = setsubtract(local.prod_deployers, local.release_managers)
}

output "deployers" {
  value = local.prod_deployers
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("intruders", knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownOutputValue("deployers", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(f.user.ID)})),
				},
			},
			{
				PreConfig: func() {
					if _, err := env.Client.CreatePermission(env.ctx(t), client.PermissionCreate{
						Operation: "DEPLOY_INVENTORY", Scope: "tenant:acme", UserID: mallory.ID}); err != nil {
						t.Fatalf("granting: %v", err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("intruders", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(mallory.ID)})),
				},
			},
		},
	})
}
