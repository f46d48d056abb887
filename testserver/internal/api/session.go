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
	Token     string       `json:"token"`
	ExpiresAt string       `json:"expires_at"`
	User      userResponse `json:"user"`
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

func (a *API) login(w http.ResponseWriter, r *http.Request, c *call) error {
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
	// From here on the attempt has an actor, so it is audited.
	c.ev.Actor, c.ev.ActorID, c.ev.ObjectID = u.Username, u.ID, u.ID
	if !ok {
		a.throttle.fail(key, now)
		return unauthorized(badLogin)
	}
	if u.Disabled {
		return unauthorized("the account is disabled")
	}
	a.throttle.succeed(key)
	var resp loginResponse
	err = c.change(ctx, func(tx *sql.Tx) error {
		// The account as it is now: disabled or deleted during the check, it gets no session.
		u, err := store.GetUser(ctx, tx, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return unauthorized(badLogin)
		} else if err != nil {
			return err
		}
		if u.Disabled {
			return unauthorized("the account is disabled")
		}
		tok, exp, err := a.newSession(ctx, tx, u.ID)
		resp = loginResponse{Token: tok, ExpiresAt: store.FormatTime(exp), User: userOut(u)}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	c.ev.ObjectType, c.ev.ObjectID = string(c.caller.Kind), c.caller.ID
	if err := c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.Logout(c.caller); err != nil {
			return err
		}
		return store.DeleteSession(ctx, tx, c.cred.sessionHash)
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	Kind  string         `json:"kind"`
	Role  string         `json:"role"`
	Level int            `json:"level"`
	User  *userResponse  `json:"user,omitempty"`
	Token *tokenResponse `json:"token,omitempty"`
}

func (a *API) me(w http.ResponseWriter, _ *http.Request, c *call) error {
	me := meResponse{Kind: string(c.caller.Kind), Role: c.caller.Role, Level: c.caller.Level}
	if c.user != nil {
		u := userOut(*c.user)
		me.User = &u
	}
	if c.token != nil {
		t := tokenOut(*c.token)
		me.Token = &t
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}
