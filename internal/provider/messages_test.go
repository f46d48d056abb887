package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// Diagnostics say things once and plainly: the server's words are not
// repeated, an invalid element is shown by its value rather than Terraform's
// path syntax, and a group looked up by name alone points at the
// organization that has it.
func TestAccMessages_plainAndUnrepeated(t *testing.T) {
	env := newTestEnv(t)
	if _, err := env.Client.CreateGroup(env.ctx(t), client.GroupCreate{Name: "Payments", Organization: "Acme"}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "identity_user" "u" {
  username = "msg-user"
  email    = "msg-user@example.com"
  role     = "nope"
}
`),
				// The detail ends with the server's sentence, said once.
				ExpectError: regexp.MustCompile(`(?s)Unable to create user.*400\s+Bad\s+Request:\s+role\s+"nope"\s+does\s+not\s+exist\s*$`),
			},
			{
				Config: env.Config(`
resource "identity_group_members" "g" {
  group_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a"
  user_ids = ["not-a-uuid"]
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid id.*\n"not-a-uuid"\s+in\s+user_ids\s+must\s+be`),
			},
			{
				Config: env.Config(`
data "identity_group" "g" {
  name = "Payments"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Unable to read group.*no\s+group\s+"Payments"\s+without\s+an\s+organization.*"Acme:Payments"`),
			},
		},
	})
}
