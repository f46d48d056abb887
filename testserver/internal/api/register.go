package api

import (
	"database/sql"
	"math"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

type registerRequest struct {
	Username  string `json:"username"`
	Email     string `json:"email"`
	Password  string `json:"password"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// Registrations per client address: every attempt counts, and past
// RegisterMaxAttempts within RegisterWindow the address waits.
const (
	RegisterMaxAttempts = 10
	RegisterWindow      = time.Hour
)

// registerThrottleConfig is the registration limit. Every registration
// attempt counts as a failure of one account name per client address, so
// the address limit is the one that applies.
var registerThrottleConfig = ThrottleConfig{MaxFailures: RegisterMaxAttempts, MaxAddressFailures: RegisterMaxAttempts, Window: RegisterWindow}

// register creates an account for someone without a credential, with the
// self-registration role, while self-registration is on.
func (a *API) register(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	attempt, wait := a.registrations.Reserve("register", a.clientAddr(r), time.Now())
	if attempt == nil {
		secs := int(math.Ceil(wait.Seconds()))
		p := newProblem(http.StatusTooManyRequests, "rate-limited", "Too many requests",
			"too many registrations from this address; retry after %d seconds", secs)
		p.retryAfter = secs
		return p
	}
	attempt.Fail(time.Now())
	var req registerRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	s, err := a.settings(ctx, a.st.R)
	if err != nil {
		return err
	}
	if !s.SelfRegistration {
		// Refused before the input is judged: while it is off, nothing
		// about accounts or the password policy is revealed.
		return authz.Register(false, authz.RoleRef{})
	}
	fields := newUserFields(req.Username, req.Email, req.FirstName, req.LastName)
	if req.Password == "" {
		fields["password"] = "is required"
	} else if msg := catalog.ValidatePasswordLength(req.Password, s.PasswordMinLength); msg != "" {
		fields["password"] = msg
	}
	if p := invalid(fields); p != nil {
		return p
	}
	hash, err := a.hasher.Hash(ctx, req.Password)
	if err != nil {
		return err
	}
	at := store.Now()
	u := store.User{ID: uuid.NewString(), Username: req.Username, Email: req.Email, FirstName: req.FirstName,
		LastName: req.LastName, Attributes: map[string]string{}, PasswordHash: hash, CreatedAt: at, UpdatedAt: at, Version: 1}
	err = c.change(ctx, func(tx *sql.Tx) error {
		// The settings as they are now: turned off meanwhile, no account.
		s, err := a.settings(ctx, tx)
		if err != nil {
			return err
		}
		// The settings hold on to their role (a foreign key), so it exists.
		role, err := store.GetRole(ctx, tx, s.SelfRegistrationRole)
		if err != nil {
			return err
		}
		if err := authz.Register(s.SelfRegistration, authz.RoleRef{Name: role.Name, Level: role.Level}); err != nil {
			return err
		}
		u.Role, u.Level = role.Name, role.Level
		// The new account is the actor of its own creation.
		c.ev.Actor, c.ev.ActorID, c.ev.ObjectID = u.Username, u.ID, u.ID
		c.ev.Detail = "username " + u.Username + ", role " + u.Role
		return store.InsertUser(ctx, tx, &u)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	writeObject(w, http.StatusCreated, u.Version, userOut(u))
	return nil
}
