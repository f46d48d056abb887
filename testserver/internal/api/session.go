package api

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/internal/tokens"
)

const badLogin = "unknown username or wrong password"

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string     `json:"token"`
	ExpiresAt string     `json:"expires_at"`
	User      store.User `json:"user"`
}

// NewSession opens a session for a user inside tx and returns its token.
func (a *API) newSession(ctx context.Context, tx *sql.Tx, userID string) (string, time.Time, error) {
	tok, err := tokens.NewSessionToken()
	if err != nil {
		return "", time.Time{}, err
	}
	now := time.Now()
	exp := now.Add(a.ttl)
	if err := store.DeleteExpiredSessions(ctx, tx, now.UnixNano()); err != nil {
		return "", time.Time{}, err
	}
	if err := store.InsertSession(ctx, tx, tokens.HashSessionToken(tok), userID, exp.UnixNano()); err != nil {
		return "", time.Time{}, err
	}
	return tok, exp, nil
}

// NewSession opens a session for a user without a password, for the
// in-process starter that hands tests a ready token.
func (a *API) NewSession(ctx context.Context, userID string) (string, error) {
	var tok string
	err := a.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		tok, _, err = a.newSession(ctx, tx, userID)
		return err
	})
	return tok, err
}

func (a *API) login(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	var req loginRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	if req.Username == "" {
		fields["username"] = "is required"
	}
	if req.Password == "" {
		fields["password"] = "is required"
	}
	if p := invalid(fields); p != nil {
		return p
	}
	ctx := r.Context()
	key := strings.ToLower(req.Username)
	now := time.Now()
	if d := a.throttle.wait(key, now); d > 0 {
		return rateLimited(int(math.Ceil(d.Seconds())))
	}
	u, err := store.GetUserByUsername(ctx, a.st.R, req.Username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if errors.Is(err, store.ErrNotFound) || u.PasswordHash == "" {
		// Same work as a real check, so response time does not reveal unknown users.
		_, _ = passwords.Verify(req.Password, a.dummyHash)
		a.throttle.fail(key, now)
		return unauthorized(badLogin)
	}
	ok, err := passwords.Verify(req.Password, u.PasswordHash)
	if err != nil {
		return err
	}
	ev := &store.Event{Actor: u.Username, ActorID: u.ID, Action: "session.login", ObjectType: "user", ObjectID: u.ID}
	if !ok {
		a.throttle.fail(key, now)
		p := unauthorized(badLogin)
		a.recordFailure(ctx, ev, p)
		return p
	}
	if u.Disabled {
		p := unauthorized("the account is disabled")
		a.recordFailure(ctx, ev, p)
		return p
	}
	a.throttle.succeed(key)
	var resp loginResponse
	err = a.change(ctx, nil, ev, func(tx *sql.Tx) error {
		tok, exp, err := a.newSession(ctx, tx, u.ID)
		resp = loginResponse{Token: tok, ExpiresAt: store.FormatTime(exp), User: u}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	if err := authz.Logout(rc.caller); err != nil {
		return a.denyRead(ctx, rc, "session.logout", "token", rc.caller.ID, err)
	}
	ev := &store.Event{Action: "session.logout", ObjectType: "user", ObjectID: rc.caller.ID, Status: http.StatusNoContent}
	if err := a.change(ctx, rc, ev, func(tx *sql.Tx) error {
		return store.DeleteSession(ctx, tx, rc.sessionHash)
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	Kind  string       `json:"kind"`
	Role  string       `json:"role"`
	Level int          `json:"level"`
	User  *store.User  `json:"user,omitempty"`
	Token *store.Token `json:"token,omitempty"`
}

func (a *API) me(w http.ResponseWriter, _ *http.Request, rc *reqCtx) error {
	writeJSON(w, http.StatusOK, meResponse{Kind: string(rc.caller.Kind), Role: rc.caller.Role, Level: rc.caller.Level, User: rc.user, Token: rc.token})
	return nil
}
