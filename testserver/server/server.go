// Package server is the reference identity server: New opens its database
// (an SQLite file, or PostgreSQL shared by several replicas), bootstraps it
// and serves the HTTP/JSON API described in testserver/API.md.
// cmd/identity-server runs it standalone; package testserver starts one for
// each test and leaves this package free of test-only code.
package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-hclog"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/api"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// Options configure a server. Only SuperuserPassword is required by New;
// testserver.Start fills in everything.
type Options struct {
	// SuperuserPassword is the system user's password, reset on every start
	// (IDENTITY_SUPERUSER_PASSWORD for the standalone server).
	SuperuserPassword string
	// SigningKey signs third-party tokens (IDENTITY_SIGNING_KEY). When empty,
	// a key is generated once and kept in a file beside an SQLite database
	// (KeyFilePath: DBPath + ".key", mode 0600), never in the database. On
	// PostgreSQL it is required: every replica must sign with the same key.
	SigningKey string
	// PreviousSigningKey still verifies tokens signed before the signing key
	// was rotated (IDENTITY_SIGNING_KEY_PREVIOUS); it signs nothing.
	PreviousSigningKey string
	// DBPath is the database: an SQLite file, or a PostgreSQL database as a
	// postgres:// URL. testserver.Start defaults to a fresh file in the
	// test's temporary directory (a fresh PostgreSQL database when
	// IDENTITY_TEST_BACKEND=postgres); New defaults to identity.db.
	DBPath string
	// Listen is the address to listen on; default 127.0.0.1:0 (a random port).
	Listen string
	// PasswordCost is the argon2id preset: "default" (OWASP) or "low" (fast,
	// for tests and demos). testserver.Start defaults to "low", New to
	// "default".
	PasswordCost string
	// Logger receives structured request logs; default: discarded.
	Logger hclog.Logger
	// SessionTTL is how long a login session lasts; default 12h.
	SessionTTL time.Duration
	// LoginMaxFailures is how many failed logins one client address may make
	// on one account within LoginWindow before it must wait; default 5.
	LoginMaxFailures int
	// LoginMaxAddressFailures is how many failed logins one client address
	// may make within LoginWindow over all accounts; default 50.
	LoginMaxAddressFailures int
	// LoginWindow is how long a failed login counts; default 15m.
	LoginWindow time.Duration
	// TrustedProxies are the reverse proxies and load balancers in front of
	// the server (IDENTITY_TRUSTED_PROXIES, -trusted-proxies). When a
	// request's TCP peer is in one of these prefixes, its client address
	// (which the login and registration limits count by) is read from
	// X-Forwarded-For, right to left, skipping trusted entries. Empty, the
	// default, ignores the header: the client address is the TCP peer's.
	// Name only your own proxies: any client can write the header, and a
	// trusted address lets it choose its own.
	TrustedProxies []netip.Prefix
	// HashConcurrency is how many password hashes and checks may run at
	// once (each holds the argon2id memory, 19 MiB at the default cost);
	// default twice the CPUs, at most five at the default cost.
	HashConcurrency int
	// HashWait is how long a request waits for a hashing slot before it is
	// answered 503 with Retry-After; default 2s.
	HashWait time.Duration
	// HashObserver, when set, is called as each password hash or check
	// starts with the number running, itself included (for tests).
	HashObserver func(inFlight int)
	// ReadHeaderTimeout bounds reading a request's headers; default 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included, so a body
	// cannot trickle in for minutes; default 60s.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end
	// of its response; default 60s.
	WriteTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection may wait for its next
	// request; default 2m.
	IdleTimeout time.Duration
	// Now is the clock by which sessions and third-party tokens are issued
	// and expire; nil is time.Now. Tests move it forward to see something
	// expire without waiting.
	Now func() time.Time
}

// Default HTTP timeouts (see Options).
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
)

// Server is a running identity server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:PORT.
	URL string
	// Token is a ready session token of the system user (role sudo).
	Token string
	// SuperuserPassword is the system user's password.
	SuperuserPassword string
	// DBPath is the database file in use.
	DBPath string
	// SystemUserID is the id of the system user.
	SystemUserID string

	api       *api.API
	st        *store.Store
	srv       *http.Server
	ln        net.Listener
	done      chan error
	fresh     freshConns
	closeOnce sync.Once
	closeErr  error
}

// New opens the database, bootstraps it and starts serving.
func New(opts Options) (*Server, error) {
	if opts.SuperuserPassword == "" {
		return nil, errors.New("the superuser password is required (IDENTITY_SUPERUSER_PASSWORD)")
	}
	if msg := catalog.ValidatePassword(opts.SuperuserPassword); msg != "" {
		return nil, fmt.Errorf("the superuser password %s", msg)
	}
	if opts.DBPath == "" {
		opts.DBPath = "identity.db"
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	params, err := passwords.Preset(opts.PasswordCost)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, opts.DBPath)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s, err := start(ctx, st, opts, params)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return s, nil
}

func start(ctx context.Context, st *store.Store, opts Options, params passwords.Params) (*Server, error) {
	hash, err := passwords.Hash(opts.SuperuserPassword, params)
	if err != nil {
		return nil, err
	}
	var systemID string
	err = st.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.Bootstrap(ctx, tx, uuid.NewString(), hash); err != nil {
			return err
		}
		u, err := store.GetSystemUser(ctx, tx)
		systemID = u.ID
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	keys, err := signingKeys(ctx, st, opts)
	if err != nil {
		return nil, err
	}
	throttle := api.ThrottleConfig{MaxFailures: opts.LoginMaxFailures, MaxAddressFailures: opts.LoginMaxAddressFailures, Window: opts.LoginWindow}
	var loginThrottle, registerThrottle api.LoginThrottle
	if st.Postgres() {
		// Replicas count failed logins and registrations together.
		loginThrottle = api.NewStoreThrottle(st, opts.Logger, throttle)
		registerThrottle = api.NewStoreRegisterThrottle(st, opts.Logger)
	}
	a, err := api.New(api.Config{Store: st, Logger: opts.Logger, Passwords: params, Keys: keys,
		SessionTTL: opts.SessionTTL, Now: opts.Now, TrustedProxies: opts.TrustedProxies, Throttle: throttle, LoginThrottle: loginThrottle, RegisterThrottle: registerThrottle,
		Hashing: passwords.HasherConfig{Concurrency: opts.HashConcurrency, Wait: opts.HashWait, Observe: opts.HashObserver}})
	if err != nil {
		return nil, err
	}
	tok, err := a.NewSession(ctx, systemID)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Token: tok, SuperuserPassword: opts.SuperuserPassword,
		DBPath: opts.DBPath, SystemUserID: systemID, api: a, st: st, ln: ln, done: make(chan error, 1)}
	s.srv = &http.Server{Handler: a.Handler(), ConnState: s.fresh.track,
		ReadHeaderTimeout: orDefault(opts.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(opts.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      orDefault(opts.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(opts.IdleTimeout, DefaultIdleTimeout)}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes and
// single IP addresses (10.0.0.0/8, 192.0.2.7, 2001:db8::/32) for
// Options.TrustedProxies; an invalid entry is an error that names it.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) { return api.ParseTrustedProxies(list) }

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Handler returns the server's HTTP handler, for use with httptest or another listener.
func (s *Server) Handler() http.Handler { return s.api.Handler() }

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting requests and waits for those in flight (until ctx
// ends), then closes the database.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		// http.Server.Shutdown waits for connections that never sent a
		// request (a client transport's spare dial) as if they were busy;
		// nothing is in flight on them, so close them first.
		s.fresh.closeAll()
		err := s.srv.Shutdown(ctx)
		if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		s.closeErr = errors.Join(err, s.st.Close())
	})
	return s.closeErr
}

// Close shuts the server down, giving requests in flight five seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

// freshConns tracks connections that have not yet sent a request.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		if f.conns == nil {
			f.conns = map[net.Conn]struct{}{}
		}
		f.conns[c] = struct{}{}
		return
	}
	delete(f.conns, c)
}

func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		_ = c.Close()
	}
}
