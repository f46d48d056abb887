package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/testserver"
)

// pragmasOf reports the pragmas a connection actually runs with.
func pragmasOf(ctx context.Context, db *sql.DB) (string, error) {
	var jm string
	var sync, fk, bt int
	row := db.QueryRowContext(ctx, `SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT synchronous FROM pragma_synchronous),
		(SELECT foreign_keys FROM pragma_foreign_keys), (SELECT timeout FROM pragma_busy_timeout)`)
	if err := row.Scan(&jm, &sync, &fk, &bt); err != nil {
		return "", err
	}
	return fmt.Sprintf("journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d", jm, sync, fk, bt), nil
}

// seededUser is what the lookups need to know about a seeded user.
type seededUser struct{ id, username, email string }

// seedUsers inserts users from index `from` up to `to` (exclusive) straight
// into the database, in large transactions: bulk setup, not what is measured.
// The rows are those the server writes for a user created without a password.
func seedUsers(ctx context.Context, dbPath, prefix string, from, to int) ([]seededUser, error) {
	d, err := testserver.OpenDatabase(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	defer func() { _ = d.Close() }()
	db := d.Writer
	out := make([]seededUser, 0, to-from)
	const batch = 5000
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for start := from; start < to; start += batch {
		end := min(start+batch, to)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO users(id, username, email, first_name, last_name, organization, role,
			created_at, updated_at) VALUES (?, ?, ?, 'Seeded', ?, 'bench', 'guest', ?, ?)`)
		if err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		for i := start; i < end; i++ {
			u := seededUser{id: uuid.NewString(), username: fmt.Sprintf("%s%06d", prefix, i),
				email: fmt.Sprintf("%s%06d@example.com", prefix, i)}
			if _, err := stmt.ExecContext(ctx, u.id, u.username, u.email, fmt.Sprintf("No %d", i), now, now); err != nil {
				_ = stmt.Close()
				_ = tx.Rollback()
				return nil, err
			}
			out = append(out, u)
		}
		_ = stmt.Close()
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	// Fresh statistics, as a long-running server's database would have.
	if _, err := db.ExecContext(ctx, `PRAGMA optimize`); err != nil {
		return nil, err
	}
	return out, nil
}
