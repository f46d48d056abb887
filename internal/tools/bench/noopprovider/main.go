// Command noopprovider is a Terraform provider whose one resource,
// benchnoop_item, has identity_user's schema, keeps its attributes in state
// and talks to nothing. Built
// on the same terraform-plugin-framework as the identity provider, it is the
// floor of a plugin provider: Terraform's cost per resource plus the plugin
// protocol and the framework, without any API behind them. The benchmark
// program builds it and compares identity_user with it.
package main

import (
	"context"
	"log"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

type item struct{}

// itemModel has identity_user's attributes, flags and defaults, so Terraform
// and the framework do the same work per resource as for identity_user.
type itemModel struct {
	ID                types.String `tfsdk:"id"`
	Username          types.String `tfsdk:"username"`
	Email             types.String `tfsdk:"email"`
	FirstName         types.String `tfsdk:"first_name"`
	LastName          types.String `tfsdk:"last_name"`
	Organization      types.String `tfsdk:"organization"`
	Role              types.String `tfsdk:"role"`
	Disabled          types.Bool   `tfsdk:"disabled"`
	Attributes        types.Map    `tfsdk:"attributes"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
	Password          types.String `tfsdk:"password"`
	CreatedAt         types.String `tfsdk:"created_at"`
	UpdatedAt         types.String `tfsdk:"updated_at"`
}

func (item) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_item"
}

func (item) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	optString := func(def string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(def)}
	}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id": schema.StringAttribute{Computed: true, PlanModifiers: keep},
		"username": schema.StringAttribute{Required: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"email":        schema.StringAttribute{Required: true},
		"first_name":   optString(""),
		"last_name":    optString(""),
		"organization": optString(""),
		"role":         optString("guest"),
		"disabled":     schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
		"attributes": schema.MapAttribute{ElementType: types.StringType, Optional: true, Computed: true,
			Default: mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{}))},
		"password_wo":         schema.StringAttribute{Optional: true, WriteOnly: true, Sensitive: true},
		"password_wo_version": schema.Int64Attribute{Optional: true},
		"password":            schema.StringAttribute{Optional: true, Sensitive: true},
		"created_at":          schema.StringAttribute{Computed: true, PlanModifiers: keep},
		"updated_at":          schema.StringAttribute{Computed: true},
	}}
}

func (item) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m itemModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	now := types.StringValue(time.Now().UTC().Format(time.RFC3339Nano))
	m.ID, m.CreatedAt, m.UpdatedAt, m.PasswordWO = m.Username, now, now, types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// Read leaves the state as it is: there is nothing to refresh from.
func (item) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (item) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m itemModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.UpdatedAt, m.PasswordWO = types.StringValue(time.Now().UTC().Format(time.RFC3339Nano)), types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (item) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

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
