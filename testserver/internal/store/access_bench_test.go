package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
)

// seedGrants fills a database with n grants spread over 200 users, 200
// groups and the built-in roles, on scopes of every kind across 20 tenants,
// and returns a user who is a member of 50 of the groups.
func seedGrants(b *testing.B, s *Store, n int) string {
	b.Helper()
	ctx := context.Background()
	users := make([]string, 200)
	groups := make([]string, 200)
	roles := []string{"admin", "supervisor", "operator", "auditor", "guest"}
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		for i := range users {
			u := benchUser(i)
			u.Role = roles[i%len(roles)]
			if err := InsertUser(ctx, tx, u); err != nil {
				return err
			}
			users[i] = u.ID
		}
		for i := range groups {
			g := &Group{ID: uuid.NewString(), Name: fmt.Sprintf("group%03d", i), Organization: "Bench", CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
			if err := InsertGroup(ctx, tx, g); err != nil {
				return err
			}
			groups[i] = g.ID
			// users[0] is in every fourth group: 50 of them.
			for _, u := range []string{users[0], users[1+i%199]} {
				if u == users[0] && i%4 != 0 {
					continue
				}
				if _, err := AddMember(ctx, tx, g.ID, u); err != nil {
					return err
				}
			}
		}
		// Three grants reach users[0] for the decision the benchmark makes,
		// one each way: through its role, a group, and itself.
		for _, p := range []Permission{
			{Operation: "VIEW_PROJECT", Scope: "global", Role: roles[0]},
			{Operation: "VIEW_PROJECT", Scope: "tenant:t1", GroupID: groups[0]},
			{Operation: "VIEW_PROJECT", Scope: "tenant:t1/project:p1", UserID: users[0]},
		} {
			p.ID, p.CreatedAt, p.Version = uuid.NewString(), Now(), 1
			if err := InsertPermission(ctx, tx, &p); err != nil {
				return err
			}
		}
		rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // a fixed seed gives every run the same data; nothing here is secret
		for inserted := 3; inserted < n; {
			t, k := rng.IntN(20), rng.IntN(50)
			var scope, kind string
			switch rng.IntN(4) {
			case 0:
				scope, kind = fmt.Sprintf("tenant:t%d/project:p%d", t, k), catalog.ScopeProject
			case 1:
				scope, kind = fmt.Sprintf("tenant:t%d/inventory:i%d", t, k), catalog.ScopeInventory
			case 2:
				scope, kind = fmt.Sprintf("tenant:t%d", t), catalog.ScopeTenant
			default:
				scope, kind = fmt.Sprintf("project:p%d", k), catalog.ScopeProject
			}
			var ops []string
			for _, op := range catalog.Operations {
				if slices.Contains(op.Scopes, kind) {
					ops = append(ops, op.Name)
				}
			}
			p := Permission{ID: uuid.NewString(), Operation: ops[rng.IntN(len(ops))], Scope: scope, CreatedAt: Now(), Version: 1}
			switch rng.IntN(3) {
			case 0:
				p.UserID = users[rng.IntN(len(users))]
			case 1:
				p.GroupID = groups[rng.IntN(len(groups))]
			default:
				p.Role = roles[rng.IntN(len(roles))]
			}
			var conflict *ConflictError
			if err := InsertPermission(ctx, tx, &p); errors.As(err, &conflict) {
				continue // the same grant drawn twice
			} else if err != nil {
				return err
			}
			inserted++
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return users[0]
}

// BenchmarkDecision is one access decision as a handler makes it: load the
// user, its 50 groups and the grants that can decide (the operation or
// SUPER_ADMIN on the scope's ancestors), then evaluate them. The indexed
// lookups keep the cost nearly flat from 100 to 10,000 grants.
func BenchmarkDecision(b *testing.B) {
	scope, _ := catalog.ParseScope("tenant:t1/project:p1")
	for _, n := range []int{100, 10000} {
		s := benchStore(b)
		userID := seedGrants(b, s, n)
		var count int
		if err := s.R.QueryRow(`SELECT count(*) FROM permissions`).Scan(&count); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.Run(fmt.Sprintf("grants=%d/groups=50", count), func(b *testing.B) {
			b.ReportAllocs()
			var grants []access.Grant
			via := 0
			for b.Loop() {
				var p access.Principal
				var err error
				p, grants, err = UserAccess(ctx, s.R, userID, DecisionFilter("VIEW_PROJECT", scope))
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Groups) != 50 {
					b.Fatalf("%d groups", len(p.Groups))
				}
				via = len(access.Evaluate(p, grants).Decide("VIEW_PROJECT", scope).Via)
			}
			b.ReportMetric(float64(len(grants)), "grants-read/op")
			b.ReportMetric(float64(via), "via/op")
		})
	}
}
