package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"

	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource              = (*settingsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*settingsDataSource)(nil)
)

// NewSettingsDataSource returns the identity_settings data source.
func NewSettingsDataSource() datasource.DataSource {
	return &settingsDataSource{}
}

type settingsDataSource struct {
	client *client.Client
}

func (d *settingsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_settings"
}

func (d *settingsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for name, desc := range serverSettingsDescriptions {
		switch name {
		case "self_registration":
			attrs[name] = schema.BoolAttribute{MarkdownDescription: desc, Computed: true}
		case "password_min_length", "login_throttle_threshold":
			attrs[name] = schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
		default:
			attrs[name] = schema.StringAttribute{MarkdownDescription: desc, Computed: true}
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the identity server's settings: self-registration, the password policy, the session " +
			"lifetime and the login throttle. Reading them needs a caller of level 100 or lower.",
		Attributes: attrs,
	}
}

func (d *settingsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *settingsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	state, err := readServerSettings(ctx, d.client, serverSettingsModel{})
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the server settings", fmt.Sprintf("Reading the server's settings: %s", err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}
