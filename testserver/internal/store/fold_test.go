package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for _, same := range [][2]string{
		{"äDMIN@example.com", "ÄDMIN@EXAMPLE.COM"},
		{"ädmin@example.com", "a\u0308dmin@example.com"}, // composed and decomposed
		{"STRASSE", "straße"},
		{"Équipe", "équipe"},
	} {
		if Fold(same[0]) != Fold(same[1]) {
			t.Errorf("Fold(%q) = %q, Fold(%q) = %q: want one key", same[0], Fold(same[0]), same[1], Fold(same[1]))
		}
	}
	if Fold("admin@example.com") == Fold("ädmin@example.com") {
		t.Error("a and ä fold to one key")
	}
}

// unmigrate takes a database back to before 0003_hardening: the key columns
// and their indexes gone and the migration not recorded.
func unmigrate(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, stmt := range []string{
		`DROP TRIGGER users_fold_keys`, `DROP TRIGGER groups_fold_keys`,
		`DROP INDEX users_email_key`, `DROP INDEX users_organization_key`, `DROP INDEX groups_full_name_key`,
		`DROP INDEX groups_name_key`, `DROP INDEX groups_organization_key`,
		`ALTER TABLE users DROP COLUMN email_key`, `ALTER TABLE users DROP COLUMN organization_key`,
		`ALTER TABLE groups_ DROP COLUMN name_key`, `ALTER TABLE groups_ DROP COLUMN organization_key`,
		`ALTER TABLE groups_ DROP COLUMN full_name_key`,
		`DROP INDEX audit_refusals`, `ALTER TABLE audit DROP COLUMN count`, `ALTER TABLE audit DROP COLUMN last_at`,
		`DROP INDEX tokens_created_by`,
		`DELETE FROM schema_migrations WHERE name = '0003_hardening.sql'`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestFoldKeysMigrate: rows written before the comparison keys get theirs on
// upgrade, so an address differing only in Unicode case is then refused; two
// existing rows that collide stop the upgrade with both ids.
// The upgrade of an SQLite database from before the comparison keys; a
// PostgreSQL database starts with them.
func TestFoldKeysMigrate(t *testing.T) {
	ctx := context.Background()
	for _, clash := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "s.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
		unmigrate(t, path)
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if err := EnsureBuiltinRoles(ctx, db); err != nil {
			t.Fatal(err)
		}
		emails := []string{"ädmin@example.com"}
		if clash {
			emails = append(emails, "ÄDMIN@example.com")
		}
		for i, e := range emails {
			if _, err := db.Exec(`INSERT INTO users(id, username, email, organization, role, created_at, updated_at) VALUES (?, ?, ?, 'École', 'guest', '', '')`,
				"id-"+string(rune('a'+i)), "user"+string(rune('a'+i)), e); err != nil {
				t.Fatal(err)
			}
		}
		_ = db.Close()
		s, err = Open(ctx, path)
		if clash {
			if err == nil || !strings.Contains(err.Error(), "id-a and id-b") {
				t.Fatalf("colliding rows: %v, want an error naming both", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		org := "ÉCOLE"
		users, _, err := ListUsers(ctx, s.R, UserFilter{Email: "ÄDMIN@EXAMPLE.COM", Organization: &org}, Page{Limit: 10})
		if err != nil || len(users) != 1 {
			t.Fatalf("filter by the folded address: %v %v", users, err)
		}
		u := User{ID: "id-new", Username: "other", Email: "A\u0308DMIN@example.com", Role: "guest", Version: 1}
		if err := InsertUser(ctx, s.W, &u); err == nil || !strings.Contains(err.Error(), "already used") {
			t.Fatalf("an address differing in Unicode case and form: %v, want a conflict", err)
		}
		_ = s.Close()
	}
}
