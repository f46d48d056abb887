package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT a FROM t WHERE b = ? AND c = ?`:                       `SELECT a FROM t WHERE b = $1 AND c = $2`,
		`SELECT (SELECT count(*) FROM u WHERE r = ?1), ?1`:            `SELECT (SELECT count(*) FROM u WHERE r = $1), $1`,
		`SELECT '?', "a?b", ? -- what?` + "\n" + `FROM t WHERE x = ?`: `SELECT '?', "a?b", $1 -- what?` + "\n" + `FROM t WHERE x = $2`,
		`SELECT x FROM t WHERE y LIKE ? ESCAPE '\'`:                   `SELECT x FROM t WHERE y LIKE $1 ESCAPE '\'`,
		`CREATE TEMP TABLE w (id TEXT PRIMARY KEY) WITHOUT ROWID`:     `CREATE TEMP TABLE w (id TEXT PRIMARY KEY)`,
		`SELECT 'unterminated ?`:                                      `SELECT 'unterminated ?`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// pgQueryPlan returns PostgreSQL's EXPLAIN of query, its lines joined by
// "; ". The test tables hold a handful of rows, where PostgreSQL rightly
// reads the whole table rather than an index, so the plan is taken with
// enable_seqscan off in that connection's session: the planner then picks
// the index it would use on a large table, and a lookup no index serves
// still shows a Seq Scan. (Seeding thousands of rows instead would make each
// test slower and the choice depend on the statistics.)
func pgQueryPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(ctx, `RESET enable_seqscan`) }()
	rows, err := conn.QueryContext(ctx, `EXPLAIN `+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, strings.TrimSpace(line))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

// postgresOnly skips a test of PostgreSQL's own machinery when the tests
// run on SQLite.
func postgresOnly(t *testing.T, s *Store) {
	t.Helper()
	if !s.Postgres() {
		t.Skip("checks PostgreSQL's own machinery: runs with IDENTITY_TEST_BACKEND=postgres")
	}
}

// The lookups every request makes read an index on PostgreSQL too, never
// the whole table (TestLookupsUseIndexes is SQLite's side).
func TestPostgresLookupsUseIndexes(t *testing.T) {
	s, _ := open(t)
	postgresOnly(t, s)
	for _, c := range []struct {
		name, query string
		indexes     []string
	}{
		{"user by username", `SELECT ` + userCols + userFrom + ` WHERE u.username = ?`, []string{"users_username", "roles_pkey"}},
		{"user by email key", `SELECT ` + userCols + userFrom + ` WHERE u.email_key = ?`, []string{"users_email_key", "roles_pkey"}},
		{"session", sessionUserQuery, []string{"sessions_pkey", "users_id_key", "roles_pkey"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := pgQueryPlan(t, s.R, c.query, "x")
			assertPgIndexes(t, plan, c.indexes)
		})
	}
}

// The access decision's grant lookups read the principals' composite
// indexes on PostgreSQL too (TestAccessLookupsUseIndexes is SQLite's side).
func TestPostgresAccessLookupsUseIndexes(t *testing.T) {
	f := newAccessFixture(t)
	postgresOnly(t, f.s)
	// Each principal's branch reads its own index. The branch through the
	// user's groups is led by memberships_user_group; on these few rows the
	// planner may then take the grants by permissions_grant (operation,
	// scope) rather than permissions_group_grant, so only "an index, no
	// scan" is asserted for that side.
	all := []string{"permissions_user_grant", "permissions_role_grant", "memberships_user_group"}
	for _, c := range []struct {
		name    string
		query   string
		nArgs   int
		indexes []string
	}{
		{"decision for a user", grantsQuery(true, true, 2, 3), 3 + 2*5 + 5, all},
		{"decision for a token", grantsQuery(false, true, 2, 3), 6, []string{"permissions_role_grant"}},
		{"effective permissions of a user", grantsQuery(true, true, 0, 0), 3, all},
		{"a user's groups", userGroupsQuery, 1, []string{"memberships_user_group"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			assertPgIndexes(t, pgQueryPlan(t, f.s.R, c.query, xArgs(c.nArgs)...), c.indexes)
		})
	}
}

func assertPgIndexes(t *testing.T, plan string, indexes []string) {
	t.Helper()
	for _, idx := range indexes {
		if !strings.Contains(plan, " on "+idx+" ") && !strings.Contains(plan, " using "+idx+" ") {
			t.Errorf("plan does not use %s:\n  %s", idx, plan)
		}
	}
	if strings.Contains(plan, "Seq Scan") {
		t.Errorf("plan scans a table:\n  %s", plan)
	}
}
