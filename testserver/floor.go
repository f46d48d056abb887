package testserver

import (
	"context"

	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// OpenBareDatabase opens the SQLite database at path as database/sql alone
// opens it: the server's DSN, pragmas and pool sizes, but every statement
// prepared anew on every call, without the statement cache the server's
// connections keep. It is the floor the benchmarks measure the server
// against.
func OpenBareDatabase(ctx context.Context, path string) (*Database, error) {
	st, err := store.OpenBareSQLite(ctx, path)
	if err != nil {
		return nil, err
	}
	return &Database{Writer: st.W, Reader: st.R, st: st}, nil
}
