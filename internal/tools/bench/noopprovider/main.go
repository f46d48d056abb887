// Command noopprovider is a Terraform provider whose one resource,
// benchnoop_item, has identity_user's schema (read from the identity
// provider), keeps its attributes in state and talks to nothing. Built
// on the same terraform-plugin-framework as the identity provider, it is the
// floor of a plugin provider: Terraform's cost per resource plus the plugin
// protocol and the framework, without any API behind them. The benchmark
// program builds it and compares identity_user with it.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	identity "github.com/seed/terraform-provider-identity/internal/provider"
)

func main() {
	// The same quiet logging as the identity provider (main.go there), so
	// the floor carries no cost the provider does not.
	quietPluginLogs()
	err := providerserver.Serve(context.Background(), func() provider.Provider { return noopProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/seed/benchnoop"})
	if err != nil {
		log.Fatal(err.Error())
	}
}

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "benchnoop"
}

func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return item{} }}
}

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// item is identity_user as the identity provider declares it (attributes,
// types, flags, defaults and plan modifiers, read from the provider itself so
// the two cannot drift apart) without its validators, which are the
// provider's own work rather than the framework's.
type item struct{}

func (item) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_item"
}

func (item) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	identity.NewUserResource().Schema(ctx, req, resp)
	resp.Schema.Attributes = withoutValidators(resp.Schema.Attributes)
}

// withoutValidators copies attributes with their validators removed.
func withoutValidators(attrs map[string]schema.Attribute) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(attrs))
	for name, a := range attrs {
		switch a := a.(type) {
		case schema.StringAttribute:
			a.Validators = nil
			out[name] = a
		case schema.BoolAttribute:
			a.Validators = nil
			out[name] = a
		case schema.Int64Attribute:
			a.Validators = nil
			out[name] = a
		case schema.MapAttribute:
			a.Validators = nil
			out[name] = a
		default:
			out[name] = a
		}
	}
	return out
}

func (item) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	store(ctx, req.Plan, &resp.State, &resp.Diagnostics)
}

// Read leaves the state as it is: there is nothing to refresh from.
func (item) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (item) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	store(ctx, req.Plan, &resp.State, &resp.Diagnostics)
}

func (item) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// store saves the plan as the new state, once applied has filled it in.
func store(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	var plan types.Object
	diags.Append(planned.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	obj, d := applied(ctx, plan)
	diags.Append(d...)
	diags.Append(state.Set(ctx, obj)...)
}

// applied is the planned object with what the server would have filled in:
// id is the username, the other unknown strings (timestamps) are now.
func applied(ctx context.Context, plan types.Object) (types.Object, diag.Diagnostics) {
	var diags diag.Diagnostics
	now := types.StringValue(time.Now().UTC().Format(time.RFC3339Nano))
	attrs := plan.Attributes()
	for name, v := range attrs {
		if !v.IsUnknown() {
			continue
		}
		switch t := v.Type(ctx); {
		case name == "id":
			attrs[name] = attrs["username"]
		case t.Equal(types.StringType):
			attrs[name] = now
		case t.Equal(types.BoolType):
			attrs[name] = types.BoolValue(false)
		case t.Equal(types.Int64Type):
			attrs[name] = types.Int64Value(0)
		default:
			diags.AddError("Unsupported computed attribute", fmt.Sprintf("benchnoop_item cannot fill in %q of type %s.", name, t))
		}
	}
	if diags.HasError() {
		return plan, diags
	}
	return types.ObjectValue(plan.AttributeTypes(ctx), attrs)
}

func quietPluginLogs() {
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TF_LOG") && v != "" {
			return
		}
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(k, "off")
	}
}
