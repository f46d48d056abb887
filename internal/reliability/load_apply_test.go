package reliability

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// loadConfig is 500 users, 50 groups and 1,000 memberships (every user in two
// groups, every group with 20 members; the pairs are distinct).
func loadConfig(users, groups, memberships int) string {
	return fmt.Sprintf(`
resource "identity_user" "u" {
  count    = %d
  username = "load-${count.index}"
  email    = "load-${count.index}@example.com"
  role     = "guest"
}

resource "identity_group" "g" {
  count = %d
  name  = "load-group-${count.index}"
}

resource "identity_group_membership" "m" {
  count    = %d
  group_id = identity_group.g[(count.index + floor(count.index / %d)) %% %d].id
  user_id  = identity_user.u[count.index %% %d].id
}
`, users, groups, memberships, users, groups, users)
}

// TestLoad_ApplyParallelism50 applies the full load, 500 users, 50 groups
// and 1,000 memberships (1,550 resources), with -parallelism=50. It takes
// a few minutes on two cores, most of it Terraform's own work.
func TestLoad_ApplyParallelism50(t *testing.T) { applyLoad(t, 500, 50, 1000) }

// applyLoad applies the load configuration at -parallelism=50: the apply
// succeeds, the server holds exactly the users, groups and memberships, every
// group has its share of members, and the next plan is empty.
func applyLoad(t *testing.T, users, groups, memberships int) {
	f := newTF(t)
	s := testserver.Start(t)
	f.write(providerBlock(s.URL, s.Token) + loadConfig(users, groups, memberships))

	start := time.Now()
	f.must(10*time.Minute, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=50")
	applied := time.Since(start)

	db := openDB(t, s.DBPath)
	checkLoadStored(t, db, users, groups, memberships)
	if got := dbCount(t, db, `SELECT count(*) FROM (SELECT group_id FROM memberships GROUP BY group_id HAVING count(*) = ?)`, 2*users/groups); got != groups {
		t.Errorf("%d groups have %d members, want all %d", got, 2*users/groups, groups)
	}
	start = time.Now()
	empty, out := f.planIsEmpty(5 * time.Minute)
	planned := time.Since(start)
	if !empty {
		t.Errorf("plan after apply is not empty:\n%s", tail(out, 4000))
	}
	checkDBIntegrity(t, db)
	t.Logf("apply of %d resources at -parallelism=50: %s; refresh plan: %s", users+groups+memberships, applied.Round(time.Millisecond), planned.Round(time.Millisecond))
}

// checkLoadStored checks that the server holds exactly the users, groups
// and memberships of loadConfig.
func checkLoadStored(t *testing.T, db *sql.DB, users, groups, memberships int) {
	t.Helper()
	for q, want := range map[string]int{
		`SELECT count(*) FROM users WHERE username LIKE 'load-%'`:     users,
		`SELECT count(*) FROM groups_ WHERE name LIKE 'load-group-%'`: groups,
		`SELECT count(*) FROM memberships`:                            memberships,
	} {
		if got := dbCount(t, db, q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
}
