package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL backend. The store's SQL is written once, in the portable
// subset both databases read, with SQLite's '?' placeholders; the connections
// opened here rewrite what PostgreSQL spells differently (rebind below), so
// every query function serves both backends and nothing above the store
// knows which one it talks to.

// IsPostgresURL reports whether dsn names a PostgreSQL database rather than
// an SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// pgMaxConns bounds one replica's connections: writers queue on the writer
// lock anyway, and several replicas share the server's connection limit.
const pgMaxConns = 10

// openPostgres opens a pool on url whose connections rebind queries.
func openPostgres(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse the PostgreSQL URL: %w", redactURLError(err))
	}
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns)
	return db, nil
}

// redactURLError keeps a password in the URL out of the message.
func redactURLError(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("the URL is malformed")
	}
	return err
}

type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("unexpected PostgreSQL connection type %T", conn)
	}
	return &pgConn{sc}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection that takes the store's SQL: it rebinds each
// query, passes booleans as the integers the schema stores, and gives
// read-only transactions one snapshot (REPEATABLE READ), as an SQLite read
// transaction has.
type pgConn struct{ c *stdlib.Conn }

var (
	_ driver.Conn               = (*pgConn)(nil)
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
)

func (p *pgConn) Prepare(query string) (driver.Stmt, error) { return p.c.Prepare(rebind(query)) }
func (p *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return p.c.PrepareContext(ctx, rebind(query))
}
func (p *pgConn) Close() error { return p.c.Close() }
func (p *pgConn) Begin() (driver.Tx, error) {
	return p.BeginTx(context.Background(), driver.TxOptions{})
}
func (p *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly && opts.Isolation == driver.IsolationLevel(sql.LevelDefault) {
		opts.Isolation = driver.IsolationLevel(sql.LevelRepeatableRead)
	}
	return p.c.BeginTx(ctx, opts)
}
func (p *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return p.c.ExecContext(ctx, rebind(query), args)
}
func (p *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return p.c.QueryContext(ctx, rebind(query), args)
}
func (p *pgConn) Ping(ctx context.Context) error         { return p.c.Ping(ctx) }
func (p *pgConn) ResetSession(ctx context.Context) error { return p.c.ResetSession(ctx) }

// CheckNamedValue passes booleans as 1 and 0: flags are INTEGER columns on
// both backends, so the same comparisons (is_system = 1) read them.
func (p *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		if b {
			nv.Value = int64(1)
		} else {
			nv.Value = int64(0)
		}
		return nil
	}
	return p.c.CheckNamedValue(nv)
}

var rebound sync.Map // query -> PostgreSQL text

// rebind turns the store's SQL into PostgreSQL's: '?' becomes $1, $2, …
// in order and '?N' becomes $N (outside quotes and comments), and the
// SQLite-only table option WITHOUT ROWID is dropped. Results are cached:
// the store's queries are a fixed set.
func rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j > i+1 {
				b.WriteString("$" + query[i+1:j])
			} else {
				n++
				fmt.Fprintf(&b, "$%d", n)
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	out := strings.ReplaceAll(b.String(), " WITHOUT ROWID", "")
	rebound.Store(query, out)
	return out
}

// writerLock is the key of the advisory lock every PostgreSQL write
// transaction takes first, so writes from every replica run one at a time,
// as SQLite's single writer runs them: a transaction that reads, decides and
// writes never interleaves with another.
const writerLock = 0x6964656e74697479 // "identity"

// migrateLock is the key of the advisory lock held while migrating, so that
// replicas starting together migrate once.
const migrateLock = writerLock + 1

// pgRetryable reports whether a PostgreSQL transaction failed only because of
// another one (serialization failure 40001, deadlock 40P01) and may simply
// run again.
func pgRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// pgConstraint reports whether err is an integrity constraint violation
// (class 23: unique, foreign key, check, not null).
func pgConstraint(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "23")
}

// pgUniqueName returns the constraint or index that refused a row when err
// is a PostgreSQL unique violation (23505).
func pgUniqueName(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return pe.ConstraintName, true
	}
	return "", false
}

// pgUnavailable reports whether err means the database cannot be reached or
// is not accepting work now (connection failures, class 08; shutting down,
// 57P01-57P03; too many connections, 53300), as opposed to a failed query.
func pgUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || pgconn.SafeToRetry(err)
}
