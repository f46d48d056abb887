package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
)

// open opens a fresh store on the backend the tests run on
// (pgtest.EnvBackend) and returns it with its path or URL.
func open(t *testing.T) (*Store, string) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "s.db")
	if pgtest.Enabled() {
		dsn = pgtest.URL(t)
	}
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, dsn
}

// sqliteOnly skips a test of SQLite's own machinery (pragmas, query plans,
// files) when the tests run on PostgreSQL.
func sqliteOnly(t *testing.T, s *Store) {
	t.Helper()
	if s.Postgres() {
		t.Skip("checks SQLite's own machinery; the tests run on PostgreSQL")
	}
}

// migrationDir is the folder of the backend's migrations.
func migrationDir(s *Store) string {
	if s.Postgres() {
		return "migrations/postgres"
	}
	return "migrations/sqlite"
}

func TestMigrationsOnce(t *testing.T) {
	s, dsn := open(t)
	ctx := context.Background()
	var n int
	if err := s.R.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = 1`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("schema_migrations: %d %v", n, err)
	}
	// Re-opening applies nothing twice.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s2.Close() }()
	embedded, err := fs.Glob(migrationFS, migrationDir(s2)+"/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.R.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(embedded) || n < 6 {
		t.Fatalf("migrations after reopen: %d of %d, %v", n, len(embedded), err)
	}
}

// Both backends have the same migration versions.
func TestMigrationsMirror(t *testing.T) {
	names := func(dir string) []string {
		entries, err := fs.ReadDir(migrationFS, dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names("migrations/sqlite"), names("migrations/postgres")
	if strings.Join(lite, ",") != strings.Join(pg, ",") {
		t.Fatalf("sqlite migrations %v, postgres %v", lite, pg)
	}
}

func TestPragmas(t *testing.T) {
	s, _ := open(t)
	sqliteOnly(t, s)
	for _, db := range []*sql.DB{s.W, s.R} {
		var mode string
		var fk, busy int
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode %q %v", mode, err)
		}
		if err := db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys %d %v", fk, err)
		}
		if err := db.QueryRow(`PRAGMA busy_timeout`).Scan(&busy); err != nil || busy < 5000 {
			t.Fatalf("busy_timeout %d %v", busy, err)
		}
	}
	if _, err := s.R.Exec(`INSERT INTO settings(key, value) VALUES ('x', 'y')`); err == nil {
		t.Fatal("the read pool accepted a write")
	}
}

func TestLookupsUseIndexes(t *testing.T) {
	s, _ := open(t)
	sqliteOnly(t, s)
	cases := map[string]string{
		`SELECT id FROM users WHERE username = ?`:                                           "users_username",
		`SELECT id FROM users u WHERE u.email = ?`:                                          "users_email",
		`SELECT id FROM groups_ WHERE full_name = ?`:                                        "groups_full_name",
		`SELECT ` + userCols + userFrom + ` WHERE u.username = ?`:                           "users_username",
		`SELECT ` + userCols + userFrom + ` WHERE u.email = ? AND u.seq > 0`:                "users_email",
		`SELECT id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`: "PRIMARY KEY",
	}
	for q, index := range cases {
		joined := queryPlan(t, s.R, q, "x")
		if !strings.Contains(joined, index) || strings.Contains(joined, "SCAN u") || strings.Contains(joined, "SCAN users") {
			t.Errorf("%s\n  plan: %s\n  want index %s and no scan", q, joined, index)
		}
	}
}

func TestCaseInsensitiveUniqueness(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	if err := EnsureBuiltinRoles(ctx, s.W); err != nil {
		t.Fatal(err)
	}
	u := User{ID: uuid.NewString(), Username: "Alice", Email: "Alice@Example.com", Role: "guest", CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
	if err := InsertUser(ctx, s.W, &u); err != nil {
		t.Fatal(err)
	}
	got, err := GetUserByUsername(ctx, s.R, "aLiCe")
	if err != nil || got.ID != u.ID || got.Username != "Alice" || got.Level != 256 {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	dup := User{ID: uuid.NewString(), Username: "ALICE", Email: "b@example.com", Role: "guest", CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
	var ce *ConflictError
	if err := InsertUser(ctx, s.W, &dup); err == nil || !asConflict(err, &ce) || ce.Field != "username" {
		t.Fatalf("duplicate username: %v", err)
	}
	// The indexes themselves refuse them too, whatever the code above
	// checks, and both backends name the same field for the refusal.
	for field, insert := range map[string]string{
		"email":    `INSERT INTO users(id, username, email, role, created_at, updated_at) VALUES ('x', 'x', 'ALICE@example.COM', 'guest', '', '')`,
		"username": `INSERT INTO users(id, username, email, role, created_at, updated_at) VALUES ('y', 'aLICE', 'y@example.com', 'guest', '', '')`,
		"id":       `INSERT INTO users(id, username, email, role, created_at, updated_at) VALUES ('` + u.ID + `', 'z', 'z@example.com', 'guest', '', '')`,
	} {
		_, err = s.W.Exec(insert)
		if !IsConstraint(err) {
			t.Fatalf("raw duplicate %s: %v", field, err)
		}
		if ce := UniqueConflict(err); ce == nil || ce.Field != field {
			t.Errorf("raw duplicate %s: conflict %+v from %v", field, ce, err)
		}
	}
	if _, err := s.W.Exec(`INSERT INTO roles(name, level, created_at, updated_at) VALUES ('guest', 1, '', '')`); UniqueConflict(err) == nil || UniqueConflict(err).Field != "name" {
		t.Errorf("raw duplicate role: %v", err)
	}
	if UniqueConflict(errors.New("x")) != nil || UniqueConflict(ErrNotFound) != nil {
		t.Error("UniqueConflict of an error that is no unique violation")
	}
}

func asConflict(err error, target **ConflictError) bool {
	return errors.As(err, target)
}

func TestCursorRoundTrip(t *testing.T) {
	for _, n := range []int64{0, 1, 42, 1 << 40} {
		got, err := DecodeCursor(EncodeCursor(n))
		if err != nil || got != n {
			t.Fatalf("%d -> %d %v", n, got, err)
		}
	}
	for _, bad := range []string{"!!", "eA", EncodeRoleCursor(1, "x")} {
		if _, err := DecodeCursor(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
	rc, err := DecodeRoleCursor(EncodeRoleCursor(10, "op:x"))
	if err != nil || rc.Level != 10 || rc.Name != "op:x" || !rc.Set {
		t.Fatalf("role cursor %+v %v", rc, err)
	}
}
