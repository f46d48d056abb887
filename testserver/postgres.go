package testserver

import (
	"testing"

	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
)

// PostgresURL returns the URL of a new, empty PostgreSQL database for tb,
// dropped when tb ends, for tests outside this package that run several
// servers on one database. The database comes from the server named by
// IDENTITY_TEST_POSTGRES_URL, or else from a throwaway cluster started once
// per test binary. Without PostgreSQL's server programs tb is skipped, or
// fails under CI (CI=true).
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	return pgtest.URL(tb)
}
