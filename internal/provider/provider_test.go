package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

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
