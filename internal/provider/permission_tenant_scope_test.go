package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The scope validator reads the catalogue, so the tenant-qualified scopes
// reach plan time without a provider change.
func TestScopeValidatorTenantScopes(t *testing.T) {
	for _, c := range []struct {
		scope string
		ok    bool
	}{
		{"tenant:acme/project:web", true},
		{"tenant:acme/inventory:prod", true},
		{"project:web", true},
		{"tenant:a/tenant:b", false},
		{"project:x/tenant:y", false},
		{"tenant:acme//project:web", false},
		{"tenant:acme/", false},
	} {
		t.Run(c.scope, func(t *testing.T) {
			req := validator.StringRequest{Path: path.Root("scope"), ConfigValue: types.StringValue(c.scope)}
			resp := &validator.StringResponse{}
			scopeValidator().ValidateString(context.Background(), req, resp)
			if resp.Diagnostics.HasError() == c.ok {
				t.Fatalf("ok=%v, diagnostics %v", c.ok, resp.Diagnostics)
			}
		})
	}
}

func TestAccPermissionResource_tenantScopes(t *testing.T) {
	env := newTestEnv(t)
	config := func(operation, scope string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_permission" "test" {
  operation = %q
  scope     = %q
  role      = "operator"
}
`, operation, scope))
	}
	const addr = "identity_permission.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkPermissionsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:      config("VIEW_PROJECT", "tenant:acme/tenant:beta"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid scope.*a tenant contains only projects and inventories`),
			},
			{
				Config:      config("DEPLOY_INVENTORY", "tenant:acme/project:web"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Operation not allowed on this scope.*operation DEPLOY_INVENTORY is not valid on a project scope`),
			},
			{
				Config: config("VIEW_PROJECT", "tenant:acme/project:web"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scope"), knownvalue.StringExact("tenant:acme/project:web")),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				Config: config("DEPLOY_INVENTORY", "tenant:acme/inventory:prod"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scope"), knownvalue.StringExact("tenant:acme/inventory:prod")),
				},
			},
		},
	})
}
