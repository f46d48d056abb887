package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/testserver"
)

// throughputResult is one concurrency level.
type throughputResult struct {
	clients                   int
	serverCreates, sqlCreates float64 // per second
	serverReads, sqlReads     float64
}

// hammer runs fn from n goroutines for d and returns completed calls per second.
func hammer(ctx context.Context, n int, d time.Duration, fn func(ctx context.Context, worker, i int) error) (float64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	deadline := time.Now().Add(d)
	t0 := time.Now()
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				if err := fn(ctx, w, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				done.Add(1)
			}
		}(w)
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(t0).Seconds(), firstErr
}

// benchThroughput compares the server's creates and reads over loopback HTTP
// with the same rows written and read straight through database/sql on the
// same schema and pragmas, at the same concurrency. Users are created without
// a password: hashing is measured on its own (benchPasswords).
func benchThroughput(ctx context.Context, sz sizes, tmp string, rep *report) error {
	base := filepath.Join(tmp, "throughput")
	srv, err := startServer(filepath.Join(base, "server"), "low")
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()

	// The floor: a database the server migrated (then closed), so the schema
	// is the server's own, opened again with the server's own settings.
	floorSrv, err := startServer(filepath.Join(base, "floor"), "low")
	if err != nil {
		return err
	}
	floorPath := floorSrv.DBPath
	if err := floorSrv.Close(); err != nil {
		return err
	}
	floorDB, err := testserver.OpenBareDatabase(ctx, floorPath)
	if err != nil {
		return err
	}
	defer func() { _ = floorDB.Close() }()
	w, r := floorDB.Writer, floorDB.Reader
	if rep.pragmas, err = pragmasOf(ctx, w); err != nil {
		return err
	}

	maxClients := 0
	for _, c := range sz.clients {
		maxClients = max(maxClients, c)
	}
	cl := newAPIClient(srv.URL, srv.Token, maxClients)
	defer cl.close()

	var serverIDs, floorIDs []string
	var idMu sync.Mutex
	seq := atomic.Int64{}
	for _, n := range sz.clients {
		res := throughputResult{clients: n}
		tag := fmt.Sprintf("c%d-", n)
		// Server creates.
		if res.serverCreates, err = hammer(ctx, n, sz.throughputDur, func(ctx context.Context, _, _ int) error {
			k := seq.Add(1)
			var u struct {
				ID string `json:"id"`
			}
			err := cl.do(ctx, "POST", "/api/v1/users", map[string]any{
				"username": fmt.Sprintf("tp-%s%d", tag, k), "email": fmt.Sprintf("tp-%s%d@example.com", tag, k),
				"first_name": "Load", "last_name": "Test", "organization": "bench",
			}, &u)
			if err == nil {
				idMu.Lock()
				serverIDs = append(serverIDs, u.ID)
				idMu.Unlock()
			}
			return err
		}); err != nil {
			return err
		}
		// Floor creates: the user row and its audit row in one immediate
		// transaction, as the server writes them, with nothing else around.
		if res.sqlCreates, err = hammer(ctx, n, sz.throughputDur, func(ctx context.Context, _, _ int) error {
			k := seq.Add(1)
			id := uuid.NewString()
			if err := floorInsert(ctx, w, id, fmt.Sprintf("tp-%s%d", tag, k)); err != nil {
				return err
			}
			idMu.Lock()
			floorIDs = append(floorIDs, id)
			idMu.Unlock()
			return nil
		}); err != nil {
			return err
		}
		// Reads of random users created above.
		rngs := make([]*rand.Rand, n)
		for i := range rngs {
			rngs[i] = rand.New(rand.NewPCG(uint64(i), 7))
		}
		if res.serverReads, err = hammer(ctx, n, sz.throughputDur, func(ctx context.Context, worker, _ int) error {
			id := serverIDs[rngs[worker].IntN(len(serverIDs))]
			return cl.do(ctx, "GET", "/api/v1/users/"+id, nil, nil)
		}); err != nil {
			return err
		}
		if res.sqlReads, err = hammer(ctx, n, sz.throughputDur, func(ctx context.Context, worker, _ int) error {
			return floorRead(ctx, r, floorIDs[rngs[worker].IntN(len(floorIDs))])
		}); err != nil {
			return err
		}
		logf("throughput %d clients: creates %.0f/s vs sqlite %.0f/s (%.0f%%); reads %.0f/s vs sqlite %.0f/s (%.0f%%)",
			n, res.serverCreates, res.sqlCreates, 100*res.serverCreates/res.sqlCreates,
			res.serverReads, res.sqlReads, 100*res.serverReads/res.sqlReads)
		rep.throughput = append(rep.throughput, res)
	}
	return nil
}

func floorInsert(ctx context.Context, w *sql.DB, id, name string) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if _, err := tx.ExecContext(ctx, `INSERT INTO users(id, username, email, first_name, last_name, organization, role, disabled,
		attributes, password_hash, is_system, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		id, name, name+"@example.com", "Load", "Test", "bench", "guest", false, "{}", "", false, now, now, 1); err != nil {
		_ = tx.Rollback()
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit(at, actor, actor_id, action, object_type, object_id, outcome, status, detail) VALUES (?,?,?,?,?,?,?,?,?)`,
		now, "system", "system", "user.create", "user", id, "success", 201, "username "+name+", role guest"); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func floorRead(ctx context.Context, r *sql.DB, id string) error {
	var (
		seq, version, level                                 int64
		uid, username, email, first, last, org, role, attrs string
		hash, created, updated                              string
		disabled, system                                    bool
	)
	return r.QueryRowContext(ctx, `SELECT u.seq, u.id, u.username, u.email, u.first_name, u.last_name, u.organization, u.role,
		u.disabled, u.attributes, u.password_hash, u.is_system, u.created_at, u.updated_at, u.version, r.level
		FROM users u JOIN roles r ON r.name = u.role WHERE u.id = ?`, id).Scan(&seq, &uid, &username, &email, &first, &last,
		&org, &role, &disabled, &attrs, &hash, &system, &created, &updated, &version, &level)
}
