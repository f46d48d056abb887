// Package testserver runs the reference identity server for tests: Start runs
// one per test, PostgresURL and TemporaryPostgres make throwaway PostgreSQL
// databases, OpenDatabase opens a server's database beside it for tools that
// measure or seed it. The server itself is package server, which the
// standalone cmd/identity-server imports so that it links none of this
// package's test-only code; New, Options, Server, KeyFilePath and the default
// timeouts here are server's.
package testserver

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver/internal/pgtest"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/server"
)

// Options configure a server (server.Options). Only SuperuserPassword is
// required by New; Start fills in everything.
type Options = server.Options

// Server is a running identity server (server.Server).
type Server = server.Server

// Default HTTP timeouts (see Options).
const (
	DefaultReadHeaderTimeout = server.DefaultReadHeaderTimeout
	DefaultReadTimeout       = server.DefaultReadTimeout
	DefaultWriteTimeout      = server.DefaultWriteTimeout
	DefaultIdleTimeout       = server.DefaultIdleTimeout
)

// New opens the database, bootstraps it and starts serving (server.New).
func New(opts Options) (*Server, error) { return server.New(opts) }

// KeyFilePath is where a server keeps the signing key it generated: beside
// the database, readable by its owner only (server.KeyFilePath).
func KeyFilePath(dbPath string) string { return server.KeyFilePath(dbPath) }

// Start runs a server for one test on a random loopback port with a fresh
// database and cheap password hashing, and stops it when the test ends.
func Start(tb testing.TB, opts ...Options) *Server {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.DBPath == "" {
		o.DBPath = filepath.Join(tb.TempDir(), "identity.db")
		if pgtest.Enabled() {
			o.DBPath = pgtest.URL(tb)
		}
	}
	if o.SigningKey == "" && store.IsPostgresURL(o.DBPath) {
		o.SigningKey = randomPassword() + randomPassword()
	}
	if o.SuperuserPassword == "" {
		o.SuperuserPassword = randomPassword()
	}
	if o.PasswordCost == "" {
		o.PasswordCost = "low"
	}
	s, err := New(o)
	if err != nil {
		tb.Fatalf("start identity server: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("stop identity server: %v", err)
		}
	})
	return s
}

func randomPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
