package api

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/internal/tokens"
)

// Every endpoint goes through one pipeline: authenticate, run the handler,
// answer, and audit. A handler declares nothing but what it does: the route
// names the audit action and object type, the handler fills in the object's
// id (and, for a success, a detail) on its call, makes its change through
// call.change and returns a problem or writes a result. The pipeline records
// a write's success inside the write's own transaction and every refusal of a
// write, and of a read the 403s, after the rollback; no handler writes to the
// audit log itself.

// op is what the pipeline knows about an endpoint.
type op struct {
	action string // the audit action, e.g. "user.create"; "" for an endpoint that is never audited
	object string // the audited object type, e.g. "user"
	status int    // the status of a success, recorded in its audit event (writes only)
}

// mode says how the pipeline treats an endpoint.
type mode int

const (
	readMode   mode = iota // needs a credential; changes nothing; a 403 is audited
	writeMode              // needs a credential; changes through call.change; every outcome is audited
	publicMode             // needs no credential (login); audited once the handler names the actor
)

// call is one request on its way through the pipeline.
type call struct {
	a       *API
	mode    mode
	cred    credential
	caller  authz.Caller
	user    *store.SessionUser // the calling user, for a session
	token   *store.Token       // the calling token, for a third-party token
	ev      store.Event        // this request's audit record
	quiet   bool               // the write changed nothing, so it is not audited
	changed bool               // call.change ran
	// need narrows the caller's grants that loadCaller loads into
	// caller.Held to those the endpoint's rules read; nil loads none.
	need *store.AccessFilter
}

type handler func(w http.ResponseWriter, r *http.Request, c *call) error

func (a *API) read(o op, h handler) http.HandlerFunc   { return a.serve(o, readMode, h) }
func (a *API) write(o op, h handler) http.HandlerFunc  { return a.serve(o, writeMode, h) }
func (a *API) public(o op, h handler) http.HandlerFunc { return a.serve(o, publicMode, h) }

func (a *API) serve(o op, m mode, h handler) http.HandlerFunc {
	if o.status == 0 {
		o.status = http.StatusOK
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{a: a, mode: m, ev: store.Event{Action: o.action, ObjectType: o.object, Status: o.status}}
		var err error
		if m != publicMode {
			err = a.authenticate(r, c)
		}
		if err == nil {
			err = h(w, r, c)
		}
		if err == nil {
			if m != readMode && !c.changed {
				a.log.Error("a write finished without making its change", "method", r.Method, "path", r.URL.Path)
			}
			return
		}
		p, known := toProblem(err)
		if !known {
			a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
		} else if c.audited(p) {
			a.recordFailure(r.Context(), &c.ev, p)
		}
		writeProblem(w, p)
	}
}

// audited reports whether a refusal goes to the audit log: every refusal of a
// write, and a read's 403, once the actor is known (an unknown credential or
// an unknown login name has none).
func (c *call) audited(p *Problem) bool {
	if c.ev.Action == "" || c.ev.Actor == "" {
		return false
	}
	return c.mode != readMode || p.Status == http.StatusForbidden
}

// change runs fn in one write transaction, which first loads the caller
// afresh: a session ended or expired, a user disabled, deleted or demoted, or
// a token revoked while the request was under way counts, and fn authorises
// with the caller's current role and level. The success is recorded in the
// audit log in the same transaction; on failure everything is rolled back and
// the pipeline records the refusal.
func (c *call) change(ctx context.Context, fn func(tx *sql.Tx) error) error {
	c.changed = true
	return c.a.st.Tx(ctx, func(tx *sql.Tx) error {
		if c.mode != publicMode {
			if err := c.a.loadCaller(ctx, tx, c); err != nil {
				return err
			}
		}
		if err := fn(tx); err != nil {
			return err
		}
		if c.quiet {
			return nil
		}
		c.ev.Outcome = "success"
		return store.InsertEvent(ctx, tx, &c.ev)
	})
}

// recordFailure writes a refused or failed attempt to the audit log,
// counting it on the row of an identical recent refusal (store.RecordRefusal).
func (a *API) recordFailure(ctx context.Context, ev *store.Event, p *Problem) {
	ev.Status = p.Status
	ev.Outcome = "failed"
	if p.Status == http.StatusForbidden {
		ev.Outcome = "denied"
	}
	ev.Detail = p.Detail
	if p.audit != "" {
		ev.Detail = p.audit
	}
	if len(ev.Detail) > 1000 {
		ev.Detail = ev.Detail[:1000]
	}
	ev.ID, ev.At = 0, ""
	// The attempt is recorded even when the client has already gone away.
	ctx = context.WithoutCancel(ctx)
	if err := a.st.Tx(ctx, func(tx *sql.Tx) error { return store.RecordRefusal(ctx, tx, ev) }); err != nil {
		a.log.Error("cannot write audit record", "action", ev.Action, "error", err.Error())
	}
}

const badCredential = //nolint:gosec // a message, not a credential
"the credential is missing, invalid, expired or revoked"

// credential is what a request authenticated with: the id of a third-party
// token whose JWT verified, or the hash of a session token.
type credential struct {
	tokenID     string
	sessionHash string
}

func presented(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// authenticate checks the presented credential and loads its caller, before
// the handler reads the body. A write loads the caller again inside its
// transaction (call.change); that second look is the one that decides.
func (a *API) authenticate(r *http.Request, c *call) error {
	tok := presented(r)
	if tok == "" || len(tok) > 4096 {
		return unauthorized(badCredential)
	}
	if tokens.LooksLikeJWT(tok) {
		claims, err := a.keys.Parse(tok, a.now())
		if err != nil {
			return unauthorized(badCredential)
		}
		c.cred = credential{tokenID: claims.ID}
	} else {
		c.cred = credential{sessionHash: tokens.HashSessionToken(tok)}
	}
	if err := a.loadCaller(r.Context(), a.st.R, c); err != nil {
		return err
	}
	if c.token != nil {
		a.noteTokenUse(r.Context(), c.token)
	}
	c.ev.Actor, c.ev.ActorID = c.caller.Name, c.caller.ID
	return nil
}

// loadCaller resolves the credential against the database, so revocation,
// disabling, deletion and role changes take effect at once.
func (a *API) loadCaller(ctx context.Context, q store.Querier, c *call) error {
	now := a.now()
	if c.cred.tokenID != "" {
		t, err := store.GetToken(a.st.KeyRead(ctx), q, c.cred.tokenID)
		if errors.Is(err, store.ErrNotFound) {
			return unauthorized(badCredential)
		} else if err != nil {
			return err
		}
		if t.ExpiresAt != nil {
			exp, err := time.Parse(time.RFC3339Nano, *t.ExpiresAt)
			if err != nil || !now.Before(exp) {
				return unauthorized(badCredential)
			}
		}
		c.token, c.user = &t, nil
		c.caller = authz.Caller{Kind: authz.KindToken, ID: t.ID, Name: "token:" + t.ID, Role: t.Role, Level: t.Level}
		return c.loadHeld(ctx, q, now)
	}
	u, exp, err := store.GetSessionUser(a.st.KeyRead(ctx), q, c.cred.sessionHash)
	if errors.Is(err, store.ErrNotFound) {
		return unauthorized(badCredential)
	} else if err != nil {
		return err
	}
	if now.UnixNano() >= exp || u.Disabled {
		return unauthorized(badCredential)
	}
	c.user, c.token = &u, nil
	c.caller = authz.Caller{Kind: authz.KindUser, ID: u.ID, Name: u.Username, Role: u.Role, Level: u.Level, System: u.System}
	return c.loadHeld(ctx, q, now)
}

// loadHeld fills caller.Held with what the caller holds through its grants,
// loading only the grants c.need names (a few indexed reads), from q: inside
// a write's transaction, the grants as they are when the change is made, so
// a grant revoked a moment earlier no longer counts. Level 0 holds every
// operation by its level and loads nothing.
func (c *call) loadHeld(ctx context.Context, q store.Querier, now time.Time) error {
	c.caller.Held = nil
	if c.need == nil || c.caller.Level == catalog.LevelSudo {
		return nil
	}
	var held *access.Set
	var err error
	if c.token != nil {
		held, err = store.TokenHeld(ctx, q, c.token.ID, now, *c.need)
	} else {
		held, err = store.UserHeld(ctx, q, c.user.ID, *c.need)
	}
	if errors.Is(err, store.ErrNotFound) {
		return unauthorized(badCredential)
	} else if err != nil {
		return err
	}
	c.caller.Held = held
	return nil
}

// needs widens the grants of the caller its rules read by f and reloads its
// holdings from q, for rules whose needs show only once the target is read
// (the grant being revoked, the grants of a user or a role).
func (c *call) needs(ctx context.Context, q store.Querier, f store.AccessFilter) error {
	if c.need != nil {
		f = c.need.Union(f)
	}
	c.need = &f
	return c.loadHeld(ctx, q, c.a.now())
}
