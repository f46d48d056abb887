package store

import "testing"

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
