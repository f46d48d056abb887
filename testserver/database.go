package testserver

import (
	"context"
	"database/sql"

	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// Database is a server's database opened beside it, with the server's own
// settings (the store's DSN, pragmas and pool sizes), for tools that measure
// or seed the database directly.
type Database struct {
	// Writer is the single writer connection, running immediate transactions.
	Writer *sql.DB
	// Reader is the read-only pool.
	Reader *sql.DB
	st     *store.Store
}

// OpenDatabase opens (creating and migrating it if needed) the database at path.
func OpenDatabase(ctx context.Context, path string) (*Database, error) {
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return &Database{Writer: st.W, Reader: st.R, st: st}, nil
}

// Close closes both pools.
func (d *Database) Close() error { return d.st.Close() }
