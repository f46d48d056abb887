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
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint        = %q
  token           = %q
  request_timeout = "soon"
}
`, env.Server.URL, env.Server.Token) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`(?s)Invalid duration.*"soon" must be a positive duration`),
			},
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint    = %q
  token       = %q
  max_retries = 11
}
`, env.Server.URL, env.Server.Token) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`(?s)max_retries.*between 0 and 10`),
			},
			{
				// A server that accepts connections and never answers: the
				// request_timeout, not Terraform, ends the wait.
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint        = %q
  token           = %q
  request_timeout = "1s"
  max_retries     = 0
}
`, silentServerURL(t), env.Server.Token) + testAccGuestRole,
				ExpectError: regexp.MustCompile(`(?s)Unable to reach the identity server.*(Timeout|deadline)`),
			},
		},
	})
}

// silentServerURL returns the URL of a loopback listener that accepts
// connections and never answers; it is closed when the test ends.
func silentServerURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never read or written
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// A provider block whose token is minted by an identity_third_party_token of
// the same configuration cannot plan while that token is unknown; the
// diagnostic points at the ephemeral identity_token rather than at -target.
func TestAccProvider_tokenFromSameConfigurationAdvice(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
resource "identity_third_party_token" "reader" {
  role = "auditor"
}

provider "identity" {
  alias    = "reader"
  endpoint = %q
  token    = identity_third_party_token.reader.token
}

data "identity_role" "as_reader" {
  provider = identity.reader
  name     = "guest"
}
`, env.Server.URL)),
				ExpectError: regexp.MustCompile(`(?s)Unknown provider setting.*identity_third_party_token\s+in\s+this\s+configuration.*ephemeral\s+identity_token\s+resource`),
			},
		},
	})
}

// Each credential falls back to its own environment variable: a username
// in the provider block logs in with the password from IDENTITY_PASSWORD.
func TestAccProvider_usernameInConfigurationPasswordFromEnvironment(t *testing.T) {
	env := newTestEnv(t)
	t.Setenv(EnvEndpoint, "")
	t.Setenv(EnvToken, "")
	t.Setenv(EnvUsername, "")
	t.Setenv(EnvPassword, env.Server.SuperuserPassword)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A token in the block wins over a password left in the environment.
				Config: fmt.Sprintf("provider \"identity\" {\n  endpoint = %q\n  token    = %q\n}\n", env.Server.URL, env.Server.Token) + testAccGuestRole,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_role.guest", tfjsonpath.New("level"), knownvalue.Int64Exact(256)),
				},
			},
			{
				Config: fmt.Sprintf("provider \"identity\" {\n  endpoint = %q\n  username = \"system\"\n}\n", env.Server.URL) + testAccGuestRole,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.identity_role.guest", tfjsonpath.New("level"), knownvalue.Int64Exact(256)),
				},
			},
		},
	})
}
