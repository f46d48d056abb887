// Package api is the identity server's HTTP/JSON interface: routing,
// authentication, request decoding, problem responses and the handlers that
// apply the authz rules and write changes and audit records to the store.
package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/internal/tokens"
)

// Config configures an API.
type Config struct {
	Store      *store.Store
	Logger     hclog.Logger
	Passwords  passwords.Params
	SigningKey []byte
	SessionTTL time.Duration // default 12h
	Throttle   ThrottleConfig
}

// API serves the identity HTTP API.
type API struct {
	st        *store.Store
	log       hclog.Logger
	pw        passwords.Params
	key       []byte
	ttl       time.Duration
	throttle  *throttle
	dummyHash string
	mux       *http.ServeMux
}

// New builds the API and its routes.
func New(cfg Config) (*API, error) {
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if len(cfg.SigningKey) < 32 {
		return nil, errors.New("the signing key must be at least 32 bytes")
	}
	// Unknown users are checked against this hash so a miss costs as much as a wrong password.
	dummy, err := passwords.Hash("not-a-real-password", cfg.Passwords)
	if err != nil {
		return nil, err
	}
	a := &API{st: cfg.Store, log: cfg.Logger, pw: cfg.Passwords, key: cfg.SigningKey, ttl: cfg.SessionTTL,
		throttle: newThrottle(cfg.Throttle), dummyHash: dummy, mux: http.NewServeMux()}
	a.routes()
	return a, nil
}

// Handler returns the HTTP handler with logging and panic recovery.
func (a *API) Handler() http.Handler { return a.logRequests(a) }

// reqCtx carries the authenticated caller of a request.
type reqCtx struct {
	caller      authz.Caller
	sessionHash string // "" for third-party tokens
	user        *store.User
	token       *store.Token
}

type handler func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

func (a *API) routes() {
	m := a.mux
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("POST /api/v1/login", a.plain(a.login))
	m.HandleFunc("POST /api/v1/logout", a.auth(a.logout))
	m.HandleFunc("GET /api/v1/me", a.auth(a.me))

	m.HandleFunc("GET /api/v1/users", a.auth(a.listUsers))
	m.HandleFunc("POST /api/v1/users", a.auth(a.createUser))
	m.HandleFunc("GET /api/v1/users/{id}", a.auth(a.getUser))
	m.HandleFunc("PATCH /api/v1/users/{id}", a.auth(a.patchUser))
	m.HandleFunc("DELETE /api/v1/users/{id}", a.auth(a.deleteUser))
	m.HandleFunc("PUT /api/v1/users/{id}/password", a.auth(a.setPassword))

	m.HandleFunc("GET /api/v1/roles", a.auth(a.listRoles))
	m.HandleFunc("POST /api/v1/roles", a.auth(a.createRole))
	m.HandleFunc("GET /api/v1/roles/{name}", a.auth(a.getRole))
	m.HandleFunc("PATCH /api/v1/roles/{name}", a.auth(a.patchRole))
	m.HandleFunc("DELETE /api/v1/roles/{name}", a.auth(a.deleteRole))

	m.HandleFunc("GET /api/v1/groups", a.auth(a.listGroups))
	m.HandleFunc("POST /api/v1/groups", a.auth(a.createGroup))
	m.HandleFunc("GET /api/v1/groups/{id}", a.auth(a.getGroup))
	m.HandleFunc("PATCH /api/v1/groups/{id}", a.auth(a.patchGroup))
	m.HandleFunc("DELETE /api/v1/groups/{id}", a.auth(a.deleteGroup))
	m.HandleFunc("GET /api/v1/groups/{id}/members", a.auth(a.listMembers))
	m.HandleFunc("PUT /api/v1/groups/{id}/members", a.auth(a.replaceMembers))
	m.HandleFunc("PUT /api/v1/groups/{id}/members/{user_id}", a.auth(a.addMember))
	m.HandleFunc("DELETE /api/v1/groups/{id}/members/{user_id}", a.auth(a.removeMember))

	m.HandleFunc("GET /api/v1/permissions", a.auth(a.listPermissions))
	m.HandleFunc("POST /api/v1/permissions", a.auth(a.createPermission))
	m.HandleFunc("GET /api/v1/permissions/{id}", a.auth(a.getPermission))
	m.HandleFunc("DELETE /api/v1/permissions/{id}", a.auth(a.deletePermission))

	m.HandleFunc("GET /api/v1/tokens", a.auth(a.listTokens))
	m.HandleFunc("POST /api/v1/tokens", a.auth(a.createToken))
	m.HandleFunc("GET /api/v1/tokens/{id}", a.auth(a.getToken))
	m.HandleFunc("DELETE /api/v1/tokens/{id}", a.auth(a.deleteToken))

	m.HandleFunc("GET /api/v1/audit", a.auth(a.listAudit))
}

// ServeHTTP routes a request; unmatched paths and methods get problem documents too.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := a.mux.Handler(r); pattern == "" {
		rec := &statusOnly{header: http.Header{}}
		a.mux.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeProblem(w, newProblem(http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
				"%s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
		writeProblem(w, notFound("no such endpoint: %s %s", r.Method, r.URL.Path))
		return
	}
	a.mux.ServeHTTP(w, r)
}

// statusOnly captures what the mux would answer for an unmatched request.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(code int)        { s.status = code }

// plain wraps a handler that needs no credential.
func (a *API) plain(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.finish(w, r, h(w, r, nil))
	}
}

// auth wraps a handler that needs a credential.
func (a *API) auth(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rc, err := a.authenticate(r)
		if err != nil {
			a.finish(w, r, err)
			return
		}
		a.finish(w, r, h(w, r, rc))
	}
}

func (a *API) finish(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		return
	}
	p, known := toProblem(err)
	if !known {
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	writeProblem(w, p)
}

const badCredential = //nolint:gosec // a message, not a credential
"the credential is missing, invalid, expired or revoked"

func credential(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// authenticate resolves the credential on every request against the database,
// so revocation, disabling and deletion take effect at once.
func (a *API) authenticate(r *http.Request) (*reqCtx, error) {
	tok := credential(r)
	if tok == "" || len(tok) > 4096 {
		return nil, unauthorized(badCredential)
	}
	ctx := r.Context()
	now := time.Now()
	if tokens.LooksLikeJWT(tok) {
		claims, err := tokens.Parse(a.key, tok, now)
		if err != nil {
			return nil, unauthorized(badCredential)
		}
		t, err := store.GetToken(ctx, a.st.R, claims.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, unauthorized(badCredential)
		} else if err != nil {
			return nil, err
		}
		if t.ExpiresAt != nil {
			exp, err := time.Parse(time.RFC3339Nano, *t.ExpiresAt)
			if err != nil || !now.Before(exp) {
				return nil, unauthorized(badCredential)
			}
		}
		return &reqCtx{token: &t, caller: authz.Caller{Kind: authz.KindToken, ID: t.ID, Name: "token:" + t.ID, Role: t.Role, Level: t.Level}}, nil
	}
	hash := tokens.HashSessionToken(tok)
	u, exp, err := store.GetSessionUser(ctx, a.st.R, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unauthorized(badCredential)
	} else if err != nil {
		return nil, err
	}
	if now.UnixNano() >= exp || u.Disabled {
		return nil, unauthorized(badCredential)
	}
	return &reqCtx{user: &u, sessionHash: hash, caller: callerOf(u)}, nil
}

func callerOf(u store.User) authz.Caller {
	return authz.Caller{Kind: authz.KindUser, ID: u.ID, Name: u.Username, Role: u.Role, Level: u.Level, System: u.System}
}

// change runs fn in one write transaction and records ev in the audit log in
// that same transaction. When fn fails with a client error, the transaction
// is rolled back and the attempt is recorded as denied (403) or failed.
func (a *API) change(ctx context.Context, rc *reqCtx, ev *store.Event, fn func(tx *sql.Tx) error) error {
	if rc != nil {
		ev.Actor, ev.ActorID = rc.caller.Name, rc.caller.ID
	}
	if ev.Status == 0 {
		ev.Status = http.StatusOK
	}
	err := a.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		ev.Outcome = "success"
		return store.InsertEvent(ctx, tx, ev)
	})
	if err == nil {
		return nil
	}
	p, known := toProblem(err)
	if !known {
		return err
	}
	a.recordFailure(ctx, ev, p)
	return p
}

// recordFailure writes a refused or failed attempt to the audit log.
func (a *API) recordFailure(ctx context.Context, ev *store.Event, p *Problem) {
	ev.Status = p.Status
	ev.Outcome = "failed"
	if p.Status == http.StatusForbidden {
		ev.Outcome = "denied"
	}
	ev.Detail = p.Detail
	if len(ev.Detail) > 1000 {
		ev.Detail = ev.Detail[:1000]
	}
	ev.ID, ev.At = 0, ""
	// The attempt is recorded even when the client has already gone away.
	ctx = context.WithoutCancel(ctx)
	if err := a.st.Tx(ctx, func(tx *sql.Tx) error { return store.InsertEvent(ctx, tx, ev) }); err != nil {
		a.log.Error("cannot write audit record", "action", ev.Action, "error", err.Error())
	}
}

// denyRead records a refused read and returns the 403.
func (a *API) denyRead(ctx context.Context, rc *reqCtx, action, objectType, objectID string, err error) error {
	p, known := toProblem(err)
	if !known {
		return err
	}
	ev := &store.Event{Actor: rc.caller.Name, ActorID: rc.caller.ID, Action: action, ObjectType: objectType, ObjectID: objectID}
	a.recordFailure(ctx, ev, p)
	return p
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeObject sends one object with its version as ETag.
func writeObject(w http.ResponseWriter, status int, version int64, v any) {
	w.Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
	writeJSON(w, status, v)
}

type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func writeList[T any](w http.ResponseWriter, items []T, next string) {
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, list[T]{Items: items, NextCursor: next})
}

// statusRecorder remembers the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// logRequests logs method, path, status and duration of each request, and
// turns a panic into a 500. Headers, query strings and bodies are never
// logged: they may carry credentials or passwords.
func (a *API) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				a.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if rec.status == 0 {
					writeProblem(rec, internalError())
				}
			}
			a.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"duration", time.Since(start).String())
		}()
		next.ServeHTTP(rec, r)
	})
}

// ThrottleConfig bounds failed logins per account.
type ThrottleConfig struct {
	MaxFailures int           // failures before the account is locked (default 5)
	Window      time.Duration // failures older than this are forgotten (default 15m)
	Lockout     time.Duration // first lock; doubles per further failure, at most Window (default 30s)
}

// throttle counts failed logins per account name, so attacks on one account
// never lock out another.
type throttle struct {
	cfg     ThrottleConfig
	mu      sync.Mutex
	entries map[string]*throttleEntry
}

type throttleEntry struct {
	failures    int
	last        time.Time
	lockedUntil time.Time
}

func newThrottle(cfg ThrottleConfig) *throttle {
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.Window <= 0 {
		cfg.Window = 15 * time.Minute
	}
	if cfg.Lockout <= 0 {
		cfg.Lockout = 30 * time.Second
	}
	return &throttle{cfg: cfg, entries: map[string]*throttleEntry{}}
}

// wait returns how long the account must wait, or 0.
func (t *throttle) wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.entries[key]; ok && now.Before(e.lockedUntil) {
		return e.lockedUntil.Sub(now)
	}
	return 0
}

func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) > 10000 {
		for k, e := range t.entries {
			if now.Sub(e.last) > t.cfg.Window && now.After(e.lockedUntil) {
				delete(t.entries, k)
			}
		}
	}
	e, ok := t.entries[key]
	if !ok || now.Sub(e.last) > t.cfg.Window {
		e = &throttleEntry{}
		t.entries[key] = e
	}
	e.failures++
	e.last = now
	if over := e.failures - t.cfg.MaxFailures; over >= 0 {
		d := t.cfg.Lockout << min(over, 20)
		if d > t.cfg.Window || d <= 0 {
			d = t.cfg.Window
		}
		e.lockedUntil = now.Add(d)
	}
}

func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}
