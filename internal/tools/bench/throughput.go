package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/testserver"
)

// rates are one load's creates and reads per second.
type rates struct{ creates, reads float64 }

// throughputResult is one concurrency level: the server against bare SQLite,
// and the server again with Go's net/http client as the load generator; each
// rate is the median over the repetitions, whose figures are kept in reps.
type throughputResult struct {
	clients              int
	server, netHTTP, sql rates
	reps                 []throughputRep
}

// throughputRep is one repetition of a concurrency level's comparison.
type throughputRep struct{ server, netHTTP, sql rates }

// ratios is one ratio of every repetition: of f's figure to the floor's;
// without repetitions, the one ratio of the result's own figures.
func (t throughputResult) ratios(f func(throughputRep) (of, to float64)) []float64 {
	reps := t.reps
	if len(reps) == 0 {
		reps = []throughputRep{{server: t.server, netHTTP: t.netHTTP, sql: t.sql}}
	}
	out := make([]float64, len(reps))
	for i, r := range reps {
		a, b := f(r)
		out[i] = a / b
	}
	return out
}

// The ratios a throughput table shows.
func serverCreates(r throughputRep) (float64, float64)  { return r.server.creates, r.sql.creates }
func netHTTPCreates(r throughputRep) (float64, float64) { return r.netHTTP.creates, r.sql.creates }
func serverReads(r throughputRep) (float64, float64)    { return r.server.reads, r.sql.reads }
func netHTTPReads(r throughputRep) (float64, float64)   { return r.netHTTP.reads, r.sql.reads }

// medianRates is each figure's median over reps.
func medianRates(reps []throughputRep, f func(throughputRep) rates) rates {
	var c, r []float64
	for _, x := range reps {
		c = append(c, f(x).creates)
		r = append(r, f(x).reads)
	}
	return rates{creates: medianF(c), reads: medianF(r)}
}

// hammer runs fn from n goroutines for d and returns completed calls per second.
func hammer(ctx context.Context, n int, d time.Duration, fn func(ctx context.Context, worker, i int) error) (float64, error) {
	done, elapsed, err := hammerCount(ctx, n, d, fn)
	return float64(done) / elapsed.Seconds(), err
}

// hammerCount runs fn from n goroutines for d and returns how many calls
// completed and how long they took.
func hammerCount(ctx context.Context, n int, d time.Duration, fn func(ctx context.Context, worker, i int) error) (int64, time.Duration, error) {
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
	return done.Load(), time.Since(t0), firstErr
}

// load is one side of a throughput comparison: how client goroutine worker
// creates a user (a user row and its audit row) and reads one back, and the
// ids it created.
type load struct {
	name   string
	create func(ctx context.Context, worker int, name string) (id string, err error)
	read   func(ctx context.Context, worker int, id string) error

	mu  sync.Mutex
	ids []string
}

func (l *load) created(id string) {
	l.mu.Lock()
	l.ids = append(l.ids, id)
	l.mu.Unlock()
}

// throughputSlice is how long one load runs before the next takes its turn:
// the loads take turns, slice by slice in a rotating order, so a change in
// the machine's other work falls on all of them alike.
const throughputSlice = 250 * time.Millisecond

// throughputRounds is how many slices of throughputSlice a measurement of d
// is cut into.
func throughputRounds(d time.Duration) int { return max(1, int(d/throughputSlice)) }

// compareLoads measures the loads' creates, then their reads (of users each
// created), at n concurrent clients, each for d in all, taking turns in
// throughputRounds slices.
func compareLoads(ctx context.Context, n int, d time.Duration, seq *atomic.Int64, loads []*load) ([]rates, error) {
	out := make([]rates, len(loads))
	rounds := throughputRounds(d)
	slice := d / time.Duration(rounds)
	for _, phase := range []string{"create", "read"} {
		done := make([]int64, len(loads))
		took := make([]time.Duration, len(loads))
		for round := range rounds {
			for k := range loads {
				l := loads[(k+round)%len(loads)]
				var fn func(ctx context.Context, worker, i int) error
				if phase == "create" {
					fn = func(ctx context.Context, worker, _ int) error {
						id, err := l.create(ctx, worker, fmt.Sprintf("tp-c%d-%d", n, seq.Add(1)))
						if err == nil {
							l.created(id)
						}
						return err
					}
				} else {
					rngs := make([]*rand.Rand, n)
					for i := range rngs {
						rngs[i] = rand.New(rand.NewPCG(uint64(i), uint64(round)))
					}
					ids := l.ids
					fn = func(ctx context.Context, worker, _ int) error {
						return l.read(ctx, worker, ids[rngs[worker].IntN(len(ids))])
					}
				}
				c, t, err := hammerCount(ctx, n, slice, fn)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", l.name, phase, err)
				}
				i := (k + round) % len(loads)
				done[i] += c
				took[i] += t
			}
		}
		for i := range loads {
			r := float64(done[i]) / took[i].Seconds()
			if phase == "create" {
				out[i].creates = r
			} else {
				out[i].reads = r
			}
		}
	}
	return out, nil
}

// newUserBody is the body of the throughput scenarios' POST /api/v1/users.
func newUserBody(name string) map[string]any {
	return map[string]any{
		"username": name, "email": name + "@example.com",
		"first_name": "Load", "last_name": "Test", "organization": "bench",
	}
}

// serverLoad creates and reads users through the API with the load
// generator wc.
func serverLoad(name string, wc *wireClient) *load {
	return &load{
		name: name,
		create: func(ctx context.Context, worker int, name string) (string, error) {
			body, err := json.Marshal(newUserBody(name))
			if err != nil {
				return "", err
			}
			resp, err := wc.do(ctx, worker, "POST", "/api/v1/users", body)
			if err != nil {
				return "", err
			}
			var u struct {
				ID string `json:"id"`
			}
			return u.ID, json.Unmarshal(resp, &u)
		},
		read: func(ctx context.Context, worker int, id string) error {
			_, err := wc.do(ctx, worker, "GET", "/api/v1/users/"+id, nil)
			return err
		},
	}
}

// netHTTPLoad is serverLoad with Go's net/http client as the load generator.
func netHTTPLoad(name string, cl *apiClient) *load {
	return &load{
		name: name,
		create: func(ctx context.Context, _ int, name string) (string, error) {
			var u struct {
				ID string `json:"id"`
			}
			err := cl.do(ctx, "POST", "/api/v1/users", newUserBody(name), &u)
			return u.ID, err
		},
		read: func(ctx context.Context, _ int, id string) error {
			return cl.do(ctx, "GET", "/api/v1/users/"+id, nil, nil)
		},
	}
}

// floorSQL is the bare database's create and read in one dialect.
type floorSQL struct{ insertUser, insertAudit, selectUser string }

// sqliteFloor is the floor's SQL as SQLite reads it; postgresFloor the same
// statements with PostgreSQL's placeholders.
var (
	sqliteFloor = floorSQL{
		insertUser: `INSERT INTO users(id, username, email, first_name, last_name, organization, role, disabled,
		attributes, password_hash, is_system, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		insertAudit: `INSERT INTO audit(at, actor, actor_id, action, object_type, object_id, outcome, status, detail) VALUES (?,?,?,?,?,?,?,?,?)`,
		selectUser: `SELECT u.seq, u.id, u.username, u.email, u.first_name, u.last_name, u.organization, u.role,
		u.disabled, u.attributes, u.password_hash, u.is_system, u.created_at, u.updated_at, u.version, r.level
		FROM users u JOIN roles r ON r.name = u.role WHERE u.id = ?`,
	}
	postgresFloor = floorSQL{
		insertUser: `INSERT INTO users(id, username, email, first_name, last_name, organization, role, disabled,
		attributes, password_hash, is_system, created_at, updated_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		insertAudit: `INSERT INTO audit(at, actor, actor_id, action, object_type, object_id, outcome, status, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		selectUser: `SELECT u.seq, u.id, u.username, u.email, u.first_name, u.last_name, u.organization, u.role,
		u.disabled, u.attributes, u.password_hash, u.is_system, u.created_at, u.updated_at, u.version, r.level
		FROM users u JOIN roles r ON r.name = u.role WHERE u.id = $1`,
	}
)

// floorLoad creates users straight through database/sql on w (one
// transaction inserting the user row and its audit row, as the server
// writes them, with nothing else around) and reads them on r with the
// SELECT the server runs.
func floorLoad(name string, q floorSQL, w, r *sql.DB) *load {
	return &load{
		name: name,
		create: func(ctx context.Context, _ int, name string) (string, error) {
			id := uuid.NewString()
			return id, floorInsert(ctx, q, w, id, name)
		},
		read: func(ctx context.Context, _ int, id string) error { return floorRead(ctx, q, r, id) },
	}
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
	// is the server's own, opened again with the server's DSN, pragmas and
	// pool sizes, through database/sql alone.
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
	if rep.pragmas, err = pragmasOf(ctx, floorDB.Writer); err != nil {
		return err
	}

	wc, err := newWireClient([]string{srv.URL}, srv.Token)
	if err != nil {
		return err
	}
	defer wc.close()
	cl := newAPIClient(srv.URL, srv.Token, maxClients(sz))
	defer cl.close()
	server := serverLoad("server", wc)
	netHTTP := netHTTPLoad("server, net/http client", cl)
	floor := floorLoad("SQLite", sqliteFloor, floorDB.Writer, floorDB.Reader)
	var seq atomic.Int64
	for _, n := range sz.clients {
		res := throughputResult{clients: n}
		for rep := range max(1, sz.throughputReps) {
			rs, err := compareLoads(ctx, n, sz.throughputDur, &seq, []*load{server, netHTTP, floor})
			if err != nil {
				return err
			}
			x := throughputRep{server: rs[0], netHTTP: rs[1], sql: rs[2]}
			logf("throughput %d clients, repetition %d: creates %.0f/s (net/http client %.0f/s) vs sqlite %.0f/s (%.0f%%, %.0f%%); reads %.0f/s (net/http client %.0f/s) vs sqlite %.0f/s (%.0f%%, %.0f%%)",
				n, rep+1, x.server.creates, x.netHTTP.creates, x.sql.creates, 100*x.server.creates/x.sql.creates, 100*x.netHTTP.creates/x.sql.creates,
				x.server.reads, x.netHTTP.reads, x.sql.reads, 100*x.server.reads/x.sql.reads, 100*x.netHTTP.reads/x.sql.reads)
			res.reps = append(res.reps, x)
		}
		res.server = medianRates(res.reps, func(r throughputRep) rates { return r.server })
		res.netHTTP = medianRates(res.reps, func(r throughputRep) rates { return r.netHTTP })
		res.sql = medianRates(res.reps, func(r throughputRep) rates { return r.sql })
		rep.throughput = append(rep.throughput, res)
	}
	return nil
}

func maxClients(sz sizes) int {
	m := 0
	for _, c := range sz.clients {
		m = max(m, c)
	}
	return m
}

func floorInsert(ctx context.Context, q floorSQL, w *sql.DB, id, name string) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if _, err := tx.ExecContext(ctx, q.insertUser,
		id, name, name+"@example.com", "Load", "Test", "bench", "guest", 0, "{}", "", 0, now, now, 1); err != nil {
		_ = tx.Rollback()
		return err
	}
	if _, err := tx.ExecContext(ctx, q.insertAudit,
		now, "system", "system", "user.create", "user", id, "success", 201, "username "+name+", role guest"); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func floorRead(ctx context.Context, q floorSQL, r *sql.DB, id string) error {
	var (
		seq, version, level, disabled, system               int64
		uid, username, email, first, last, org, role, attrs string
		hash, created, updated                              string
	)
	return r.QueryRowContext(ctx, q.selectUser, id).Scan(&seq, &uid, &username, &email, &first, &last,
		&org, &role, &disabled, &attrs, &hash, &system, &created, &updated, &version, &level)
}
