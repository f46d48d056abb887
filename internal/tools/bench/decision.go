package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver"
)

// The decision every sample asks: one operation on one project, for a user
// who holds it three ways (its role, one of its groups, itself).
const (
	decisionOperation = "VIEW_PROJECT"
	decisionScope     = "tenant:t1/project:p1"
	decisionGroups    = 50  // groups the deciding user is in
	decisionPeople    = 200 // users and groups the other grants go to
)

// decisionResult is one access decision asked of two servers whose
// databases differ only in how many grants they hold.
type decisionResult struct {
	grants  []int     // grants in each database, smallest first
	handler []latency // through the handler in this process (the server's own time)
	http    []latency // over loopback HTTP with keep-alive
	via     []int     // grants the decision named, per database
	seed    []time.Duration
}

// benchDecision seeds one database per size (users, groups and grants by
// plain SQL through the server's own opener), starts a server on each, and
// asks GET /api/v1/access the same question of both in turn: through the
// handler, then over HTTP.
func benchDecision(ctx context.Context, sz sizes, tmp string, rep *report) error {
	res := &decisionResult{grants: slices.Clone(sz.decisionGrants)}
	var servers []*benchServer
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()
	var users []string
	for _, n := range sz.decisionGrants {
		srv, err := startServer(filepath.Join(tmp, "decision", fmt.Sprint(n)), "low")
		if err != nil {
			return err
		}
		servers = append(servers, srv)
		t0 := time.Now()
		user, err := seedDecision(ctx, srv.DBPath, n)
		if err != nil {
			return err
		}
		res.seed = append(res.seed, time.Since(t0))
		users = append(users, user)
		logf("decision: seeded %d grants in %s", n, time.Since(t0).Round(time.Millisecond))
		// The seed must be what it claims before anything is timed.
		var groups []json.RawMessage
		c := newAPIClient(srv.URL, srv.Token, 1)
		err = c.do(ctx, http.MethodGet, "/api/v1/users/"+user+"/groups", nil, &struct {
			Items *[]json.RawMessage `json:"items"`
		}{&groups})
		c.close()
		if err != nil {
			return err
		}
		if len(groups) != decisionGroups {
			return fmt.Errorf("decision: the user is in %d groups, want %d", len(groups), decisionGroups)
		}
	}
	path := func(i int) string {
		return "/api/v1/access?" + url.Values{"user_id": {users[i]}, "operation": {decisionOperation}, "scope": {decisionScope}}.Encode()
	}

	// Through the handler: no network, the server's own time.
	res.via = make([]int, len(servers))
	handlerTimes := make([][]time.Duration, len(servers))
	err := alternate(len(servers), sz.decisionSamples, func(k int, timed bool) error {
		d, body, err := serve(ctx, servers[k].Handler(), servers[k].Token, path(k))
		if err != nil {
			return err
		}
		var out struct {
			Allowed bool              `json:"allowed"`
			Via     []json.RawMessage `json:"via"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return err
		}
		if !out.Allowed || len(out.Via) < 3 {
			return fmt.Errorf("decision at %d grants: allowed %v through %d grants, want allowed through 3 or more: %s",
				res.grants[k], out.Allowed, len(out.Via), body)
		}
		res.via[k] = len(out.Via)
		if timed {
			handlerTimes[k] = append(handlerTimes[k], d)
		}
		return nil
	})
	if err != nil {
		return err
	}

	// Over loopback HTTP, as an application asks.
	clients := make([]*apiClient, len(servers))
	for k, s := range servers {
		clients[k] = newAPIClient(s.URL, s.Token, 1)
		defer clients[k].close()
	}
	httpTimes := make([][]time.Duration, len(servers))
	err = alternate(len(servers), sz.decisionSamples, func(k int, timed bool) error {
		var out struct {
			Allowed bool `json:"allowed"`
		}
		t0 := time.Now()
		if err := clients[k].do(ctx, http.MethodGet, path(k), nil, &out); err != nil {
			return err
		}
		d := time.Since(t0)
		if !out.Allowed {
			return fmt.Errorf("decision at %d grants over HTTP: refused", res.grants[k])
		}
		if timed {
			httpTimes[k] = append(httpTimes[k], d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k := range servers {
		res.handler = append(res.handler, summarize(handlerTimes[k]))
		res.http = append(res.http, summarize(httpTimes[k]))
		logf("decision at %d grants: handler %s, HTTP %s (median)", res.grants[k], res.handler[k].median, res.http[k].median)
	}
	rep.decision = res
	return nil
}

// alternate calls fn for each of n targets in turn, first 100 rounds of
// warm-up (timed false), then samples rounds, starting each round with the
// next target so neither always goes first.
func alternate(n, samples int, fn func(k int, timed bool) error) error {
	const warmup = 100
	for i := 0; i < warmup+samples; i++ {
		for j := 0; j < n; j++ {
			if err := fn((i+j)%n, i >= warmup); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedDecision writes decisionPeople users and groups and n grants into the
// database at dbPath, in one transaction, and returns the user who is in
// decisionGroups of the groups. Three grants reach that user for the decision
// asked (through its role, a group and itself); the rest are drawn with a
// fixed seed over the users, the groups and the built-in roles, on scopes of
// every kind across 20 tenants, so both databases share their first grants.
func seedDecision(ctx context.Context, dbPath string, n int) (string, error) {
	seeded, err := seedUsers(ctx, dbPath, "decide", 0, decisionPeople)
	if err != nil {
		return "", err
	}
	users := make([]string, len(seeded))
	for i, u := range seeded {
		users[i] = u.id
	}
	d, err := testserver.OpenDatabase(ctx, dbPath)
	if err != nil {
		return "", err
	}
	defer func() { _ = d.Close() }()
	tx, err := d.Writer.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	groups := make([]string, decisionPeople)
	every := decisionPeople / decisionGroups
	for i := range groups {
		groups[i] = uuid.NewString()
		name := fmt.Sprintf("decide%03d", i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO groups_(id, name, organization, full_name, created_at, updated_at) VALUES (?, ?, 'bench', ?, ?, ?)`,
			groups[i], name, catalog.GroupFullName("bench", name), now, now); err != nil {
			return "", err
		}
		members := []string{users[1+i%(len(users)-1)]}
		if i%every == 0 {
			members = append(members, users[0])
		}
		for _, u := range members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships(group_id, user_id, created_at) VALUES (?, ?, ?)`, groups[i], u, now); err != nil {
				return "", err
			}
		}
	}
	grant := func(op, scope, user, group, role string) (bool, error) {
		r, err := tx.ExecContext(ctx, `INSERT INTO permissions(id, operation, scope, user_id, group_id, role, created_at)
			VALUES (?, ?, ?, nullif(?, ''), nullif(?, ''), nullif(?, ''), ?) ON CONFLICT DO NOTHING`, uuid.NewString(), op, scope, user, group, role, now)
		if err != nil {
			return false, fmt.Errorf("grant %s on %s: %w", op, scope, err)
		}
		added, err := r.RowsAffected()
		return added == 1, err
	}
	// The seeded users' role is guest: the first grant reaches them all.
	for _, g := range []struct{ scope, user, group, role string }{
		{"global", "", "", "guest"},
		{"tenant:t1", "", groups[0], ""},
		{decisionScope, users[0], "", ""},
	} {
		if _, err := grant(decisionOperation, g.scope, g.user, g.group, g.role); err != nil {
			return "", err
		}
	}
	roles := []string{"admin", "supervisor", "operator", "auditor", "guest"}
	rng := rand.New(rand.NewPCG(3, 4)) //nolint:gosec // a fixed seed gives every run the same grants; nothing here is secret
	for made := 3; made < n; {
		op, scope := randomGrant(rng)
		var user, group, role string
		switch rng.IntN(3) {
		case 0:
			user = users[rng.IntN(len(users))]
		case 1:
			group = groups[rng.IntN(len(groups))]
		default:
			role = roles[rng.IntN(len(roles))]
		}
		added, err := grant(op, scope, user, group, role)
		if err != nil {
			return "", err
		}
		if added {
			made++
		}
	}
	if err := tx.Commit(); err != nil {
		return "", err
	}
	var count int
	if err := d.Writer.QueryRowContext(ctx, `SELECT count(*) FROM permissions`).Scan(&count); err != nil {
		return "", err
	}
	if count != n {
		return "", fmt.Errorf("seeded %d grants, want %d", count, n)
	}
	if _, err := d.Writer.ExecContext(ctx, `PRAGMA optimize`); err != nil {
		return "", err
	}
	return users[0], nil
}

// randomGrant draws an operation valid on a scope of one of the four kinds
// (a project or an inventory of a tenant, a tenant, a project of no tenant).
func randomGrant(rng *rand.Rand) (op, scope string) {
	t, k := rng.IntN(20), rng.IntN(50)
	kinds := []struct{ scope, kind string }{
		{fmt.Sprintf("tenant:t%d/project:p%d", t, k), catalog.ScopeProject},
		{fmt.Sprintf("tenant:t%d/inventory:i%d", t, k), catalog.ScopeInventory},
		{fmt.Sprintf("tenant:t%d", t), catalog.ScopeTenant},
		{fmt.Sprintf("project:p%d", k), catalog.ScopeProject},
	}
	s := kinds[rng.IntN(len(kinds))]
	var ops []string
	for _, o := range catalog.Operations {
		if slices.Contains(o.Scopes, s.kind) {
			ops = append(ops, o.Name)
		}
	}
	return ops[rng.IntN(len(ops))], s.scope
}
