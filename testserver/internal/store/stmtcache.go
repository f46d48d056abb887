package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// SQLite connections keep their prepared statements, as pgx's connections
// do on PostgreSQL (its statement cache, on by default): database/sql alone
// prepares, runs and finalizes a statement on every call, and SQLite's
// parser and planner then cost more than the read they prepare (about half
// the CPU of an authenticated GET). Each connection keeps the statements of
// the last stmtCacheSize queries it ran, by their text; the store's queries
// are a fixed set, so in steady state nothing is prepared again. SQLite
// prepares a cached statement again by itself when the schema changed.

// stmtCacheSize is how many prepared statements one connection keeps.
const stmtCacheSize = 128

// sqliteConn is the driver connection as modernc.org/sqlite makes it.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConnector opens connections that keep their prepared statements
// and count what they run in n.
type cachingConnector struct {
	inner driver.Connector
	n     *poolCounts
}

// poolCounts count the statements a pool ran and those it prepared.
type poolCounts struct{ run, prepared atomic.Int64 }

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		return conn, nil
	}
	return &cachingConn{sqliteConn: sc, byQuery: map[string]*list.Element{}, lru: list.New(), n: c.n}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.inner.Driver() }

// cachingConn is one connection and its prepared statements. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type cachingConn struct {
	sqliteConn
	byQuery map[string]*list.Element // of *cachedStmt
	lru     *list.List               // most recently used first
	n       *poolCounts
}

// cachedStmt is a prepared statement; busy while rows read from it are open
// (a second query with the same text on the connection then runs unprepared).
type cachedStmt struct {
	query   string
	stmt    driver.Stmt
	busy    bool
	evicted bool // left the cache while busy: closed when its rows are
}

var (
	_ sqliteConn       = (*cachingConn)(nil)
	_ driver.Connector = cachingConnector{}
)

// Statements reports how many statements the SQLite store has run on its
// read pool and on its writer since it was opened (prepared statements
// included; BEGIN and COMMIT not), so tests can hold a request to its cost.
// On PostgreSQL both are 0.
func (s *Store) Statements() (reads, writes int64) {
	if s.reads == nil {
		return 0, 0
	}
	return s.reads.run.Load(), s.writes.run.Load()
}

// Prepared reports how many statements the SQLite store's connections have
// prepared since it was opened; 0 on PostgreSQL.
func (s *Store) Prepared() int64 {
	if s.reads == nil {
		return 0
	}
	return s.reads.prepared.Load() + s.writes.prepared.Load()
}

// stmt returns the idle prepared statement for query, preparing and caching
// it when there is none; nil when it is busy.
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.byQuery[query]; ok {
		cs, _ := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		return cs, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.n.prepared.Add(1)
	cs := &cachedStmt{query: query, stmt: st}
	c.byQuery[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old, _ := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.byQuery, old.query)
		if old.busy {
			old.evicted = true
		} else if err := old.stmt.Close(); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.n.run.Add(1)
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	ex, ok := cs.stmt.(driver.StmtExecContext)
	if !ok {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return ex.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.run.Add(1)
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	q, ok := cs.stmt.(driver.StmtQueryContext)
	if !ok {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := q.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// Close finalizes the cached statements and closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		if cs, _ := e.Value.(*cachedStmt); !cs.busy {
			errs = append(errs, cs.stmt.Close())
		}
	}
	c.byQuery, c.lru = nil, list.New()
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// cachedRows are the rows of a cached statement, which they free for the
// next query when closed.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.cs == nil {
		return err
	}
	cs := r.cs
	r.cs = nil
	cs.busy = false
	if cs.evicted {
		err = errors.Join(err, cs.stmt.Close())
	}
	return err
}

// KeyRead is the context for reading one row by its key (the session or
// token of every request, a user by id). On SQLite such a read takes
// microseconds, so it runs to its end even when the request is abandoned:
// a context that can be cancelled costs database/sql and modernc's driver a
// goroutine each per statement, to watch for the cancellation, and this one
// has none (the values of ctx remain). On PostgreSQL it is ctx itself: a
// statement there waits on the network, and a request that ends must still
// end it.
func (s *Store) KeyRead(ctx context.Context) context.Context {
	if s.pg || ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}
