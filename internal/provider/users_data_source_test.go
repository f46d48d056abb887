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

func TestAccUsersDataSource_filters(t *testing.T) {
	env := newTestEnv(t)
	ctx := env.ctx(t)
	mk := func(u client.UserCreate) string {
		t.Helper()
		created, err := env.Client.CreateUser(ctx, u)
		if err != nil {
			t.Fatalf("creating user %s: %v", u.Username, err)
		}
		return created.ID
	}
	gina := mk(client.UserCreate{Username: "gina", Email: "gina@acme.example", Organization: "Acme", Role: "operator"})
	hugo := mk(client.UserCreate{Username: "hugo", Email: "hugo@ACME.example", Organization: "Acme"})
	ivan := mk(client.UserCreate{Username: "ivan", Email: "ivan@other.example", Role: "operator"})
	g, err := env.Client.CreateGroup(ctx, client.GroupCreate{Name: "Ops"})
	if err != nil {
		t.Fatalf("creating group: %v", err)
	}
	for _, id := range []string{hugo, ivan} {
		if _, err := env.Client.AddMember(ctx, g.ID, id); err != nil {
			t.Fatalf("adding member: %v", err)
		}
	}
	ids := func(want ...string) knownvalue.Check {
		checks := make([]knownvalue.Check, len(want))
		for i, id := range want {
			checks[i] = knownvalue.StringExact(id)
		}
		return knownvalue.ListExact(checks)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
data "identity_users" "operators" {
  role = "operator"
}

data "identity_users" "acme" {
  organization = "acme"
}

data "identity_users" "ops" {
  group_id = %q
}

data "identity_users" "acme_mail" {
  email_suffix = "@acme.example"
}

data "identity_users" "acme_operators" {
  role         = "operator"
  organization = "Acme"
}

data "identity_users" "none" {
  role = "auditor"
}
`, g.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_users.operators", tfjsonpath.New("ids"), ids(gina, ivan)),
					statecheck.ExpectKnownValue("data.identity_users.acme", tfjsonpath.New("ids"), ids(gina, hugo)),
					statecheck.ExpectKnownValue("data.identity_users.ops", tfjsonpath.New("ids"), ids(hugo, ivan)),
					statecheck.ExpectKnownValue("data.identity_users.acme_mail", tfjsonpath.New("ids"), ids(gina, hugo)),
					statecheck.ExpectKnownValue("data.identity_users.acme_operators", tfjsonpath.New("ids"), ids(gina)),
					statecheck.ExpectKnownValue("data.identity_users.none", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.identity_users.acme_operators", tfjsonpath.New("users"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id":           knownvalue.StringExact(gina),
							"username":     knownvalue.StringExact("gina"),
							"email":        knownvalue.StringExact("gina@acme.example"),
							"organization": knownvalue.StringExact("Acme"),
							"role":         knownvalue.StringExact("operator"),
							"disabled":     knownvalue.Bool(false),
							"attributes":   knownvalue.MapSizeExact(0),
						}),
					})),
				},
			},
		},
	})
}

// An explicit empty organization asks for the users (and groups) without
// one; leaving it out still lists every organization.
func TestAccUsersDataSource_emptyOrganizationMeansNone(t *testing.T) {
	env := newTestEnv(t)
	ctx := env.ctx(t)
	system, err := env.Client.GetUserByUsername(ctx, "system")
	if err != nil {
		t.Fatal(err)
	}
	loner, err := env.Client.CreateUser(ctx, client.UserCreate{Username: "loner", Email: "loner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.CreateUser(ctx, client.UserCreate{Username: "member", Email: "member@example.com", Organization: "Acme"}); err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{"", "Acme"} {
		if _, err := env.Client.CreateGroup(ctx, client.GroupCreate{Name: "crew", Organization: org}); err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
data "identity_users" "unaffiliated" {
  organization = ""
}

data "identity_users" "all" {}

data "identity_groups" "unaffiliated" {
  organization = ""
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_users.unaffiliated", tfjsonpath.New("ids"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(system.ID), knownvalue.StringExact(loner.ID)})),
					statecheck.ExpectKnownValue("data.identity_users.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue("data.identity_groups.unaffiliated", tfjsonpath.New("groups"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"full_name": knownvalue.StringExact("crew")}),
					})),
				},
			},
		},
	})
}
