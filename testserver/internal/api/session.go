package api

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/internal/tokens"
)

const badLogin = "unknown username or wrong password"

// loginRequest names the account by its username or its email, in
// username, or by its email in email; one of the two.
type loginRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
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
	now := a.now()
	s, err := a.settings(ctx, tx)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := now.Add(s.SessionTTL)
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
	switch {
	case req.Username == "" && req.Email == "":
		fields["username"] = "is required (a username or an email; or give email)"
	case req.Username != "" && req.Email != "":
		fields["email"] = "must not be given together with username"
	}
	if req.Password == "" {
		fields["password"] = "is required"
	}
	if p := invalid(fields); p != nil {
		return p
	}
	ctx := r.Context()
	u, account, err := a.loginAccount(ctx, req.Username, req.Email)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// The attempt is reserved before the password is checked, so a burst is
	// counted as it arrives, not as its checks finish.
	attempt, wait := a.throttle.Reserve(account, a.clientAddr(r), time.Now())
	if attempt == nil {
		return rateLimited(int(math.Ceil(wait.Seconds())))
	}
	err = a.verifyLogin(ctx, u, known, req.Password, c)
	switch {
	case errors.Is(err, passwords.ErrBusy) || ctx.Err() != nil:
		attempt.Cancel()
		return err
	case err != nil:
		attempt.Fail(time.Now())
		return err
	}
	now := time.Now()
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
			return disabledLogin()
		}
		if err := store.NoteLogin(ctx, tx, u.ID, now); err != nil {
			return err
		}
		at := store.ActivityTime(now)
		u.LastLoginAt = &at
		tok, exp, err := a.newSession(ctx, tx, u.ID)
		resp = loginResponse{Token: tok, ExpiresAt: store.FormatTime(exp), User: userOut(u)}
		return err
	})
	if err != nil {
		attempt.Fail(time.Now())
		return err
	}
	attempt.Succeed()
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// disabledLogin answers a right password for a disabled account like any
// failed login; only the audit log says why.
func disabledLogin() *Problem {
	p := unauthorized(badLogin)
	p.audit = "the account is disabled"
	return p
}

// verifyLogin returns nil when password is that of u, an enabled user
// (known says u was found), or a 401. Unknown users, users without a
// password and disabled users cost the same check as a wrong password, so
// neither the answer nor its time tells them apart.
func (a *API) verifyLogin(ctx context.Context, u store.User, known bool, password string, c *call) error {
	if !known || u.PasswordHash == "" {
		if _, err := a.hasher.Verify(ctx, password, a.dummyHash); err != nil {
			return err
		}
		return unauthorized(badLogin)
	}
	ok, err := a.hasher.Verify(ctx, password, u.PasswordHash)
	if err != nil {
		return err
	}
	// From here on the attempt has an actor, so it is audited.
	c.ev.Actor, c.ev.ActorID, c.ev.ObjectID = u.Username, u.ID, u.ID
	if !ok {
		return unauthorized(badLogin)
	}
	if u.Disabled {
		return disabledLogin()
	}
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

func (a *API) me(w http.ResponseWriter, r *http.Request, c *call) error {
	me := meResponse{Kind: string(c.caller.Kind), Role: c.caller.Role, Level: c.caller.Level}
	if c.user != nil {
		// Authentication read only what it needs of the user; the answer
		// shows the whole record.
		u, err := store.GetUser(r.Context(), a.st.R, c.user.ID)
		if errors.Is(err, store.ErrNotFound) {
			return unauthorized(badCredential)
		} else if err != nil {
			return err
		}
		out := userOut(u)
		me.User = &out
	}
	if c.token != nil {
		t := tokenOut(*c.token)
		me.Token = &t
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}
