package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Memberships import by natural keys (`Organization:Name/username`), member
// sets by the group's full name, grants and tokens by id; a key that names
// nothing is a clear error at import.
func TestAccImport_naturalKeysAndMissingObjects(t *testing.T) {
	env := newTestEnv(t)
	const missing = "8a6e0804-2bd0-4672-b79d-d97027f9071a"
	config := env.Config(`
resource "identity_group" "payments" {
  name         = "Payments"
  organization = "Acme"
}

resource "identity_group" "ops" {
  name         = "Ops"
  organization = "Acme"
}

resource "identity_user" "u" {
  username = "imp-user"
  email    = "imp-user@example.com"
}

resource "identity_group_membership" "m" {
  group_id = identity_group.payments.id
  user_id  = identity_user.u.id
}

resource "identity_group_members" "ops" {
  group_id = identity_group.ops.id
  user_ids = [identity_user.u.id]
}

resource "identity_permission" "p" {
  operation = "VIEW_PROJECT"
  scope     = "project:web"
  user_id   = identity_user.u.id
}

resource "identity_third_party_token" "t" {
  role = "auditor"
}
`)
	idOf := func(addr string) resource.ImportStateIdFunc {
		return func(s *terraform.State) (string, error) {
			rs, ok := s.RootModule().Resources[addr]
			if !ok {
				return "", fmt.Errorf("%s not in state", addr)
			}
			return rs.Primary.ID, nil
		}
	}
	importStep := func(addr, id string, expectErr string) resource.TestStep {
		step := resource.TestStep{Config: config, ResourceName: addr, ImportState: true, ImportStateId: id}
		if expectErr == "" {
			step.ImportStateVerify = true
		} else {
			step.ExpectError = regexp.MustCompile(expectErr)
		}
		return step
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			importStep("identity_group_membership.m", "acme:payments/IMP-USER", ""),
			importStep("identity_group_members.ops", "Acme:Ops", ""),
			{Config: config, ResourceName: "identity_permission.p", ImportState: true, ImportStateIdFunc: idOf("identity_permission.p"), ImportStateVerify: true},
			importStep("identity_group_membership.m", "Acme:Ops/nobody", `(?s)Unable to import group membership.*user\s+with\s+id\s+or\s+username\s+"nobody"`),
			importStep("identity_group_membership.m", "Acme:Ops/"+"imp-user"[:3], `(?s)Unable to import group membership.*"imp"`),
			importStep("identity_group_membership.m", "Acme:Nothing/imp-user", `(?s)Unable to import group membership.*group\s+with\s+id\s+or\s+full\s+name\s+"Acme:Nothing"`),
			importStep("identity_group_members.ops", "Acme:Nothing", `(?s)Unable to import group members.*"Acme:Nothing"`),
			importStep("identity_permission.p", missing, `(?s)Permission not found.*No\s+permission\s+with\s+id\s+"`+missing+`"`),
			importStep("identity_permission.p", "VIEW_PROJECT", `(?s)Invalid import ID.*by\s+its\s+id`),
			importStep("identity_third_party_token.t", missing, `(?s)Token not found.*No\s+third-party\s+token\s+with\s+id\s+"`+missing+`"`),
		},
	})
}
