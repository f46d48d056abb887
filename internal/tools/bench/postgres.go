package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver: the bare PostgreSQL floor
	"github.com/seed/terraform-provider-identity/testserver"
)

// pgReplicas is how many API instances share one database in the replica
// measurement.
const pgReplicas = 3

// pgPoolSize is the bare floor's connection limit: the server's own per
// replica (the store's pgMaxConns).
const pgPoolSize = 10

// postgresResult is one concurrency level on PostgreSQL: one server, three
// replicas of it, and the bare database, measured side by side.
type postgresResult struct {
	clients             int
	one, replicas, bare rates
}

// postgresReport is the PostgreSQL scenario's outcome: its figures, or why
// it did not run.
type postgresReport struct {
	skipped string
	results []postgresResult
}

// benchPostgres compares the server on PostgreSQL, as one instance and as
// pgReplicas instances on one database behind a round-robin client, with the
// same rows written and read through the same driver (pgx through
// database/sql, whose statement cache is on by default) on a database the
// server migrated. Without PostgreSQL it reports why and measures nothing.
func benchPostgres(ctx context.Context, sz sizes, rep *report) error {
	url, drop, err := testserver.TemporaryPostgres(ctx)
	if errors.Is(err, testserver.ErrNoPostgres) {
		rep.postgres = &postgresReport{skipped: err.Error()}
		logf("postgres: skipped: %v", err)
		return nil
	} else if err != nil {
		return err
	}
	defer func() { _ = drop() }()

	// Every replica signs with the same key; the first one migrates.
	key := randomHex(32)
	var servers []*benchServer
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()
	for range pgReplicas {
		s, err := startServerWith(testserver.Options{DBPath: url, PasswordCost: "low", SigningKey: key})
		if err != nil {
			return fmt.Errorf("start a replica: %w", err)
		}
		servers = append(servers, s)
	}
	var bases []string
	for _, s := range servers {
		bases = append(bases, s.URL)
	}
	// A session made by one replica is valid on every one: it is in the database.
	token := servers[0].Token
	one, err := newWireClient(bases[:1], token)
	if err != nil {
		return err
	}
	defer one.close()
	all, err := newWireClient(bases, token)
	if err != nil {
		return err
	}
	defer all.close()

	bare, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer func() { _ = bare.Close() }()
	bare.SetMaxOpenConns(pgPoolSize)
	bare.SetMaxIdleConns(pgPoolSize)

	loads := []*load{
		serverLoad("PostgreSQL, one server", one),
		serverLoad(fmt.Sprintf("PostgreSQL, %d replicas", pgReplicas), all),
		floorLoad("bare PostgreSQL", postgresFloor, bare, bare),
	}
	out := &postgresReport{}
	rep.postgres = out
	var seq atomic.Int64
	for _, n := range sz.clients {
		rs, err := compareLoads(ctx, n, sz.throughputDur, &seq, loads)
		if err != nil {
			return err
		}
		res := postgresResult{clients: n, one: rs[0], replicas: rs[1], bare: rs[2]}
		logf("postgres %d clients: creates one %.0f/s, %d replicas %.0f/s, bare %.0f/s (%.0f%%, %.0f%%); reads one %.0f/s, replicas %.0f/s, bare %.0f/s (%.0f%%, %.0f%%)",
			n, res.one.creates, pgReplicas, res.replicas.creates, res.bare.creates,
			100*res.one.creates/res.bare.creates, 100*res.replicas.creates/res.bare.creates,
			res.one.reads, res.replicas.reads, res.bare.reads, 100*res.one.reads/res.bare.reads, 100*res.replicas.reads/res.bare.reads)
		out.results = append(out.results, res)
	}
	return nil
}
