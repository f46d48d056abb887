package testserver

import (
	"context"

	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
)

// ErrNoPostgres is wrapped by TemporaryPostgres's error when there is no
// PostgreSQL to use.
var ErrNoPostgres = pgtest.ErrUnavailable

// TemporaryPostgres creates a new, empty PostgreSQL database for programs
// that measure the server on PostgreSQL (the benchmarks) and returns its
// postgres:// URL and a function that drops it. The database lives on the
// server IDENTITY_TEST_POSTGRES_URL names or else on a throwaway cluster
// (initdb and pg_ctl in a temporary folder, on a free loopback port, found
// through pg_config, /usr/lib/postgresql/*/bin or PATH) started once for the
// process and stopped when it exits. Without PostgreSQL the error wraps
// ErrNoPostgres and says why.
func TemporaryPostgres(ctx context.Context) (url string, drop func() error, err error) {
	return pgtest.NewDatabase(ctx)
}
