// Package store keeps the identity server's state in a database: SQLite
// (modernc.org/sqlite, no cgo; one writer connection running immediate
// transactions, a separate read pool, WAL) or PostgreSQL (pgx; one pool, write
// transactions one at a time under an advisory lock, so replicas sharing the
// database act as one server). The SQL is written once for both (see
// postgres.go); each backend has its own embedded versioned migrations, with
// the same versions.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// ErrNotFound is returned when the object does not exist.
var ErrNotFound = errors.New("not found")

// ConflictError reports a uniqueness or in-use conflict.
type ConflictError struct {
	Field   string
	Message string
}

// Error returns the message.
func (e *ConflictError) Error() string { return e.Message }

// Conflict returns a *ConflictError.
func Conflict(field, format string, args ...any) error {
	return &ConflictError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Querier is what reads and writes need; *sql.DB and *sql.Tx both satisfy it.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the database: W is the single writer, R the read pool. On
// PostgreSQL both are the same pool.
type Store struct {
	W *sql.DB
	R *sql.DB
	// pg is set for PostgreSQL.
	pg bool
	// reads and writes count the statements run and prepared on SQLite's
	// pools (Statements, Prepared); nil on PostgreSQL and the bare pools.
	reads, writes *poolCounts
}

// Postgres reports whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.pg }

func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "journal_mode(WAL)")
	if write {
		// Deleted rows (password hashes, session hashes, settings) are
		// overwritten with zeros, not left in free space.
		q.Add("_pragma", "secure_delete(1)")
		// Immediate transactions take the write lock at BEGIN, so two writers
		// never deadlock upgrading read locks (the classic SQLITE_BUSY source).
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens the database and applies its migrations: a postgres:// URL is a
// PostgreSQL database, anything else the path of an SQLite file (see
// openSQLite).
func Open(ctx context.Context, dsn string) (*Store, error) {
	if IsPostgresURL(dsn) {
		return openPG(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPG(ctx context.Context, url string) (*Store, error) {
	db, err := openPostgres(url)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := migratePG(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return &Store{W: db, R: db, pg: true}, nil
}

// migratePG migrates under a session advisory lock, so replicas that start
// together wait for the first one's migrations and then find nothing to do.
func migratePG(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, migrateLock); err != nil {
		return err
	}
	err = migrate(ctx, conn, "migrations/postgres")
	_, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, migrateLock)
	return errors.Join(err, uerr)
}

// openSQLite opens (creating if needed) the SQLite database at path and applies migrations.
// The file is created readable by its owner only, and an existing one (with
// its -wal and -shm files) loses any group or other access: it holds
// password hashes. SQLite gives the -wal and -shm files it creates the
// database file's mode.
func openSQLite(ctx context.Context, path string) (*Store, error) {
	reads, writes := new(poolCounts), new(poolCounts)
	s, err := openSQLiteWith(ctx, path, func(dsn string, write bool) (*sql.DB, error) {
		if write {
			return openSQLitePool(dsn, writes)
		}
		return openSQLitePool(dsn, reads)
	})
	if err != nil {
		return nil, err
	}
	s.reads, s.writes = reads, writes
	return s, nil
}

// OpenBareSQLite opens the SQLite database at path as database/sql alone
// opens it: the store's DSN, pragmas and pool sizes, but connections that
// prepare every statement on every call (no statement cache). It is the
// floor the store is measured against.
func OpenBareSQLite(ctx context.Context, path string) (*Store, error) {
	return openSQLiteWith(ctx, path, func(dsn string, _ bool) (*sql.DB, error) { return sql.Open("sqlite", dsn) })
}

func openSQLiteWith(ctx context.Context, path string, open func(dsn string, write bool) (*sql.DB, error)) (*Store, error) {
	if err := restrictFiles(path); err != nil {
		return nil, err
	}
	w, err := open(dsn(path, true), true)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := migrate(ctx, w, "migrations/sqlite"); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	r, err := open(dsn(path, false), false)
	if err != nil {
		_ = w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := r.PingContext(ctx); err != nil {
		_ = w.Close()
		_ = r.Close()
		return nil, err
	}
	return &Store{W: w, R: r}, nil
}

// openSQLitePool opens a pool on dsn whose connections keep their prepared
// statements (see stmtcache.go) and count the statements they run in n.
func openSQLitePool(dsn string, n *poolCounts) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{inner: c, n: n}), nil
}

// FileMode is the mode of the database files.
const FileMode os.FileMode = 0o600

// restrictFiles creates the database file with FileMode when it is missing
// and takes group and other access away from it and its -wal and -shm files.
func restrictFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode) //nolint:gosec // the operator's own database path
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if fi.Mode().Perm()&^FileMode != 0 {
			if err := os.Chmod(p, FileMode); err != nil {
				return fmt.Errorf("restrict %s to its owner: %w", p, err)
			}
		}
	}
	return nil
}

// Scrub rewrites the database file and empties the write-ahead log, so
// nothing deleted before (a secret moved out of the database) survives in
// free pages or old log frames. PostgreSQL reclaims dead rows itself
// (autovacuum); there it does nothing.
func (s *Store) Scrub(ctx context.Context) error {
	if s.pg {
		return nil
	}
	if _, err := s.W.ExecContext(ctx, `VACUUM`); err != nil {
		return err
	}
	_, err := s.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// Close closes both pools.
func (s *Store) Close() error {
	if s.R == s.W {
		return s.W.Close()
	}
	return errors.Join(s.R.Close(), s.W.Close())
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.pg {
		return s.W.PingContext(ctx)
	}
	return s.R.PingContext(ctx)
}

// maxTxAttempts bounds how often Tx runs a PostgreSQL transaction that
// failed only because of another one (see pgRetryable).
const maxTxAttempts = 5

// Tx runs fn in one write transaction, committing when fn returns nil. On
// SQLite it is an immediate transaction on the single writer; on PostgreSQL
// it first takes the writer lock (see writerLock), and runs again, up to
// maxTxAttempts times, when it failed only because of another transaction.
func (s *Store) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if !s.pg {
		return runTx(ctx, s.W, "", fn)
	}
	var err error
	for range maxTxAttempts {
		if err = runTx(ctx, s.W, `SELECT pg_advisory_xact_lock(?)`, fn); !pgRetryable(err) {
			return err
		}
	}
	return err
}

func runTx(ctx context.Context, db *sql.DB, first string, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if first != "" {
		if _, err := tx.ExecContext(ctx, first, writerLock); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// beginner is a pool or one connection of it.
type beginner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func migrate(ctx context.Context, db beginner, dir string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migration %s: name must start with a number and '_'", e.Name())
		}
		body, err := migrationFS.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			_ = tx.Rollback()
			return err
		}
		if n > 0 {
			_ = tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		if step := goSteps[strings.TrimSuffix(strings.SplitN(e.Name(), "_", 2)[1], ".sql")]; step != nil {
			if err := step(ctx, tx); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("migration %s: %w", e.Name(), err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`, version, e.Name(), Now()); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Now returns the current time in the wire format (RFC 3339, UTC, nanoseconds).
func Now() string { return FormatTime(time.Now()) }

// FormatTime renders t in the wire format.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// IsConstraint reports whether err is a constraint violation (unique,
// foreign key, check) of either backend, which is always the client's doing.
func IsConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 19 || pgConstraint(err)
}

// uniqueFields names the request field each unique index guards, under the
// names the two backends give a refused row: PostgreSQL's constraint or index
// name, SQLite's "table.column" list (or "index 'name'" for an index on
// expressions).
var uniqueFields = map[string]string{
	"users_username": "username", "users.username": "username",
	"users_email": "email", "users.email": "email",
	"users_email_key": "email", "users.email_key": "email",
	"users_id_key": "id", "users.id": "id",
	"groups_full_name": "name", "groups_.full_name": "name",
	"groups_full_name_key": "name", "groups_.full_name_key": "name",
	"roles_pkey": "name", "roles.name": "name",
	"permissions_grant": "operation", "index 'permissions_grant'": "operation",
}

// UniqueConflict turns a unique violation of either backend into the
// *ConflictError the store's own checks return for the same clash, naming
// the field the refused index guards (none when the index is not one a
// request field maps to). It returns nil for any other error. The store
// looks a clash up before writing where it can; this answers the same when
// the index is what refuses the row.
func UniqueConflict(err error) *ConflictError {
	name, ok := pgUniqueName(err)
	if !ok {
		var se *sqlite.Error
		if !errors.As(err, &se) || se.Code() != sqliteConstraintUnique && se.Code() != sqliteConstraintPrimaryKey {
			return nil
		}
		name = sqliteUniqueName(se.Error())
	}
	field := uniqueFields[name]
	if field == "" {
		return &ConflictError{Message: "the change conflicts with existing data"}
	}
	return &ConflictError{Field: field, Message: fmt.Sprintf("the %s is already taken", field)}
}

// SQLite's extended result codes of a unique and a primary key violation.
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
)

// sqliteUniqueName is what follows "UNIQUE constraint failed: " in an SQLite
// message: the refused index's columns as "table.column, …", or
// "index 'name'".
func sqliteUniqueName(msg string) string {
	_, after, ok := strings.Cut(msg, "constraint failed: ")
	if !ok {
		return ""
	}
	if _, rest, ok := strings.Cut(after, "constraint failed: "); ok {
		after = rest
	}
	if i := strings.LastIndex(after, " ("); i >= 0 {
		after = after[:i]
	}
	return after
}

// IsUnavailable reports whether err means the database could not be reached
// or is not taking work now (PostgreSQL down, restarting or out of
// connections): the request may succeed if repeated later.
func IsUnavailable(err error) bool {
	return pgUnavailable(err)
}

// GetSetting reads a setting; ok is false when it is unset.
func GetSetting(ctx context.Context, q Querier, key string) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// DeleteSetting removes a setting.
func DeleteSetting(ctx context.Context, q Querier, key string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
	return err
}

// SetSetting writes a setting.
func SetSetting(ctx context.Context, q Querier, key, value string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// queryPage runs a query that selects up to p.Limit+1 rows in sequence order
// and returns one page of them with the cursor of the next page ("" on the
// last), so every list pages the same way.
func queryPage[T any](ctx context.Context, q Querier, p Page, scan func(scanner) (T, error), seq func(T) int64, query string, args ...any) ([]T, string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		next = EncodeCursor(seq(out[len(out)-1]))
	}
	return out, next, nil
}
