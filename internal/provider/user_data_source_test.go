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

func TestAccUserDataSource_lookups(t *testing.T) {
	env := newTestEnv(t)
	u, err := env.Client.CreateUser(env.ctx(t), client.UserCreate{
		Username: "Frank", Email: "frank@example.com", FirstName: "Frank", Organization: "Acme",
		Role: "operator", Attributes: map[string]string{"team": "red"},
	})
	if err != nil {
		t.Fatalf("creating user: %v", err)
	}
	userChecks := func(addr string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(u.ID)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("first_name"), knownvalue.StringExact("Frank")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_name"), knownvalue.StringExact("")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("organization"), knownvalue.StringExact("Acme")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("operator")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("attributes"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("red")})),
		}
	}
	var checks []statecheck.StateCheck
	checks = append(checks, userChecks("data.identity_user.by_id")...)
	checks = append(checks, userChecks("data.identity_user.by_email")...)
	checks = append(checks, userChecks("data.identity_user.by_username")...)
	checks = append(checks,
		statecheck.ExpectKnownValue("data.identity_user.by_id", tfjsonpath.New("username"), knownvalue.StringExact("Frank")),
		statecheck.ExpectKnownValue("data.identity_user.by_id", tfjsonpath.New("email"), knownvalue.StringExact("frank@example.com")),
		statecheck.ExpectKnownValue("data.identity_user.by_email", tfjsonpath.New("username"), knownvalue.StringExact("Frank")),
		statecheck.ExpectKnownValue("data.identity_user.by_username", tfjsonpath.New("email"), knownvalue.StringExact("frank@example.com")),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
data "identity_user" "by_id" {
  id = %q
}

data "identity_user" "by_email" {
  email = "FRANK@Example.COM"
}

data "identity_user" "by_username" {
  username = "fRANK"
}
`, u.ID)),
				ConfigStateChecks: checks,
			},
		},
	})
}

func TestAccUserDataSource_notFound(t *testing.T) {
	env := newTestEnv(t)
	one := func(body string) string { return env.Config("data \"identity_user\" \"test\" {\n" + body + "\n}\n") }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      one(`  email = "nobody@example.com"`),
				ExpectError: regexp.MustCompile(`No user with email "nobody@example.com"`),
			},
			{
				Config:      one(`  username = "nobody"`),
				ExpectError: regexp.MustCompile(`No user with username "nobody"`),
			},
			{
				Config:      one(`  id = "00000000-0000-4000-8000-000000000000"`),
				ExpectError: regexp.MustCompile(`No user with id\s+"00000000-0000-4000-8000-000000000000"`),
			},
			{
				Config:      one("  email    = \"nobody@example.com\"\n  username = \"nobody\""),
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				Config:      one(""),
				ExpectError: regexp.MustCompile(`Exactly one of these attributes must be configured`),
			},
		},
	})
}
