package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Every schema is valid for the framework, and every attribute, nested ones
// included, has a description for the documentation.
func TestProviderSchemas(t *testing.T) {
	t.Parallel()
	server := providerserver.NewProtocol6(New("test")())()
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s", d.Summary, d.Detail)
	}
	schemas := map[string]*tfprotov6.Schema{"provider": resp.Provider}
	for name, s := range resp.ResourceSchemas {
		schemas["resource "+name] = s
	}
	for name, s := range resp.DataSourceSchemas {
		schemas["data source "+name] = s
	}
	if len(resp.ResourceSchemas) == 0 || len(resp.DataSourceSchemas) == 0 {
		t.Fatalf("%d resource and %d data source schemas", len(resp.ResourceSchemas), len(resp.DataSourceSchemas))
	}
	for name, s := range schemas {
		checkDescriptions(t, name, s.Block.Attributes)
	}
}

func checkDescriptions(t *testing.T, where string, attrs []*tfprotov6.SchemaAttribute) {
	t.Helper()
	for _, a := range attrs {
		if a.Description == "" {
			t.Errorf("%s: attribute %s has no description", where, a.Name)
		}
		if a.NestedType != nil {
			checkDescriptions(t, where+" "+a.Name, a.NestedType.Attributes)
		}
	}
}
