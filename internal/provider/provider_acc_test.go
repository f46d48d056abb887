package provider

import (
	"fmt"
	"net"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// testAccGuestRole is a data source that makes Terraform configure the provider.
const testAccGuestRole = `
data "identity_role" "guest" {
  name = "guest"
}
`

// closedPortURL returns the URL of a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("closing listener: %v", err)
	}
	return "http://" + addr
}

func TestAccProvider_environment(t *testing.T) {
	env := newTestEnv(t)
	t.Setenv(EnvEndpoint, env.Server.URL)
	t.Setenv(EnvToken, "")
	t.Setenv(EnvUsername, "system")
	t.Setenv(EnvPassword, env.Server.SuperuserPassword)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: "provider \"identity\" {}\n" + testAccGuestRole,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_role.guest", tfjsonpath.New("level"), knownvalue.Int64Exact(256)),
				},
			},
		},
	})
}

func TestAccProvider_missingEndpoint(t *testing.T) {
	env := newTestEnv(t)
	t.Setenv(EnvEndpoint, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      fmt.Sprintf("provider \"identity\" {\n  token = %q\n}\n", env.Server.Token) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`Missing identity server endpoint`),
			},
		},
	})
}

func TestAccProvider_configErrors(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint = %q
  token    = %q
  username = "system"
  password = "whatever-password"
}
`, env.Server.URL, env.Server.Token) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`Conflicting provider credentials`),
			},
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint    = %q
  token       = %q
  max_retries = 0
}
`, closedPortURL(t), env.Server.Token) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`Unable to reach the identity server`),
			},
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint = %q
  token    = "not-a-valid-token"
}
`, env.Server.URL) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`(?s)Identity server refused the credentials.*token`),
			},
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint = %q
  username = "system"
  password = "wrong-password"
}
`, env.Server.URL) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`(?s)Identity server refused the credentials.*username\s+and\s+password`),
			},
		},
	})
}
