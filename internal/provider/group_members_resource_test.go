package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed/terraform-provider-identity/internal/client"
	"github.com/seed/terraform-provider-identity/testserver"
)

func TestAccGroupMembersResource_basic(t *testing.T) {
	env := newTestEnv(t)
	a, b, c := env.createUser(t, "a"), env.createUser(t, "b"), env.createUser(t, "c")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const addr = "identity_group_members.team"

	config := func(ids ...string) string {
		return env.Config(fmt.Sprintf(`
resource "identity_group" "team" {
  name = "team"
}

resource "identity_group_members" "team" {
  group_id = identity_group.team.id
  user_ids = %s
}
`, hclStrings(ids)))
	}
	var groupID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// The group goes too, so its member set can no longer be asked for:
		// the group itself must be gone (not found, not any error).
		CheckDestroy: env.checkDestroyed(t, "identity_group", func(ctx context.Context, attrs map[string]string) error {
			_, err := env.Client.GetGroup(ctx, attrs["id"])
			return err
		}),
		Steps: []resource.TestStep{
			{
				Config: config(a.ID, b.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("user_ids"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(a.ID), knownvalue.StringExact(b.ID),
					})),
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
				},
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["identity_group.team"].Primary.ID
					return env.expectMembers(t, groupID, a.ID, b.ID)
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				Config:            config(b.ID, c.ID),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					return env.expectMembers(t, groupID, b.ID, c.ID)
				},
			},
			{
				// A member added elsewhere is drift, and apply removes it.
				PreConfig: func() {
					if _, err := env.Client.AddMember(env.ctx(t), groupID, a.ID); err != nil {
						t.Fatalf("adding member out of band: %v", err)
					}
				},
				Config: config(b.ID, c.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					return env.expectMembers(t, groupID, b.ID, c.ID)
				},
			},
			{
				// Emptying through the resource leaves the group in place.
				Config: config(),
				Check: func(*terraform.State) error {
					return env.expectMembers(t, groupID)
				},
			},
		},
	})
}

// TestAccGroupMembersResource_destroyEmpties checks that destroying the
// resource empties a group that outlives it.
func TestAccGroupMembersResource_destroyEmpties(t *testing.T) {
	env := newTestEnv(t)
	u := env.createUser(t, "member")
	g, err := env.Client.CreateGroup(env.ctx(t), client.GroupCreate{Name: "kept"})
	if err != nil {
		t.Fatalf("creating group: %v", err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return env.expectMembers(t, g.ID)
		},
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf(`
resource "identity_group_members" "kept" {
  group_id = %q
  user_ids = [%q]
}
`, g.ID, u.ID)),
				Check: func(*terraform.State) error { return env.expectMembers(t, g.ID, u.ID) },
			},
		},
	})
}

// TestAccGroupMembersResource_large applies and refreshes a group of
// thousands of members and checks that it takes a handful of member
// requests, not one per member.
func TestAccGroupMembersResource_large(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: thousands of users")
	}
	const n = 2000
	reqs := &requestLog{}
	srv := testserver.Start(t, testserver.Options{Logger: hclog.New(&hclog.LoggerOptions{
		Output: reqs, JSONFormat: true, Level: hclog.Info,
	})})
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: srv.Token, MaxRetries: 1})
	if err != nil {
		t.Fatalf("creating API client: %v", err)
	}
	env := &testEnv{Server: srv, Client: c}
	start := time.Now()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = env.createUser(t, fmt.Sprintf("bulk%04d", i)).ID
	}
	t.Logf("created %d users in %s", n, time.Since(start))
	g, err := env.Client.CreateGroup(env.ctx(t), client.GroupCreate{Name: "everyone"})
	if err != nil {
		t.Fatalf("creating group: %v", err)
	}
	config := env.Config(fmt.Sprintf(`
resource "identity_group_members" "everyone" {
  group_id = %q
  user_ids = %s
}
`, g.ID, hclStrings(ids)))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					if err := env.expectMembers(t, g.ID, ids...); err != nil {
						return err
					}
					// Apply, refreshes and the post-apply plan together.
					got := reqs.count("/members")
					t.Logf("%d member requests, %s since setup", got, time.Since(start))
					if got == 0 {
						return fmt.Errorf("the server's request log counted no member request; the log format may have changed, so the count proves nothing")
					}
					if got > 20 {
						return fmt.Errorf("%d member requests for %d members; want a handful", got, n)
					}
					return nil
				},
			},
		},
	})
}

// hclStrings renders ids as an HCL list of strings.
func hclStrings(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// requestLog collects the server's JSON request logs.
type requestLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *requestLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// count returns how many logged requests had a path containing fragment.
func (l *requestLog) count(fragment string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.buf.String(), "\n") {
		var entry struct {
			Message string `json:"@message"`
			Path    string `json:"path"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Message == "request" && strings.Contains(entry.Path, fragment) {
			n++
		}
	}
	return n
}
