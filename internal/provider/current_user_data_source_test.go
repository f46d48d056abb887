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

func TestAccCurrentUserDataSource_userAndToken(t *testing.T) {
	env := newTestEnv(t)
	tok, err := env.Client.CreateToken(env.ctx(t), client.TokenCreate{Role: "auditor", Description: "reports"})
	if err != nil {
		t.Fatalf("minting token: %v", err)
	}
	if _, err := env.Client.CreateUser(env.ctx(t), client.UserCreate{Username: "opal", Email: "opal@example.com", Role: "operator", Password: "password-opal"}); err != nil {
		t.Fatalf("creating user: %v", err)
	}
	const addr = "data.identity_current_user.me"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`data "identity_current_user" "me" {}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(env.Server.SystemUserID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("kind"), knownvalue.StringExact("user")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("username"), knownvalue.StringExact("system")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("sudo")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("level"), knownvalue.Int64Exact(0)),
				},
			},
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint = %q
  token    = %q
}

data "identity_current_user" "me" {}
`, env.Server.URL, tok.Secret),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(tok.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("kind"), knownvalue.StringExact("token")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("username"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("auditor")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("level"), knownvalue.Int64Exact(100)),
				},
			},
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint = %q
  username = "opal"
  password = "password-opal"
}

data "identity_current_user" "me" {}
`, env.Server.URL),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("kind"), knownvalue.StringExact("user")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("username"), knownvalue.StringExact("opal")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("operator")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("level"), knownvalue.Int64Exact(10)),
				},
			},
		},
	})
}
