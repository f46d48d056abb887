package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The store benchmarks set the store's own write and read paths beside the
// bare SQL they come down to, on the same schema and connections:
//
//	go test -run '^$' -bench . -benchmem ./testserver/internal/store

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	if err := s.Tx(context.Background(), func(tx *sql.Tx) error { return EnsureBuiltinRoles(context.Background(), tx) }); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchUser(k int) *User {
	now := Now()
	return &User{ID: uuid.NewString(), Username: fmt.Sprintf("user%07d", k), Email: fmt.Sprintf("user%07d@example.com", k),
		FirstName: "Bench", Role: "guest", Attributes: map[string]string{}, CreatedAt: now, UpdatedAt: now, Version: 1}
}

// seedBench inserts n users in large transactions.
func seedBench(b *testing.B, s *Store, n int) []*User {
	b.Helper()
	ctx := context.Background()
	users := make([]*User, n)
	for start := 0; start < n; start += 5000 {
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+5000, n); i++ {
				users[i] = benchUser(i)
				if err := InsertUser(ctx, tx, users[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return users
}

// BenchmarkInsertUser is what a user create writes: the uniqueness checks,
// the row and its audit record, in one immediate transaction.
func BenchmarkInsertUser(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	k := 0
	b.ReportAllocs()
	for b.Loop() {
		k++
		u := benchUser(k)
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			if err := InsertUser(ctx, tx, u); err != nil {
				return err
			}
			return InsertEvent(ctx, tx, &Event{Actor: "system", ActorID: "system", Action: "user.create", ObjectType: "user",
				ObjectID: u.ID, Outcome: "success", Status: 201})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertUserFloor is the same two rows with plain INSERTs: the
// floor BenchmarkInsertUser is compared with.
func BenchmarkInsertUserFloor(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	k := 0
	b.ReportAllocs()
	for b.Loop() {
		k++
		u := benchUser(k)
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO users(id, username, email, first_name, last_name, organization, role, disabled,
				attributes, password_hash, is_system, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				u.ID, u.Username, u.Email, u.FirstName, u.LastName, u.Organization, u.Role, u.Disabled, "{}", "", false,
				u.CreatedAt, u.UpdatedAt, u.Version); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO audit(at, actor, actor_id, action, object_type, object_id, outcome, status, detail) VALUES (?,?,?,?,?,?,?,?,?)`,
				u.CreatedAt, "system", "system", "user.create", "user", u.ID, "success", 201, "")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupUser looks users up by email and by username at growing
// table sizes; with the unique NOCASE indexes the cost hardly moves.
func BenchmarkLookupUser(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		s := benchStore(b)
		users := seedBench(b, s, n)
		ctx := context.Background()
		for _, key := range []string{"email", "username"} {
			b.Run(fmt.Sprintf("%s/users=%d", key, n), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					u := users[(i*7919)%len(users)]
					f := UserFilter{Username: strings.ToUpper(u.Username)}
					if key == "email" {
						f = UserFilter{Email: strings.ToUpper(u.Email)}
					}
					got, _, err := ListUsers(ctx, s.R, f, Page{Limit: 500})
					if err != nil || len(got) != 1 || got[0].ID != u.ID {
						b.Fatalf("lookup of %s: %v %v", u.Username, got, err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkGetUser reads one user by id through the read pool.
func BenchmarkGetUser(b *testing.B) {
	s := benchStore(b)
	users := seedBench(b, s, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := GetUser(ctx, s.R, users[i%len(users)].ID); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
