package testserver_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

func usernames(r resp) string {
	var names []string
	for _, u := range r.items() {
		name, _ := u["username"].(string)
		names = append(names, name)
	}
	return strings.Join(names, ",")
}

func TestUserNameAndActivityFilters(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	for _, u := range []struct{ username, first, last string }{
		{"ann", "Ann", "Smith"}, {"bob", "Bob", "SMITH"}, {"anna", "ANN", "Jones"}, {"cid", "Cid", ""},
	} {
		root.must(201, "POST", "/api/v1/users", map[string]any{"username": u.username, "email": u.username + "@example.com",
			"first_name": u.first, "last_name": u.last})
	}
	if got := usernames(root.must(200, "GET", "/api/v1/users?first_name=ann", nil)); got != "ann,anna" {
		t.Fatalf("first_name=ann: %s", got)
	}
	if got := usernames(root.must(200, "GET", "/api/v1/users?last_name=smith&first_name=BOB", nil)); got != "bob" {
		t.Fatalf("last_name=smith&first_name=BOB: %s", got)
	}

	// ann logged in recently, bob long ago, the others never (nor has system,
	// whose test session was opened without a login).
	d := db(t, s)
	now := time.Now().UTC()
	for name, at := range map[string]time.Time{"ann": now.Add(-time.Hour), "bob": now.Add(-200 * 24 * time.Hour)} {
		if _, err := d.Exec(`UPDATE users SET last_login_at = ? WHERE username = ?`, at.Format("2006-01-02T15:04:05.000000000Z"), name); err != nil {
			t.Fatal(err)
		}
	}
	since := now.Add(-90 * 24 * time.Hour).Format(time.RFC3339)
	if got := usernames(root.must(200, "GET", "/api/v1/users?inactive_since="+since, nil)); got != "system,bob,anna,cid" {
		t.Fatalf("inactive_since: %s", got)
	}
	if got := usernames(root.must(200, "GET", "/api/v1/users?inactive_since="+since+"&first_name=ann", nil)); got != "anna" {
		t.Fatalf("inactive_since with first_name: %s", got)
	}
	r := root.must(400, "GET", "/api/v1/users?inactive_since=yesterday", nil)
	if r.fieldErr("inactive_since") == "" {
		t.Fatalf("bad inactive_since: %s", r.raw)
	}
	root.must(400, "GET", "/api/v1/users?first_name="+strings.Repeat("x", 129), nil)

	// The name filters read an index.
	if plan := namePlan(t, s, d); !strings.Contains(plan, "users_first_name") {
		t.Fatalf("first_name filter plan: %s", plan)
	}
}

// namePlan returns the query plan of the first_name filter in each
// backend's words. PostgreSQL is told to avoid a sequential scan, which it
// prefers on a table this small, so the plan shows whether an index can
// serve the filter at all.
func namePlan(t *testing.T, s *testserver.Server, d *sql.DB) string {
	t.Helper()
	const query = `SELECT u.id FROM users u WHERE u.first_name = ? COLLATE NOCASE`
	var plan string
	if onPostgres(s) {
		tx, err := d.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback() }()
		if _, err := tx.Exec(`SET LOCAL enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(`EXPLAIN `+query, "ann")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan += line + ";"
		}
		return plan
	}
	rows, err := d.Query(`EXPLAIN QUERY PLAN `+query, "ann")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + ";"
	}
	return plan
}

func TestTokenLastUsedAt(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	r := root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "auditor"})
	id, jwt := r.str("id"), r.str("token")
	if r.body["last_used_at"] != nil {
		t.Fatalf("new token already used: %s", r.raw)
	}
	as(t, s, jwt).must(200, "GET", "/api/v1/me", nil)
	first := root.must(200, "GET", "/api/v1/tokens/"+id, nil).str("last_used_at")
	if first == "" {
		t.Fatal("use not recorded")
	}
	// Within the minute further uses do not write.
	as(t, s, jwt).must(200, "GET", "/api/v1/users", nil)
	if again := root.must(200, "GET", "/api/v1/tokens/"+id, nil).str("last_used_at"); again != first {
		t.Fatalf("last_used_at moved within the minute: %s -> %s", first, again)
	}
	// Once the recorded use is older than a minute, the next use writes.
	old := time.Now().UTC().Add(-2 * time.Minute).Format("2006-01-02T15:04:05.000000000Z")
	if _, err := db(t, s).Exec(`UPDATE tokens SET last_used_at = ? WHERE id = ?`, old, id); err != nil {
		t.Fatal(err)
	}
	as(t, s, jwt).must(200, "GET", "/api/v1/me", nil)
	if later := root.must(200, "GET", "/api/v1/tokens/"+id, nil).str("last_used_at"); later <= old {
		t.Fatalf("last_used_at not moved on: %s", later)
	}
	// Token use is activity, not a change.
	if v := root.must(200, "GET", "/api/v1/tokens/"+id, nil).body["version"]; v != float64(1) {
		t.Fatalf("version %v", v)
	}
}
