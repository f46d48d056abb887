// Package api is the identity server's HTTP/JSON interface: routing,
// authentication, request decoding, problem responses and the handlers that
// apply the authz rules and write changes and audit records to the store.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/internal/tokens"
)

// Config configures an API.
type Config struct {
	Store      *store.Store
	Logger     hclog.Logger
	Passwords  passwords.Params
	Keys       *tokens.Keyring
	SessionTTL time.Duration // default 12h
	// Throttle bounds failed logins; LoginThrottle, when set, keeps the
	// counters instead of this process's memory.
	Throttle      ThrottleConfig
	LoginThrottle LoginThrottle
	// RegisterThrottle, when set, keeps the self-registration counters
	// (NewStoreRegisterThrottle) instead of this process's memory.
	RegisterThrottle LoginThrottle
	// Hashing bounds the password hashes and checks that run at once (its
	// Params are taken from Passwords).
	Hashing passwords.HasherConfig
	// Now is the clock that decides when sessions and third-party tokens
	// expire; default time.Now.
	Now func() time.Time
	// TrustedProxies are the reverse proxies and load balancers whose
	// X-Forwarded-For is believed (clientaddr.go); none by default, and
	// then the client address is the TCP peer's.
	TrustedProxies []netip.Prefix
}

// API serves the identity HTTP API.
type API struct {
	st       *store.Store
	log      hclog.Logger
	hasher   *passwords.Hasher
	keys     *tokens.Keyring
	throttle LoginThrottle
	// throttleBase is the configured login throttle; the settings override
	// its per-account threshold and its window.
	throttleBase ThrottleConfig
	defaults     store.Settings // the settings until an administrator changes them
	// registrations counts self-registration attempts per client address.
	registrations LoginThrottle
	dummyHash     string
	mux           *http.ServeMux
	clock         func() time.Time
	// trustedProxies are Config.TrustedProxies, checked (clientAddr).
	trustedProxies []netip.Prefix
}

// New builds the API and its routes.
func New(cfg Config) (*API, error) {
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Keys == nil {
		return nil, errors.New("no signing keys")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	trusted, err := checkTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	// Unknown users are checked against this hash so a miss costs as much as a wrong password.
	dummy, err := passwords.Hash("not-a-real-password", cfg.Passwords)
	if err != nil {
		return nil, err
	}
	if cfg.LoginThrottle == nil {
		cfg.LoginThrottle = NewMemoryThrottle(cfg.Throttle)
	}
	if cfg.RegisterThrottle == nil {
		cfg.RegisterThrottle = NewMemoryThrottle(registerThrottleConfig)
	}
	cfg.Hashing.Params = cfg.Passwords
	a := &API{st: cfg.Store, log: cfg.Logger, hasher: passwords.NewHasher(cfg.Hashing), keys: cfg.Keys,
		throttle: cfg.LoginThrottle, throttleBase: cfg.Throttle, defaults: defaultSettings(cfg),
		registrations: cfg.RegisterThrottle, dummyHash: dummy, mux: http.NewServeMux(), clock: cfg.Now,
		trustedProxies: trusted}
	a.routes()
	return a, nil
}

// now is the time by which sessions and third-party tokens are issued and
// expire (Config.Now).
func (a *API) now() time.Time { return a.clock() }

// Handler returns the HTTP handler with logging and panic recovery.
func (a *API) Handler() http.Handler { return a.logRequests(a) }

// routes names, for each endpoint, the audit action and object type it
// records and the status of a success; the pipeline (pipeline.go) does the rest.
func (a *API) routes() {
	m := a.mux
	m.HandleFunc("GET /healthz", a.healthz)
	m.HandleFunc("POST /api/v1/login", a.public(op{"session.login", "user", http.StatusOK}, a.login))
	m.HandleFunc("POST /api/v1/logout", a.write(op{"session.logout", "user", http.StatusNoContent}, a.logout))
	m.HandleFunc("GET /api/v1/me", a.read(op{}, a.me))
	m.HandleFunc("POST /api/v1/register", a.public(op{"user.register", "user", http.StatusCreated}, a.register))

	m.HandleFunc("GET /api/v1/settings", a.read(op{"settings.read", "settings", http.StatusOK}, a.getSettings))
	m.HandleFunc("PATCH /api/v1/settings", a.write(op{"settings.update", "settings", http.StatusOK}, a.patchSettings))
	m.HandleFunc("DELETE /api/v1/settings", a.write(op{"settings.reset", "settings", http.StatusOK}, a.resetSettings))

	m.HandleFunc("GET /api/v1/users", a.read(op{"user.list", "user", http.StatusOK}, a.listUsers))
	m.HandleFunc("POST /api/v1/users", a.write(op{"user.create", "user", http.StatusCreated}, a.createUser))
	m.HandleFunc("GET /api/v1/users/{id}", a.read(op{"user.read", "user", http.StatusOK}, a.getUser))
	m.HandleFunc("PATCH /api/v1/users/{id}", a.write(op{"user.update", "user", http.StatusOK}, a.patchUser))
	m.HandleFunc("DELETE /api/v1/users/{id}", a.write(op{"user.delete", "user", http.StatusNoContent}, a.deleteUser))
	m.HandleFunc("PUT /api/v1/users/{id}/password", a.write(op{"user.password", "user", http.StatusNoContent}, a.setPassword))
	m.HandleFunc("GET /api/v1/users/{id}/effective-permissions", a.read(op{"user.effective_permissions", "user", http.StatusOK}, a.effectivePermissions))
	m.HandleFunc("GET /api/v1/users/{id}/groups", a.read(op{"user.groups", "user", http.StatusOK}, a.userGroups))
	m.HandleFunc("GET /api/v1/access", a.read(op{"access.check", "access", http.StatusOK}, a.checkAccess))

	m.HandleFunc("GET /api/v1/roles", a.read(op{"role.list", "role", http.StatusOK}, a.listRoles))
	m.HandleFunc("POST /api/v1/roles", a.write(op{"role.create", "role", http.StatusCreated}, a.createRole))
	m.HandleFunc("GET /api/v1/roles/{name}", a.read(op{"role.read", "role", http.StatusOK}, a.getRole))
	m.HandleFunc("PATCH /api/v1/roles/{name}", a.write(op{"role.update", "role", http.StatusOK}, a.patchRole))
	m.HandleFunc("DELETE /api/v1/roles/{name}", a.write(op{"role.delete", "role", http.StatusNoContent}, a.deleteRole))

	m.HandleFunc("GET /api/v1/groups", a.read(op{"group.list", "group", http.StatusOK}, a.listGroups))
	m.HandleFunc("POST /api/v1/groups", a.write(op{"group.create", "group", http.StatusCreated}, a.createGroup))
	m.HandleFunc("GET /api/v1/groups/{id}", a.read(op{"group.read", "group", http.StatusOK}, a.getGroup))
	m.HandleFunc("PATCH /api/v1/groups/{id}", a.write(op{"group.update", "group", http.StatusOK}, a.patchGroup))
	m.HandleFunc("DELETE /api/v1/groups/{id}", a.write(op{"group.delete", "group", http.StatusNoContent}, a.deleteGroup))
	m.HandleFunc("GET /api/v1/groups/{id}/members", a.read(op{"group.members.list", "group", http.StatusOK}, a.listMembers))
	m.HandleFunc("PUT /api/v1/groups/{id}/members", a.write(op{"group.members.replace", "group", http.StatusOK}, a.replaceMembers))
	m.HandleFunc("PUT /api/v1/groups/{id}/members/{user_id}", a.write(op{"group.members.add", "group", http.StatusOK}, a.addMember))
	m.HandleFunc("DELETE /api/v1/groups/{id}/members/{user_id}", a.write(op{"group.members.remove", "group", http.StatusNoContent}, a.removeMember))

	m.HandleFunc("GET /api/v1/permissions", a.read(op{"permission.list", "permission", http.StatusOK}, a.listPermissions))
	m.HandleFunc("POST /api/v1/permissions", a.write(op{"permission.create", "permission", http.StatusCreated}, a.createPermission))
	m.HandleFunc("GET /api/v1/permissions/{id}", a.read(op{"permission.read", "permission", http.StatusOK}, a.getPermission))
	m.HandleFunc("DELETE /api/v1/permissions/{id}", a.write(op{"permission.delete", "permission", http.StatusNoContent}, a.deletePermission))

	m.HandleFunc("GET /api/v1/tokens", a.read(op{"token.list", "token", http.StatusOK}, a.listTokens))
	m.HandleFunc("POST /api/v1/tokens", a.write(op{"token.create", "token", http.StatusCreated}, a.createToken))
	m.HandleFunc("GET /api/v1/tokens/{id}", a.read(op{"token.read", "token", http.StatusOK}, a.getToken))
	m.HandleFunc("DELETE /api/v1/tokens/{id}", a.write(op{"token.delete", "token", http.StatusNoContent}, a.deleteToken))

	m.HandleFunc("GET /api/v1/identities", a.read(op{"identities.export", "identities", http.StatusOK}, a.getIdentities))
	m.HandleFunc("PUT /api/v1/identities", a.write(op{"identities.apply", "identities", http.StatusOK}, a.putIdentities))

	m.HandleFunc("GET /api/v1/audit", a.read(op{"audit.list", "audit", http.StatusOK}, a.listAudit))
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

// mapAll converts a page of stored objects to their responses.
func mapAll[S, T any](in []S, out func(S) T) []T {
	res := make([]T, len(in))
	for i, v := range in {
		res[i] = out(v)
	}
	return res
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
			if a.log.IsInfo() {
				a.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
					"duration", time.Since(start).String())
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// healthTimeout bounds how long /healthz waits for the database.
const healthTimeout = 2 * time.Second

// healthz says whether the server can serve: 200 {"status":"ok"} when the
// database answers, else 503 {"status":"unavailable"} with Retry-After, so a
// load balancer takes a replica that lost its database out of rotation.
func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if err := a.st.Ping(ctx); err != nil {
		a.log.Warn("health check: the database does not answer", "error", err)
		w.Header().Set("Retry-After", strconv.Itoa(dbRetryAfter))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "not answering"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
