package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

func TestAccEffectivePermissionsDataSource_basic(t *testing.T) {
	env := newTestEnv(t)
	f := env.accessFixture(t, "VIEW_PROJECT")
	direct, err := env.Client.CreatePermission(env.ctx(t), client.PermissionCreate{
		Operation: "VIEW_PROJECT", Scope: "tenant:acme/project:web", UserID: f.user.ID})
	if err != nil {
		t.Fatalf("granting: %v", err)
	}
	via := func(kind, grant, scope string, group knownvalue.Check, groupName knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"kind": knownvalue.StringExact(kind), "grant_id": knownvalue.StringExact(grant),
			"operation": knownvalue.StringExact("VIEW_PROJECT"), "scope": knownvalue.StringExact(scope),
			"group_id": group, "group_name": groupName, "role": knownvalue.Null(),
		})
	}
	fromGroup := via("group", f.grant.ID, "tenant:acme", knownvalue.StringExact(f.group.ID), knownvalue.StringExact("Acme:Release Managers"))
	fromUser := via("user", direct.ID, "tenant:acme/project:web", knownvalue.Null(), knownvalue.Null())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
data "identity_effective_permissions" "alice" {
  user_id = %q
}
`, f.user.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_effective_permissions.alice", tfjsonpath.New("permissions"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"operation": knownvalue.StringExact("VIEW_PROJECT"), "scope": knownvalue.StringExact("tenant:acme"),
							"via": knownvalue.ListExact([]knownvalue.Check{fromGroup}),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"operation": knownvalue.StringExact("VIEW_PROJECT"), "scope": knownvalue.StringExact("tenant:acme/project:web"),
							"via": knownvalue.ListExact([]knownvalue.Check{fromGroup, fromUser}),
						}),
					})),
				},
			},
		},
	})
}

// identity_user and identity_users show each user's group ids: one more
// request for identity_user, none for identity_users.
func TestAccUserDataSources_groupIDs(t *testing.T) {
	env := newTestEnv(t)
	ctx := env.ctx(t)
	f := env.accessFixture(t, "VIEW_PROJECT")
	other, err := env.Client.CreateGroup(ctx, client.GroupCreate{Name: "Ops"})
	if err != nil {
		t.Fatalf("creating group: %v", err)
	}
	if _, err := env.Client.AddMember(ctx, other.ID, f.user.ID); err != nil {
		t.Fatalf("adding member: %v", err)
	}
	loner := env.createUser(t, "loner")
	both := knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(f.group.ID), knownvalue.StringExact(other.ID)})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
data "identity_user" "alice" {
  email = %q
}

data "identity_user" "loner" {
  id = %q
}

data "identity_users" "all" {}
`, f.user.Email, loner.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_user.alice", tfjsonpath.New("group_ids"), both),
					statecheck.ExpectKnownValue("data.identity_user.loner", tfjsonpath.New("group_ids"), knownvalue.SetSizeExact(0)),
					// The system user first, then alice, then loner.
					statecheck.ExpectKnownValue("data.identity_users.all", tfjsonpath.New("users").AtSliceIndex(0).AtMapKey("group_ids"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue("data.identity_users.all", tfjsonpath.New("users").AtSliceIndex(1).AtMapKey("group_ids"), both),
					statecheck.ExpectKnownValue("data.identity_users.all", tfjsonpath.New("users").AtSliceIndex(2).AtMapKey("group_ids"), knownvalue.SetSizeExact(0)),
				},
			},
		},
	})
}
