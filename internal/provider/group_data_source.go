package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

var (
	_ datasource.DataSource                     = (*groupDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*groupDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*groupDataSource)(nil)
)

// NewGroupDataSource returns the identity_group data source.
func NewGroupDataSource() datasource.DataSource {
	return &groupDataSource{}
}

type groupDataSource struct {
	client *client.Client
}

func (d *groupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group"
}

func (d *groupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one group by `id`, or by `name` and `organization` (omit `organization` for a " +
			"group without one). An error when there is no such group.",
		Attributes: d.attributes(),
	}
}

// attributes are groupDataSourceAttributes, of which the lookup keys are also arguments.
func (d *groupDataSource) attributes() map[string]schema.Attribute {
	attrs := groupDataSourceAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The group's id (a UUID). Exactly one of `id` and `name` is set.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{idValidator()},
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The group's name (case-insensitive). Exactly one of `id` and `name` is set.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{groupNameValidator()},
	}
	attrs["organization"] = schema.StringAttribute{
		MarkdownDescription: "The group's organization, with `name`; empty or omitted for a group without one.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{organizationValidator()},
	}
	return attrs
}

func (d *groupDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("organization")),
	}
}

func (d *groupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *groupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg groupDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		g    *client.Group
		err  error
		what string
	)
	if id := cfg.ID.ValueString(); id != "" {
		what = "with id " + id
		g, err = d.client.GetGroup(ctx, id)
	} else {
		full := catalog.GroupFullName(cfg.Organization.ValueString(), cfg.Name.ValueString())
		what = fmt.Sprintf("named %q", full)
		g, err = groupByFullName(ctx, d.client, full)
	}
	if err != nil {
		detail := fmt.Sprintf("Could not find the group %s: %s", what, err)
		if errors.Is(err, client.ErrNotFound) && cfg.ID.ValueString() == "" {
			detail += d.sameNameElsewhere(ctx, cfg.Name.ValueString(), cfg.Organization.ValueString())
		}
		resp.Diagnostics.AddError("Unable to read group", detail)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, groupDataSourceModelFrom(g))...)
}

// sameNameElsewhere names the groups called name in other organizations, for
// a lookup that found none in organization; "" when there are none.
func (d *groupDataSource) sameNameElsewhere(ctx context.Context, name, organization string) string {
	groups, err := d.client.ListGroups(ctx, client.GroupFilter{Name: name})
	if err != nil || len(groups) == 0 {
		return ""
	}
	var names []string
	for _, g := range groups {
		if !strings.EqualFold(g.Organization, organization) {
			names = append(names, fmt.Sprintf("%q", g.FullName))
		}
	}
	if len(names) == 0 {
		return ""
	}
	where := "without an organization"
	if organization != "" {
		where = fmt.Sprintf("in organization %q", organization)
	}
	return fmt.Sprintf("\n\nThere is no group %q %s, but a group of that name exists in another organization: %s. "+
		"Set organization to look one of those up (name alone means the group without an organization).",
		name, where, strings.Join(names, ", "))
}
