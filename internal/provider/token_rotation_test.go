package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

func TestDueTokenReplacement(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ts := func(d time.Duration) types.String { return types.StringValue(now.Add(d).Format(time.RFC3339)) }
	str := types.StringValue
	null := types.StringNull()
	tests := []struct {
		name                       string
		created, expires           types.String
		period, before             types.String
		wantAttr, wantDetailPrefix string
	}{
		{name: "nothing set", created: ts(-1000 * time.Hour), expires: null, period: null, before: null},
		{name: "younger than the period", created: ts(-719 * time.Hour), expires: null, period: str("720h"), before: null},
		{name: "older than the period", created: ts(-721 * time.Hour), expires: null, period: str("720h"), before: null,
			wantAttr: "rotation_period", wantDetailPrefix: "Token tok (role \"operator\") created at 2026-05-02T11:00:00Z is older than rotation_period 720h: a replacement is planned."},
		{name: "exactly the period old", created: ts(-720 * time.Hour), expires: null, period: str("720h"), before: null, wantAttr: "rotation_period"},
		{name: "before the expiry window", created: ts(-time.Hour), expires: ts(337 * time.Hour), period: null, before: str("336h")},
		{name: "inside the expiry window", created: ts(-time.Hour), expires: ts(335 * time.Hour), period: null, before: str("336h"),
			wantAttr: "rotate_before_expiry", wantDetailPrefix: "Token tok (role \"operator\") expires at 2026-06-15T11:00:00Z, within rotate_before_expiry 336h: a replacement is planned."},
		{name: "expired explains expiry", created: ts(-time.Hour), expires: ts(-time.Minute), period: str("720h"), before: str("1h"),
			wantAttr: "expires_at", wantDetailPrefix: "Token tok (role \"operator\") expired at 2026-06-01T11:59:00Z: a replacement is planned."},
		{name: "window without expiry", created: ts(-time.Hour), expires: null, period: null, before: str("1h")},
		{name: "unknown period", created: ts(-1000 * time.Hour), expires: null, period: types.StringUnknown(), before: null},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := thirdPartyTokenResourceModel{ID: str("tok"), Role: str("operator"), CreatedAt: tc.created, ExpiresAt: tc.expires}
			plan := thirdPartyTokenResourceModel{RotationPeriod: tc.period, RotateBeforeExpiry: tc.before, ExpiresAt: tc.expires}
			got := dueTokenReplacement(state, plan, now)
			if tc.wantAttr == "" {
				if got != nil {
					t.Fatalf("got a replacement on %s (%s), want none", got.Attribute, got.Detail)
				}
				return
			}
			if got == nil {
				t.Fatalf("got no replacement, want one on %s", tc.wantAttr)
			}
			if got.Attribute.String() != tc.wantAttr {
				t.Errorf("attribute %s, want %s", got.Attribute, tc.wantAttr)
			}
			if !strings.HasPrefix(got.Detail, tc.wantDetailPrefix) {
				t.Errorf("detail %q, want it to start with %q", got.Detail, tc.wantDetailPrefix)
			}
		})
	}
}

func TestNewTokenDueAtOnce(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	plan := func(expires time.Duration, before string) thirdPartyTokenResourceModel {
		return thirdPartyTokenResourceModel{
			ExpiresAt:          types.StringValue(now.Add(expires).Format(time.RFC3339)),
			RotateBeforeExpiry: types.StringValue(before),
		}
	}
	if _, due := newTokenDueAtOnce(plan(100*time.Hour, "24h"), now); due {
		t.Error("expiry beyond the window reported as due")
	}
	if msg, due := newTokenDueAtOnce(plan(10*time.Hour, "24h"), now); !due || !strings.Contains(msg, "within rotate_before_expiry 24h") {
		t.Errorf("expiry inside the window: due %v, message %q", due, msg)
	}
	// An expiry in the past is reported as such, not as a rotation problem.
	if _, due := newTokenDueAtOnce(plan(-time.Hour, "24h"), now); due {
		t.Error("past expiry reported as due for rotation")
	}
}

// ModifyPlan turns a due rotation into a replacement with its reason.
func TestThirdPartyTokenModifyPlan_rotationWarning(t *testing.T) {
	ctx := context.Background()
	r := &thirdPartyTokenResource{}
	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
	created := time.Now().Add(-800 * time.Hour).UTC().Format(time.RFC3339Nano)
	model := thirdPartyTokenResourceModel{
		ID: types.StringValue("tok"), Role: types.StringValue("operator"), Description: types.StringValue(""),
		ExpiresAt: types.StringNull(), RotateWhenChanged: types.MapNull(types.StringType),
		RotationPeriod: types.StringValue("720h"), RotateBeforeExpiry: types.StringNull(),
		Token: types.StringValue("secret"), CreatedAt: types.StringValue(created),
	}
	state := tfsdk.State{Schema: sch.Schema}
	plan := tfsdk.Plan{Schema: sch.Schema}
	if d := state.Set(ctx, model); d.HasError() {
		t.Fatal(d)
	}
	if d := plan.Set(ctx, model); d.HasError() {
		t.Fatal(d)
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, resource.ModifyPlanRequest{State: state, Plan: plan}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if len(resp.RequiresReplace) != 1 || resp.RequiresReplace[0].String() != "id" {
		t.Errorf("RequiresReplace %v, want [id]", resp.RequiresReplace)
	}
	warnings := resp.Diagnostics.Warnings()
	want := fmt.Sprintf("Token tok (role \"operator\") created at %s is older than rotation_period 720h: a replacement is planned.", created[:19]+"Z")
	if len(warnings) != 1 || warnings[0].Detail() != want {
		t.Errorf("warnings %v, want one saying %q", warnings, want)
	}
	var planned thirdPartyTokenResourceModel
	resp.Plan.Get(ctx, &planned)
	if !planned.ID.IsUnknown() || !planned.Token.IsUnknown() {
		t.Errorf("planned id %s and token %s, want both unknown", planned.ID, planned.Token)
	}
}

// A due rotation with create_before_destroy mints the new token before the
// old one is revoked; changing rotation_period back does not replace.
func TestAccThirdPartyTokenResource_rotationPeriod(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_third_party_token.deploy"
	config := func(period string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_third_party_token" "deploy" {
  role            = "operator"
  description     = "deploy pipeline"
  rotation_period = %q

  lifecycle {
    create_before_destroy = true
  }
}
`, period))
	}
	// Short enough to wait for, long enough that the replacement is not due
	// again at the plan the test runs right after applying it.
	const period = 6 * time.Second
	var ids []string
	var created time.Time
	saveID := func(s *terraform.State) error {
		rs := s.RootModule().Resources[addr].Primary
		ids = append(ids, rs.ID)
		var err error
		created, err = time.Parse(time.RFC3339, rs.Attributes["created_at"])
		return err
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkTokensDestroyed(t),
		Steps: []tfresource.TestStep{
			{
				Config:      config("a month"),
				ExpectError: regexp.MustCompile(`Invalid duration`),
			},
			{
				Config: config("720h"),
				Check:  saveID,
			},
			{
				// Older than the period: replaced, the new token first.
				PreConfig: func() { time.Sleep(time.Until(created.Add(period + 100*time.Millisecond))) },
				Config:    config(period.String()),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				Check: tfresource.ComposeTestCheckFunc(saveID, func(*terraform.State) error {
					if ids[0] == ids[1] {
						return errors.New("rotation kept the same token")
					}
					if _, err := env.Client.GetToken(env.ctx(t), ids[0]); err == nil {
						return fmt.Errorf("old token %s still exists after rotation", ids[0])
					} else if !errors.Is(err, client.ErrNotFound) {
						return fmt.Errorf("reading old token %s after rotation: %w", ids[0], err)
					}
					return env.mintedBeforeRevoked(t, ids[1], ids[0])
				}),
			},
			{
				// The setting changes in place.
				Config: config("720h"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_period"), knownvalue.StringExact("720h")),
				},
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[addr].Primary.ID; got != ids[1] {
						return fmt.Errorf("id changed from %s to %s on an in-place change", ids[1], got)
					}
					return nil
				},
			},
		},
	})
}

// rotate_before_expiry with an expiry computed at the plan that mints the
// token: inside the window the token is replaced, and the new one takes a
// later expiry.
func TestAccThirdPartyTokenResource_rotateBeforeExpiry(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_third_party_token.deploy"
	config := func(lifetime, window string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_third_party_token" "deploy" {
  role                 = "operator"
  expires_at           = timeadd(plantimestamp(), %q)
  rotate_before_expiry = %q

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [expires_at]
  }
}
`, lifetime, window))
	}
	var first string

	tfresource.ParallelTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkTokensDestroyed(t),
		Steps: []tfresource.TestStep{
			{
				// A token that would be due as soon as it is minted is refused at plan time.
				Config:      config("1h", "2h"),
				ExpectError: regexp.MustCompile(`(?s)Token would be due for rotation at once.*within\s+rotate_before_expiry\s+2h`),
			},
			{
				Config: config("1h", "10m"),
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[addr].Primary.ID
					return nil
				},
			},
			{
				// The window now covers the expiry: replaced, and the new
				// token's expiry (3h away) lies beyond the window.
				Config: config("3h", "2h"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				Check: func(s *terraform.State) error {
					rs := s.RootModule().Resources[addr].Primary
					if rs.ID == first {
						return errors.New("rotation kept the same token")
					}
					exp, err := time.Parse(time.RFC3339, rs.Attributes["expires_at"])
					if err != nil || time.Until(exp) < 2*time.Hour {
						return fmt.Errorf("new token expires at %q, want about 3h from now", rs.Attributes["expires_at"])
					}
					return env.mintedBeforeRevoked(t, rs.ID, first)
				},
			},
		},
	})
}

// Rewriting expires_at as the same instant in another offset is no new token.
func TestAccThirdPartyTokenResource_sameInstant(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_third_party_token.ci"
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	config := func(expires string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_third_party_token" "ci" {
  role       = "operator"
  expires_at = %q
}
`, expires))
	}
	zurich := at.In(time.FixedZone("", 2*3600)).Format(time.RFC3339)
	sameID := statecheck.CompareValue(compare.ValuesSame())

	tfresource.ParallelTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkTokensDestroyed(t),
		Steps: []tfresource.TestStep{
			{
				Config:            config(at.Format(time.RFC3339)),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				Config: config(zurich),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("expires_at"), knownvalue.StringExact(zurich)),
				},
			},
			{
				// Another instant is another token.
				Config: config(at.Add(time.Hour).Format(time.RFC3339)),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
}

// mintedBeforeRevoked checks in the audit log that token newID was minted
// before token oldID was revoked, so the two overlapped.
func (e *testEnv) mintedBeforeRevoked(t *testing.T, newID, oldID string) error {
	events, err := e.Client.ListAudit(e.ctx(t), client.AuditFilter{ObjectType: "token"})
	if err != nil {
		return err
	}
	created, revoked := -1, -1
	for i, ev := range events {
		switch {
		case ev.Action == "token.create" && ev.ObjectID == newID && ev.Outcome == "success":
			created = i
		case ev.Action == "token.delete" && ev.ObjectID == oldID && ev.Outcome == "success":
			revoked = i
		}
	}
	if created < 0 || revoked < 0 {
		return fmt.Errorf("audit log: new token %s minted at event %d, old token %s revoked at event %d", newID, created, oldID, revoked)
	}
	if created > revoked {
		return fmt.Errorf("old token %s was revoked before new token %s was minted", oldID, newID)
	}
	return nil
}
