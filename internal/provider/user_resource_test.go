package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
)

// testAccCheckUserDestroyed asks the server that no identity_user in state still exists.
func testAccCheckUserDestroyed(env *testEnv, t *testing.T) resource.TestCheckFunc {
	return env.checkDestroyed(t, "identity_user", func(ctx context.Context, a map[string]string) error {
		_, err := env.Client.GetUser(ctx, a["id"])
		return err
	})
}

// testAccCheckLogin checks that username can (or cannot) log in with password.
func testAccCheckLogin(env *testEnv, t *testing.T, username, password string, wantOK bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := client.New(client.Config{Endpoint: env.Server.URL, Username: username, Password: password, DisableRetries: true})
		if err != nil {
			return err
		}
		_, err = c.Me(env.ctx(t))
		switch {
		case wantOK && err != nil:
			return fmt.Errorf("logging in as %s with the configured password: %w", username, err)
		case !wantOK && err == nil:
			return fmt.Errorf("logging in as %s with an old password succeeded", username)
		case !wantOK && !errors.Is(err, client.ErrUnauthorized):
			return fmt.Errorf("logging in as %s with an old password: want 401, got %w", username, err)
		}
		return nil
	}
}

// secretAbsent fails when secret appears anywhere in a plan or state's JSON.
type secretAbsent struct{ secret string }

func (c secretAbsent) check(what string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", what, err)
	}
	if strings.Contains(string(b), c.secret) {
		return fmt.Errorf("the write-only password appears in the %s", what)
	}
	return nil
}

// CheckPlan looks at the planned values and changes; the plan's copy of the
// configuration source is left out, since the test's HCL holds the literal.
func (c secretAbsent) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = errors.Join(
		c.check("planned values", req.Plan.PlannedValues),
		c.check("planned changes", req.Plan.ResourceChanges),
		c.check("prior state", req.Plan.PriorState),
	)
}

func (c secretAbsent) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check("state", req.State)
}

func TestAccUserResource_basic(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_user.test"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	created := env.Config(`
resource "identity_user" "test" {
  username   = "alice"
  email      = "Alice@Example.com"
  first_name = "Alice"
  role       = "auditor"
  attributes = { team = "blue" }
}
`)
	updated := env.Config(`
resource "identity_user" "test" {
  username     = "alice"
  email        = "alice@wonderland.example"
  first_name   = "Alice"
  last_name    = "Liddell"
  organization = "Wonderland"
  role         = "operator"
  disabled     = true
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckUserDestroyed(env, t),
		Steps: []resource.TestStep{
			{
				Config: created,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("email"), knownvalue.StringExact("Alice@Example.com")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_name"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("organization"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("attributes"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("blue")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// By username, in another case.
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "ALICE",
				ImportStateVerify: true,
			},
			{
				// An import block, by username.
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "alice",
			},
			{
				// A case-only change of the email on the server is no diff.
				PreConfig: func() {
					email := "alice@EXAMPLE.COM"
					u, err := env.Client.GetUserByUsername(env.ctx(t), "alice")
					if err == nil {
						_, err = env.Client.UpdateUser(env.ctx(t), u.ID, client.UserUpdate{Email: &email})
					}
					if err != nil {
						t.Fatalf("changing email case out of band: %v", err)
					}
				},
				Config:   created,
				PlanOnly: true,
			},
			{
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("operator")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("disabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("attributes"), knownvalue.MapSizeExact(0)),
				},
			},
			{
				// Deleted out of band: refresh drops it and the plan creates it again.
				PreConfig: func() {
					u, err := env.Client.GetUserByUsername(env.ctx(t), "alice")
					if err == nil {
						err = env.Client.DeleteUser(env.ctx(t), u.ID)
					}
					if err != nil {
						t.Fatalf("deleting user out of band: %v", err)
					}
				},
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func TestAccUserResource_passwordWriteOnly(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_user.test"
	config := func(password string, version int) string {
		return env.Config(fmt.Sprintf(`
resource "identity_user" "test" {
  username            = "carol"
  email               = "carol@example.com"
  password_wo         = %q
  password_wo_version = %d
}
`, password, version))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckUserDestroyed(env, t),
		Steps: []resource.TestStep{
			{
				Config: config("first-secret-1", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{secretAbsent{"first-secret-1"}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					secretAbsent{"first-secret-1"},
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: testAccCheckLogin(env, t, "carol", "first-secret-1", true),
			},
			{
				// A new version sets the password from password_wo again.
				Config: config("second-secret-2", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						secretAbsent{"second-secret-2"},
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{secretAbsent{"second-secret-2"}},
				Check: resource.ComposeTestCheckFunc(
					testAccCheckLogin(env, t, "carol", "first-secret-1", false),
					testAccCheckLogin(env, t, "carol", "second-secret-2", true),
				),
			},
		},
	})
}

func TestAccUserResource_password(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_user.test"
	config := func(password string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_user" "test" {
  username = "dave"
  email    = "dave@example.com"
  password = %q
}
`, password))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckUserDestroyed(env, t),
		Steps: []resource.TestStep{
			{
				Config: config("first-secret-1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("password")),
				},
				Check: testAccCheckLogin(env, t, "dave", "first-secret-1", true),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
				// The check above signed in after the state was saved.
				ImportStateVerifyIgnore: []string{"password", "last_login_at"},
			},
			{
				Config: config("second-secret-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					testAccCheckLogin(env, t, "dave", "first-secret-1", false),
					testAccCheckLogin(env, t, "dave", "second-secret-2", true),
				),
			},
		},
	})
}

func TestAccUserResource_forbiddenQuotesReason(t *testing.T) {
	env := newTestEnv(t)
	if _, err := env.Client.CreateUser(env.ctx(t), client.UserCreate{
		Username: "ann", Email: "ann@example.com", Role: "admin", Password: "admin-secret-1",
	}); err != nil {
		t.Fatalf("creating admin user: %v", err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "identity" {
  endpoint = %q
  username = "ann"
  password = "admin-secret-1"
}

resource "identity_user" "test" {
  username = "root2"
  email    = "root2@example.com"
  role     = "sudo"
}
`, env.Server.URL),
				// The refusal names the signed-in user as well as its role.
				ExpectError: regexp.MustCompile(`(?s)Unable to create user.*"root2".*user\s+"ann"\s+with\s+role\s+admin\s+\(level\s+1\)\s+cannot\s+assign\s+role\s+sudo\s+\(level\s+0\)`),
			},
		},
	})
}

func TestAccUserResource_validation(t *testing.T) {
	env := newTestEnv(t)
	user := func(extra string) string {
		return env.Config(`
resource "identity_user" "test" {
  username = "erin"
  email    = "erin@example.com"
` + extra + `
}
`)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "identity_user" "test" {
  username = "erin smith"
  email    = "erin@example.com"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid username`),
			},
			{
				Config: env.Config(`
resource "identity_user" "test" {
  username = "erin"
  email    = "Erin <erin@example.com>"
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid email address`),
			},
			{
				Config:      user(`  password_wo = "short"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid password.*between 8 and 128`),
			},
			{
				Config:      user(`  password = "short"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid password.*between 8 and 128`),
			},
			{
				Config:      user("  password    = \"long-enough-1\"\n  password_wo = \"long-enough-2\""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				Config:      user(`  password_wo_version = 1`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)password_wo.*must be specified`),
			},
			{
				Config:      user(`  role = "Admin"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid role name`),
			},
			{
				Config:      user(`  first_name = "tab\there"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`control characters`),
			},
			{
				Config:      user(`  organization = "` + strings.Repeat("o", 129) + `"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`at most 128 characters`),
			},
			{
				Config:      user(`  attributes = { "1bad" = "x" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid attribute.*"1bad"`),
			},
		},
	})
}

// A change made through the API between a saved plan and its apply is
// reported as such, and the plan's own change is not half-applied.
func TestAccUserResource_editBetweenPlanAndApply(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_user.test"
	config := func(first string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_user" "test" {
  username   = "pat"
  email      = "pat@example.com"
  first_name = %q
  last_name  = "Lee"
}
`, first))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckUserDestroyed(env, t),
		Steps: []resource.TestStep{
			{Config: config("Pat")},
			{
				Config: config("Patricia"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						changeBeforeApply(func(ctx context.Context) error {
							u, err := env.Client.GetUserByUsername(ctx, "pat")
							if err != nil {
								return err
							}
							last := "Changed"
							_, err = env.Client.UpdateUser(ctx, u.ID, client.UserUpdate{LastName: &last})
							return err
						}),
					},
				},
				ExpectError: regexp.MustCompile(`(?s)Unable to update user.*"pat".*` + changedOnServer),
			},
			{
				// The refused apply changed nothing; a new plan shows both changes.
				PreConfig: func() {
					u, err := env.Client.GetUserByUsername(env.ctx(t), "pat")
					if err != nil {
						t.Fatal(err)
					}
					if u.FirstName != "Pat" || u.LastName != "Changed" {
						t.Fatalf("after the refused apply the server has %q %q, want \"Pat\" \"Changed\"", u.FirstName, u.LastName)
					}
				},
				Config: config("Patricia"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("first_name"), knownvalue.StringExact("Patricia")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_name"), knownvalue.StringExact("Lee")),
				},
			},
		},
	})
}

// A create refused because only the email is taken names the user who holds
// it and does not suggest importing that user; a taken username does.
func TestAccUserResource_emailHeldByAnotherUser(t *testing.T) {
	env := newTestEnv(t)
	frank := env.createUser(t, "frank")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "identity_user" "test" {
  username = "s4-dupemail"
  email    = "FRANK@example.com"
}
`),
				ExpectError: regexp.MustCompile(`(?s)Unable to create user.*email\s+"FRANK@example.com"\s+already\s+belongs\s+to\s+another\s+user,\s+"frank"\s+\(id\s+` + frank.ID + `\).*` +
					// The detail ends there: no advice to import frank.
					`change\s+the\s+email\s+of\s+"frank"\s+first\.\s*$`),
			},
			{
				Config: env.Config(`
resource "identity_user" "test" {
  username = "Frank"
  email    = "someone-else@example.com"
}
`),
				ExpectError: regexp.MustCompile(`(?s)already\s+exists\s+on\s+the\s+server.*terraform\s+import\s+'identity_user.<name>'\s+'frank'`),
			},
		},
	})
}

// A case-only change of the username is an in-place update: same id, the
// user's grants stay, and no diff follows.
func TestAccUserResource_usernameCaseOnlyChange(t *testing.T) {
	env := newTestEnv(t)
	const addr = "identity_user.test"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	config := func(username string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_user" "test" {
  username = %q
  email    = "quinn@example.com"
}

resource "identity_permission" "p" {
  operation = "VIEW_PROJECT"
  scope     = "project:web"
  user_id   = identity_user.test.id
}
`, username))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckUserDestroyed(env, t),
		Steps: []resource.TestStep{
			{
				Config:            config("quinn"),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				Config: config("Quinn"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("identity_permission.p", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("username"), knownvalue.StringExact("Quinn")),
				},
			},
			{Config: config("Quinn"), PlanOnly: true},
		},
	})
}

// Email case: a case-only difference made on the server plans nothing; a
// case-only change in the configuration is an in-place update that stores
// the new spelling, as the attribute's documentation says.
func TestAccUserResource_emailCase(t *testing.T) {
	// The documentation states both halves of the behaviour tested below.
	var sch fwresource.SchemaResponse
	NewUserResource().Schema(context.Background(), fwresource.SchemaRequest{}, &sch)
	doc := sch.Schema.Attributes["email"].GetMarkdownDescription()
	for _, want := range []string{"differs from this one only in case", "no change is planned", "Changing only the case here is an in-place update"} {
		if !strings.Contains(doc, want) {
			t.Errorf("email documentation %q does not say %q", doc, want)
		}
	}
	env := newTestEnv(t)
	const addr = "identity_user.test"
	config := func(email string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_user" "test" {
  username = "rita"
  email    = %q
}
`, email))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckUserDestroyed(env, t),
		Steps: []resource.TestStep{
			{Config: config("Rita@Example.com")},
			{
				Config: config("rita@example.com"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					u, err := env.Client.GetUserByUsername(env.ctx(t), "rita")
					if err != nil {
						return err
					}
					if u.Email != "rita@example.com" {
						return fmt.Errorf("server email %q, want the new spelling rita@example.com", u.Email)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					u, err := env.Client.GetUserByUsername(env.ctx(t), "rita")
					if err == nil {
						email := "RITA@EXAMPLE.COM"
						_, err = env.Client.UpdateUser(env.ctx(t), u.ID, client.UserUpdate{Email: &email})
					}
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:   config("rita@example.com"),
				PlanOnly: true,
			},
		},
	})
}
