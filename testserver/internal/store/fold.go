package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Fold returns the comparison key of an email address, organization or group
// name: canonical caseless matching (Unicode's NFD, case fold, then NFC), so
// "ÄDMIN@", "äDMIN@" and "A\u0308dmin@" are one address. Values are stored as
// given; uniqueness and filters compare the keys.
func Fold(s string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFD.String(s)))
}

// goSteps run after the SQL of the migration they are named after, in its
// transaction, for what SQL cannot compute.
var goSteps = map[string]func(ctx context.Context, tx *sql.Tx) error{
	"hardening": fillFoldKeys,
}

// fillFoldKeys gives existing users and groups their comparison keys, then
// makes the keys unique. Two rows that were distinct under ASCII-only case
// folding but are one under Unicode's stop the migration with their ids: an
// operator decides which to rename.
func fillFoldKeys(ctx context.Context, tx *sql.Tx) error {
	type row struct{ id, a, b, c string }
	load := func(query string) ([]row, error) {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.a, &r.b, &r.c); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	users, err := load(`SELECT id, email, organization, '' FROM users`)
	if err != nil {
		return err
	}
	for _, u := range users {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email_key = ?, organization_key = ? WHERE id = ?`, Fold(u.a), Fold(u.b), u.id); err != nil {
			return err
		}
	}
	groups, err := load(`SELECT id, name, organization, full_name FROM groups_`)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if _, err := tx.ExecContext(ctx, `UPDATE groups_ SET name_key = ?, organization_key = ?, full_name_key = ? WHERE id = ?`,
			Fold(g.a), Fold(g.b), Fold(g.c), g.id); err != nil {
			return err
		}
	}
	for _, c := range []struct{ table, column, index string }{
		{"users", "email_key", "users_email_key"},
		{"groups_", "full_name_key", "groups_full_name_key"},
	} {
		var a, b string
		err := tx.QueryRowContext(ctx, `SELECT min(id), max(id) FROM `+c.table+` GROUP BY `+c.column+` HAVING count(*) > 1 LIMIT 1`).Scan(&a, &b)
		if err == nil {
			return fmt.Errorf("%s %s and %s differ only in case or Unicode form of %s, which must now be unique: rename one with the previous server version", c.table, a, b, c.column)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE UNIQUE INDEX `+c.index+` ON `+c.table+`(`+c.column+`)`); err != nil {
			return err
		}
	}
	for _, stmt := range []string{
		`CREATE INDEX users_organization_key ON users(organization_key)`,
		`CREATE INDEX groups_name_key ON groups_(name_key)`,
		`CREATE INDEX groups_organization_key ON groups_(organization_key)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
