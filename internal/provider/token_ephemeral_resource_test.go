package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// ephemeralTokenVersions skips ephemeral-resource tests on Terraform without them.
var ephemeralTokenVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}

// aliasProviderFactories serve the provider a second time under the local
// name identityalias. Terraform starts one provider process per provider
// block, but the test harness attaches every block of one name to the same
// in-process server, where the last configuration wins; a second name gives
// the second block its own server, as a real run does.
var aliasProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"identity":      providerserver.NewProtocol6WithError(New("test")()),
	"identityalias": providerserver.NewProtocol6WithError(New("test")()),
}

func TestAccTokenEphemeralResource_auditorAlias(t *testing.T) {
	env := newTestEnv(t)
	// An auditor alias signed in with a token minted for the run.
	config := func(ttl, extra string) string {
		return env.Config(fmt.Sprintf(`
ephemeral "identity_token" "auditor" {
  role        = "auditor"
  ttl         = %q
  description = "terraform run: review"
}

provider "identityalias" {
  alias    = "auditor"
  endpoint = %q
  token    = ephemeral.identity_token.auditor.token
}

data "identity_role" "sudo" {
  provider = identityalias.auditor
  name     = "sudo"
}
%s`, ttl, env.Server.URL, extra))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: aliasProviderFactories,
		TerraformVersionChecks:   ephemeralTokenVersions,
		Steps: []resource.TestStep{
			{
				Config:      config("25h", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Duration too long.*at most 24h`),
			},
			{
				Config:      config("soon", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid duration`),
			},
			{
				Config: config("15m", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{noSecretInPlan{}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The aliased provider read through the minted token.
					statecheck.ExpectKnownValue("data.identity_role.sudo", tfjsonpath.New("level"), knownvalue.Int64Exact(0)),
					noSecretInState{},
				},
				Check: env.ephemeralTokensRevoked(t, 15*time.Minute, 0),
			},
			{
				// The alias acts as the auditor, not as the superuser: a
				// write is refused, and the refusal names the token.
				Config: config("15m", `
resource "identity_group" "denied" {
  provider = identityalias.auditor
  name     = "not-for-auditors"
}
`),
				ExpectError: regexp.MustCompile(`Unable to create group`),
			},
			{
				// The failed apply could not revoke its token; it expires by itself.
				Config: config("15m", ""),
				Check: resource.ComposeTestCheckFunc(env.ephemeralTokensRevoked(t, 15*time.Minute, 1), func(*terraform.State) error {
					return env.refusedAsToken(t, "group.create")
				}),
			},
		},
	})
}

// ephemeralTokensRevoked checks that the tokens the runs minted are gone:
// every token.create has its token.delete and the token no longer exists.
// Terraform does not close ephemeral resources when an apply fails, so up to
// unclosed tokens may remain; each must expire by itself within ttl.
func (e *testEnv) ephemeralTokensRevoked(t *testing.T, ttl time.Duration, unclosed int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := e.ctx(t)
		created, err := e.auditedIDs(ctx, "token.create")
		if err != nil {
			return err
		}
		if len(created) == 0 {
			return errors.New("no token was minted")
		}
		deleted, err := e.auditedIDs(ctx, "token.delete")
		if err != nil {
			return err
		}
		left, err := e.Client.ListTokens(ctx)
		if err != nil {
			return err
		}
		if len(left) > unclosed {
			return fmt.Errorf("%d token(s) left on the server after the run, want at most %d", len(left), unclosed)
		}
		remaining := map[string]bool{}
		for _, tok := range left {
			if tok.ExpiresAt == nil || tok.ExpiresAt.After(time.Now().Add(ttl)) {
				return fmt.Errorf("token %s left on the server expires at %v, not within %s", tok.ID, tok.ExpiresAt, ttl)
			}
			remaining[tok.ID] = true
		}
		for id := range created {
			if remaining[id] {
				continue
			}
			if !deleted[id] {
				return fmt.Errorf("token %s was minted but never revoked", id)
			}
			if _, err := e.Client.GetToken(ctx, id); err == nil {
				return fmt.Errorf("token %s still exists after the run", id)
			} else if !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("reading token %s after the run: %w", id, err)
			}
		}
		return nil
	}
}

// auditedIDs returns the object ids of the successful audit events of action.
func (e *testEnv) auditedIDs(ctx context.Context, action string) (map[string]bool, error) {
	events, err := e.Client.ListAudit(ctx, client.AuditFilter{Action: action})
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, ev := range events {
		if ev.Outcome == "success" {
			ids[ev.ObjectID] = true
		}
	}
	return ids, nil
}

// refusedAsToken checks that an action was refused to a caller that is one
// of the minted tokens.
func (e *testEnv) refusedAsToken(t *testing.T, action string) error {
	ctx := e.ctx(t)
	created, err := e.auditedIDs(ctx, "token.create")
	if err != nil {
		return err
	}
	events, err := e.Client.ListAudit(ctx, client.AuditFilter{Action: action})
	if err != nil {
		return err
	}
	for _, ev := range events {
		if ev.Outcome == "denied" && created[ev.ActorID] {
			return nil
		}
	}
	return fmt.Errorf("no denied %s by a minted token among %d event(s)", action, len(events))
}

// jwtPattern matches a JWT's header and payload: what a leaked token secret looks like.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+`)

// noSecretInPlan fails when the saved plan holds a token secret or an
// identity_token instance.
type noSecretInPlan struct{}

func (noSecretInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = noSecretIn("plan", req.Plan)
}

// noSecretInState fails when the state holds a token secret or an identity_token instance.
type noSecretInState struct{}

func (noSecretInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = noSecretIn("state", req.State)
}

func noSecretIn(what string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if m := jwtPattern.Find(raw); m != nil {
		return fmt.Errorf("the %s holds a token secret (%.12s…)", what, m)
	}
	if regexp.MustCompile(`"type":"identity_token"`).Match(raw) {
		return fmt.Errorf("the %s holds an identity_token instance", what)
	}
	return nil
}

// The leak checks above must recognise a real token secret.
func TestNoSecretIn_findsTokenSecrets(t *testing.T) {
	env := newTestEnv(t)
	minted, err := env.Client.CreateToken(env.ctx(t), client.TokenCreate{Role: "auditor"})
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]any{"values": map[string]any{"token": minted.Secret}}
	if err := noSecretIn("state", state); err == nil {
		t.Error("a state holding a token secret passed the check")
	}
	state["values"] = map[string]any{"id": minted.ID}
	if err := noSecretIn("state", state); err != nil {
		t.Errorf("a state holding only the token id failed the check: %v", err)
	}
}
