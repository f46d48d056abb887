// Package provider implements the identity Terraform provider: schemas,
// mapping between Terraform values and the API client's types, and
// diagnostics. All HTTP work is done by internal/client.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// Environment variables read when the provider block leaves a setting out.
const (
	EnvEndpoint = "IDENTITY_ENDPOINT"
	EnvToken    = "IDENTITY_TOKEN"
	EnvUsername = "IDENTITY_USERNAME"
	EnvPassword = "IDENTITY_PASSWORD"
)

// maxMaxRetries bounds max_retries; the defaults are the client's own
// (client.DefaultTimeout, client.DefaultMaxRetries).
const maxMaxRetries = 10

var (
	_ provider.Provider                       = (*identityProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*identityProvider)(nil)
)

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &identityProvider{version: version}
	}
}

type identityProvider struct {
	version string
}

type identityProviderModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	Token          types.String `tfsdk:"token"`
	Username       types.String `tfsdk:"username"`
	Password       types.String `tfsdk:"password"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
}

func (p *identityProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "identity"
	resp.Version = p.version
}

func (p *identityProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages users, groups, memberships, roles, permissions and third-party tokens on an identity server.\n\n" +
			"Authenticate with either `token` (a session or third-party token) or `username` and `password` " +
			"(the provider logs in). Each of `endpoint`, `token`, `username` and `password` left out of the provider block " +
			"falls back to its own environment variable, so `username` in the configuration and `" + EnvPassword + "` in the " +
			"environment work together. The block chooses the kind of credential: a `token` in the block ignores `" + EnvUsername + "` and `" + EnvPassword + "`, " +
			"a `username` or `password` in the block ignores `" + EnvToken + "`. A token and a username or password both in the block, " +
			"or both in the environment when the block sets no credential, is an error.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the identity server, such as `http://127.0.0.1:8080`. May also be set with `" + EnvEndpoint + "`.",
				Optional:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "A session token or third-party token sent as `Authorization: Bearer`. Conflicts with `username` and `password`. May also be set with `" + EnvToken + "`.",
				Optional:            true,
				Sensitive:           true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Username to log in with; requires `password`. May also be set with `" + EnvUsername + "`.",
				Optional:            true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password to log in with; requires `username`. May also be set with `" + EnvPassword + "`.",
				Optional:            true,
				Sensitive:           true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Time limit for one API call, its retries and the waits between them included, as %s. Defaults to `%s`.", durationRule, client.DefaultTimeout),
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a network error or a `500`, `502` or `504` answer. A `429` or `503` (the server asking to slow down) is retried, honouring `Retry-After`, for as long as `request_timeout` allows. `0` turns every retry off. Must be %s; defaults to %d.", maxRetriesRule, client.DefaultMaxRetries),
				Optional:            true,
				Validators:          []validator.Int64{maxRetriesValidator()},
			},
		},
	}
}

func (p *identityProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg identityProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	for name, v := range map[string]interface{ IsUnknown() bool }{
		"endpoint": cfg.Endpoint, "token": cfg.Token, "username": cfg.Username, "password": cfg.Password,
		"request_timeout": cfg.RequestTimeout, "max_retries": cfg.MaxRetries,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider setting", unknownSettingDetail(name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	settings, diags := resolveSettings(cfg, os.Getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	c, err := client.New(client.Config{
		Endpoint:       settings.endpoint,
		Token:          settings.token,
		Username:       settings.username,
		Password:       settings.password,
		UserAgent:      "terraform-provider-identity/" + p.version,
		Timeout:        settings.timeout,
		MaxRetries:     settings.maxRetries,
		DisableRetries: settings.maxRetries == 0,
		Logger:         tflogAdapter{},
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid identity server endpoint", err.Error())
		return
	}

	// Check the endpoint and the credentials once, so a mistake is reported
	// against the setting to fix rather than on the first resource.
	me, err := c.Me(ctx)
	if err != nil {
		addConnectError(&resp.Diagnostics, settings, err)
		return
	}
	tflog.Debug(ctx, "connected to identity server", map[string]any{"endpoint": settings.endpoint, "kind": me.Kind, "role": me.Role})

	resp.DataSourceData = c
	resp.ResourceData = c
	resp.EphemeralResourceData = c
}

func (p *identityProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewGroupResource,
		NewGroupMembershipResource,
		NewGroupMembersResource,
		NewRoleResource,
		NewUserResource,
		NewPermissionResource,
		NewThirdPartyTokenResource,
		NewSettingsResource,
	}
}

func (p *identityProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewTokenEphemeralResource,
	}
}

func (p *identityProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewRoleDataSource,
		NewUserDataSource,
		NewUsersDataSource,
		NewGroupDataSource,
		NewGroupsDataSource,
		NewPermissionsDataSource,
		NewRolesDataSource,
		NewThirdPartyTokensDataSource,
		NewSettingsDataSource,
		NewCurrentUserDataSource,
		NewAccessDataSource,
		NewEffectivePermissionsDataSource,
	}
}

// clientFromProviderData returns the API client the provider's Configure
// handed to resources and data sources. It returns nil without a diagnostic
// when the provider is not configured yet (Terraform calls Configure on
// resources early, during validation), and nil with an error diagnostic when
// the data is of an unexpected type.
func clientFromProviderData(data any, diags *diag.Diagnostics) *client.Client {
	if data == nil {
		return nil
	}
	c, ok := data.(*client.Client)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *client.Client, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return c
}

// settings are the provider settings after the environment has filled the gaps.
type settings struct {
	endpoint, token, username, password string
	// tokenFrom, usernameFrom and passwordFrom name where each credential
	// came from: the attribute, or the environment variable it fell back to.
	tokenFrom, usernameFrom, passwordFrom string
	timeout                               time.Duration
	maxRetries                            int
}

// fromEnvironment reports whether any credential came from the environment.
func (s settings) fromEnvironment() bool {
	for _, from := range []string{s.tokenFrom, s.usernameFrom, s.passwordFrom} {
		if strings.HasPrefix(from, "IDENTITY_") {
			return true
		}
	}
	return false
}

// resolveSettings merges the configuration with the environment and checks
// that exactly one way of authenticating is chosen. Each setting left out of
// the configuration falls back to its own environment variable, so a
// username in HCL works with IDENTITY_PASSWORD; the kind of credential the
// configuration names wins over the other kind in the environment, and both
// kinds on the same side are a conflict.
func resolveSettings(cfg identityProviderModel, getenv func(string) string) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := settings{timeout: client.DefaultTimeout, maxRetries: client.DefaultMaxRetries}

	setting := func(v types.String, attr, env string) (value, from string) {
		if v.ValueString() != "" {
			return v.ValueString(), attr
		}
		if e := getenv(env); e != "" {
			return e, env
		}
		return "", attr
	}
	s.endpoint, _ = setting(cfg.Endpoint, "endpoint", EnvEndpoint)
	// The provider block chooses the kind of credential; the environment
	// fills in only what the block leaves out of that kind. A token in the
	// block is not disturbed by IDENTITY_USERNAME or IDENTITY_PASSWORD left
	// in the environment, nor a username in the block by IDENTITY_TOKEN.
	// Without credentials in the block, the environment decides alone.
	blockToken := cfg.Token.ValueString() != ""
	blockLogin := cfg.Username.ValueString() != "" || cfg.Password.ValueString() != ""
	fromBlock := func(v types.String, attr string) (string, string) { return v.ValueString(), attr }
	switch {
	case blockToken && blockLogin:
		// Both in the block: the conflict below names the block's settings.
		s.token, s.tokenFrom = fromBlock(cfg.Token, "token")
		s.username, s.usernameFrom = fromBlock(cfg.Username, "username")
		s.password, s.passwordFrom = fromBlock(cfg.Password, "password")
	case blockToken:
		s.token, s.tokenFrom = fromBlock(cfg.Token, "token")
	case blockLogin:
		s.username, s.usernameFrom = setting(cfg.Username, "username", EnvUsername)
		s.password, s.passwordFrom = setting(cfg.Password, "password", EnvPassword)
	default:
		s.token, s.tokenFrom = setting(cfg.Token, "token", EnvToken)
		s.username, s.usernameFrom = setting(cfg.Username, "username", EnvUsername)
		s.password, s.passwordFrom = setting(cfg.Password, "password", EnvPassword)
	}

	if s.endpoint == "" {
		diags.AddAttributeError(path.Root("endpoint"), "Missing identity server endpoint",
			"Set \"endpoint\" in the provider block or the "+EnvEndpoint+" environment variable, for example http://127.0.0.1:8080.")
	} else if err := client.ValidateEndpoint(s.endpoint); err != nil {
		diags.AddAttributeError(path.Root("endpoint"), "Invalid identity server endpoint", err.Error())
	}

	switch {
	case s.token != "" && (s.username != "" || s.password != ""):
		other := s.usernameFrom
		if s.username == "" {
			other = s.passwordFrom
		}
		diags.AddAttributeError(path.Root("token"), "Conflicting provider credentials",
			fmt.Sprintf("Both %s and %s are set. Authenticate either with a token, or with a username and a password, "+
				"not both: remove one (the environment counts only when the provider block sets no credential).", s.tokenFrom, other))
	case s.token == "" && s.username == "" && s.password == "":
		diags.AddAttributeError(path.Root("token"), "Missing provider credentials",
			"Set \"token\" (or "+EnvToken+"), or \"username\" and \"password\" (or "+EnvUsername+" and "+EnvPassword+").")
	case s.token == "" && s.username == "":
		diags.AddAttributeError(path.Root("username"), "Missing username",
			fmt.Sprintf("%s is set but neither username nor %s is; set both to log in.", s.passwordFrom, EnvUsername))
	case s.token == "" && s.password == "":
		diags.AddAttributeError(path.Root("password"), "Missing password",
			fmt.Sprintf("%s is set but neither password nor %s is; set both to log in.", s.usernameFrom, EnvPassword))
	}

	if t := cfg.RequestTimeout.ValueString(); t != "" {
		d, err := time.ParseDuration(t)
		if err == nil && d > 0 {
			s.timeout = d
		}
	}
	if !cfg.MaxRetries.IsNull() {
		s.maxRetries = int(cfg.MaxRetries.ValueInt64())
	}
	return s, diags
}

// unknownSettingDetail explains an unknown provider setting and what to do.
// A token is usually unknown because an identity_third_party_token of the
// same configuration mints it and is being replaced: that rotation would need
// -target every time, and the ephemeral identity_token avoids it.
func unknownSettingDetail(name string) string {
	detail := fmt.Sprintf("The provider cannot connect while %q is unknown at plan time.", name)
	if name == "token" {
		return detail + " If it comes from an identity_third_party_token in this configuration, that token is " +
			"unknown whenever a replacement (rotation) is planned. Use the ephemeral identity_token resource for a " +
			"credential minted in the same configuration (minted for each run, never stored), or pass a token from " +
			"outside the configuration."
	}
	return detail + " Set it to a value known at plan time, or apply the resources it depends on first (-target)."
}

// tflogAdapter routes the client's logs into Terraform's provider log.
type tflogAdapter struct{}

func (tflogAdapter) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

func (tflogAdapter) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(ctx, msg, fields)
}
