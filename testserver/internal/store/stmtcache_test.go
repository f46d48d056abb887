package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
)

// readConn takes one connection of s's read pool, returned when t ends, and
// its statement cache.
func readConn(t *testing.T, s *Store) (*sql.Conn, *cachingConn) {
	t.Helper()
	conn, err := s.R.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	var cc *cachingConn
	if err := conn.Raw(func(dc any) error {
		var ok bool
		cc, ok = dc.(*cachingConn)
		if !ok {
			return fmt.Errorf("the connection is a %T, not a caching one", dc)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return conn, cc
}

func TestStatementCacheReusesPreparedStatements(t *testing.T) {
	s, _ := open(t)
	sqliteOnly(t, s)
	ctx := context.Background()
	conn, cc := readConn(t, s)
	const q = `SELECT count(*) FROM schema_migrations WHERE version >= ?`
	var first *cachedStmt
	for i, v := range []int{1, 2, 1} {
		var n int
		if err := conn.QueryRowContext(ctx, q, v).Scan(&n); err != nil {
			t.Fatal(err)
		}
		e, ok := cc.byQuery[q]
		if !ok {
			t.Fatalf("query %d: the statement is not cached", i)
		}
		cs, _ := e.Value.(*cachedStmt)
		if first == nil {
			first = cs
		} else if cs != first {
			t.Fatalf("query %d prepared the statement again", i)
		}
		if cs.busy {
			t.Fatalf("query %d: the statement stays busy after its row was read", i)
		}
	}
}

// A query run while rows of the same query are still open on the
// connection (a loop over rows that asks again inside a transaction) runs
// unprepared beside them, and both read their own rows.
func TestStatementCacheNestedSameQuery(t *testing.T) {
	s, _ := open(t)
	sqliteOnly(t, s)
	ctx := context.Background()
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		const q = `SELECT name FROM schema_migrations WHERE version >= ? ORDER BY version`
		rows, err := tx.QueryContext(ctx, q, 0)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		var outer, inner []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			outer = append(outer, name)
			if len(outer) == 1 {
				r2, err := tx.QueryContext(ctx, q, 0)
				if err != nil {
					return err
				}
				for r2.Next() {
					var n string
					if err := r2.Scan(&n); err != nil {
						return err
					}
					inner = append(inner, n)
				}
				if err := r2.Close(); err != nil {
					return err
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(outer) < 2 || fmt.Sprint(outer) != fmt.Sprint(inner) {
			return fmt.Errorf("outer rows %v, inner rows %v: want the same, more than one", outer, inner)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A connection keeps at most stmtCacheSize statements; the ones it drops
// are finalized and their queries still run.
func TestStatementCacheEvicts(t *testing.T) {
	s, _ := open(t)
	sqliteOnly(t, s)
	ctx := context.Background()
	conn, cc := readConn(t, s)
	for round := range 2 {
		for i := range stmtCacheSize + 10 {
			var n int
			if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != i {
				t.Fatalf("round %d: SELECT %d read %d", round, i, n)
			}
		}
		if len(cc.byQuery) != stmtCacheSize || cc.lru.Len() != stmtCacheSize {
			t.Fatalf("round %d: %d statements cached (%d in order), want %d", round, len(cc.byQuery), cc.lru.Len(), stmtCacheSize)
		}
	}
}

// The bare pools (the benchmark's floor) prepare every statement anew.
func TestBareSQLiteHasNoStatementCache(t *testing.T) {
	s, path := open(t)
	sqliteOnly(t, s)
	b, err := OpenBareSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	conn, err := b.R.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.Raw(func(dc any) error {
		if _, ok := dc.(*cachingConn); ok {
			return fmt.Errorf("the bare pool caches statements")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// On PostgreSQL, pgx keeps each connection's prepared statements (its
// statement cache, the default query mode the store's URL leaves in place):
// a query asked twice on a connection is prepared there once.
func TestPostgresReusesPreparedStatements(t *testing.T) {
	s, _ := open(t)
	if !s.Postgres() {
		t.Skip("checks pgx's statement cache; the tests run on SQLite")
	}
	ctx := context.Background()
	conn, err := s.R.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	const q = `SELECT count(*) FROM schema_migrations WHERE version >= ?`
	for _, v := range []int{1, 2, 1} {
		var n int
		if err := conn.QueryRowContext(ctx, q, v).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements WHERE statement = ?`, rebind(q)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("the query is prepared %d times on the connection, want once", n)
	}
}

type ctxKey struct{}

// Key reads on SQLite run without a cancellable context (none of the
// goroutines that watch one), keeping its values; on PostgreSQL, where a
// statement waits on the network, the request's context still ends them.
func TestKeyReadContext(t *testing.T) {
	s, _ := open(t)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	defer cancel()
	got := s.KeyRead(ctx)
	if got.Value(ctxKey{}) != "v" {
		t.Fatal("the key read's context lost the request's values")
	}
	if s.Postgres() {
		if got != ctx {
			t.Fatal("on PostgreSQL a key read must keep the request's cancellation")
		}
		return
	}
	if got.Done() != nil {
		t.Fatal("on SQLite a key read's context can still be cancelled")
	}
	if _, err := GetUser(got, s.R, "no-such-user"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetUser: %v, want ErrNotFound", err)
	}
}
