package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed/terraform-provider-identity/internal/client"
	"github.com/seed/terraform-provider-identity/testserver"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the
// terraform binary run by the acceptance tests.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"identity": providerserver.NewProtocol6WithError(New("test")()),
}

// testEnv is one acceptance test's own identity server and an API client
// logged in as its superuser, for setting up, drifting and checking objects.
type testEnv struct {
	Server *testserver.Server
	Client *client.Client
}

// newTestEnv starts a fresh in-process server with its own database.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	srv := testserver.Start(t)
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: srv.Token, MaxRetries: 1})
	if err != nil {
		t.Fatalf("creating API client: %v", err)
	}
	return &testEnv{Server: srv, Client: c}
}

// ProviderBlock is a provider block that reaches this test's server as its superuser.
func (e *testEnv) ProviderBlock() string {
	return fmt.Sprintf("provider \"identity\" {\n  endpoint = %q\n  token    = %q\n}\n", e.Server.URL, e.Server.Token)
}

// Config prefixes an HCL body with the provider block.
func (e *testEnv) Config(body string) string {
	return e.ProviderBlock() + body
}

// ctx returns a context bounded for one check against the server.
func (e *testEnv) ctx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// checkDestroyed returns a CheckDestroy that asks the server, for every
// resource of type typ left in the final state, that get answers not found.
func (e *testEnv) checkDestroyed(t *testing.T, typ string, get func(ctx context.Context, attrs map[string]string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != typ {
				continue
			}
			err := get(e.ctx(t), rs.Primary.Attributes)
			if err == nil {
				return fmt.Errorf("%s %s still exists", typ, rs.Primary.ID)
			}
			if !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("checking %s %s: %w", typ, rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// changeBeforeApply is a pre-apply plan check that changes an object through
// the API after Terraform saved the plan and before it applies it, as someone
// else would between `terraform plan -out` and `terraform apply PLAN`: the
// acceptance test harness applies the very plan file the checks look at.
type changeBeforeApply func(ctx context.Context) error

func (f changeBeforeApply) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if err := f(ctx); err != nil {
		resp.Error = fmt.Errorf("changing the object between plan and apply: %w", err)
	}
}

// changedOnServer matches the diagnostic of an update refused because the
// object changed after the plan was made, across Terraform's line breaks.
const changedOnServer = `changed\s+on\s+the\s+server\s+since\s+it\s+was\s+last\s+read;\s+run\s+terraform\s+apply\s+again\s+\(refresh\)`
