package api

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// A row the unique indexes refuse (a write the store's own lookups did not
// stop) is the same 409 on both backends, naming the field that clashed.
func TestUniqueViolationNamesField(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "identity.db")
	if pgtest.Enabled() {
		dsn = pgtest.URL(t)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := store.EnsureBuiltinRoles(ctx, st.W); err != nil {
		t.Fatal(err)
	}
	if _, err := st.W.Exec(`INSERT INTO users(id, username, email, role, created_at, updated_at) VALUES ('a', 'Alice', 'alice@example.com', 'guest', '', '')`); err != nil {
		t.Fatal(err)
	}
	for field, insert := range map[string]string{
		"username": `INSERT INTO users(id, username, email, role, created_at, updated_at) VALUES ('b', 'ALICE', 'b@example.com', 'guest', '', '')`,
		"email":    `INSERT INTO users(id, username, email, role, created_at, updated_at) VALUES ('c', 'carol', 'Alice@Example.COM', 'guest', '', '')`,
	} {
		_, err := st.W.Exec(insert)
		p, known := toProblem(err)
		if !known || p.Status != 409 || p.Errors[field] == "" || len(p.Errors) != 1 {
			t.Errorf("duplicate %s: %+v from %v", field, p, err)
		}
	}
}
