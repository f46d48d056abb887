package api

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"math"
	"net/http"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

type createUserRequest struct {
	Username     string            `json:"username"`
	Email        string            `json:"email"`
	FirstName    string            `json:"first_name"`
	LastName     string            `json:"last_name"`
	Organization string            `json:"organization"`
	Role         string            `json:"role"`
	Disabled     bool              `json:"disabled"`
	Attributes   map[string]string `json:"attributes"`
	Password     *string           `json:"password"`
}

// userResponse is a user on the wire. It is filled field by field from the
// stored user, so nothing stored (a password hash, a future secret) reaches a
// client unless it is listed here.
type userResponse struct {
	ID           string            `json:"id"`
	Username     string            `json:"username"`
	Email        string            `json:"email"`
	FirstName    string            `json:"first_name"`
	LastName     string            `json:"last_name"`
	Organization string            `json:"organization"`
	Role         string            `json:"role"`
	Disabled     bool              `json:"disabled"`
	Attributes   map[string]string `json:"attributes"`
	CreatedAt    string            `json:"created_at"`
	UpdatedAt    string            `json:"updated_at"`
	Version      int64             `json:"version"`
	LastLoginAt  *string           `json:"last_login_at"`
	GroupIDs     []string          `json:"group_ids,omitzero"` // with include=group_ids only
}

func userOut(u store.User) userResponse {
	return userResponse{ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Organization: u.Organization, Role: u.Role, Disabled: u.Disabled, Attributes: u.Attributes,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Version: u.Version, LastLoginAt: u.LastLoginAt}
}

type patchUserRequest struct {
	Email        *string            `json:"email"`
	FirstName    *string            `json:"first_name"`
	LastName     *string            `json:"last_name"`
	Organization *string            `json:"organization"`
	Role         *string            `json:"role"`
	Disabled     *bool              `json:"disabled"`
	Attributes   *map[string]string `json:"attributes"`
}

type passwordRequest struct {
	NewPassword     string  `json:"new_password"`
	CurrentPassword *string `json:"current_password"`
}

func checkName(fields map[string]string, name, value string) {
	if msg := catalog.ValidateText(value, catalog.NameMaxLength, false); msg != "" {
		fields[name] = msg
	}
}

// newUserFields checks what every new account gives, whoever creates it,
// and returns the per-field messages.
func newUserFields(username, email, firstName, lastName string) map[string]string {
	fields := map[string]string{}
	if msg := catalog.ValidateUsername(username); msg != "" {
		fields["username"] = msg
	}
	if msg := catalog.ValidateEmail(email); msg != "" {
		fields["email"] = msg
	}
	checkName(fields, "first_name", firstName)
	checkName(fields, "last_name", lastName)
	return fields
}

func checkAttributes(fields map[string]string, attrs map[string]string) {
	for k, msg := range catalog.ValidateAttributes(attrs) {
		if k == "" {
			fields["attributes"] = msg
		} else {
			fields["attributes."+k] = msg
		}
	}
}

// mayRead refuses a caller who may not read the user with that id before
// the user is looked up, so such a caller learns nothing about it: the same
// refusal whether it exists or not, and nothing of its role or version.
func mayRead(c *call, id string) error {
	return authz.ReadUser(c.caller, authz.UserRef{ID: id})
}

// loadUser reads the user a change is about. A caller who may not read that
// user is first judged by the change's rule on a target it knows nothing of
// (the least privileged, holding no grant): refused, it gets the same answer
// whether the user exists or not; allowed (it may manage users at all, say
// through a grant), it goes on to the rule on the user as stored.
func loadUser(ctx context.Context, tx *sql.Tx, c *call, id string, rule func(authz.UserRef) error) (store.User, error) {
	if mayRead(c, id) != nil {
		if err := rule(authz.UserRef{ID: id, Role: authz.RoleRef{Level: math.MaxInt}}); err != nil {
			return store.User{}, err
		}
	}
	u, err := store.GetUser(ctx, tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, notFound("no user with id %q", id)
	}
	return u, err
}

func userRef(u store.User) authz.UserRef {
	return authz.UserRef{ID: u.ID, System: u.System, Role: authz.RoleRef{Name: u.Role, Level: u.Level}}
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := authz.Read(c.caller, "list users"); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.UserFilter{Email: q.Get("email"), Username: q.Get("username"), EmailSuffix: q.Get("email_suffix"),
		Role: q.Get("role"), GroupID: queryID(q, "group_id"),
		FirstName: q.Get("first_name"), LastName: q.Get("last_name")}
	if q.Has("organization") {
		// Present and empty asks for the users without an organization.
		org := q.Get("organization")
		f.Organization = &org
	}
	if err := activityFilter(q, &f); err != nil {
		return err
	}
	users, next, err := store.ListUsers(r.Context(), a.st.R, f, p)
	if err != nil {
		return err
	}
	out := mapAll(users, userOut)
	if err := a.includeGroupIDs(r, out); err != nil {
		return err
	}
	writeList(w, out, next)
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := parseID(r, "id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if err := mayRead(c, id); err != nil {
		return err
	}
	u, err := store.GetUser(a.st.KeyRead(r.Context()), a.st.R, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no user with id %q", id)
	} else if err != nil {
		return err
	}
	out := []userResponse{userOut(u)}
	if err := a.includeGroupIDs(r, out); err != nil {
		return err
	}
	writeObject(w, http.StatusOK, u.Version, out[0])
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	var req createUserRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := newUserFields(req.Username, req.Email, req.FirstName, req.LastName)
	checkName(fields, "organization", req.Organization)
	if req.Role == "" {
		req.Role = catalog.DefaultRole
	}
	checkAttributes(fields, req.Attributes)
	if req.Password != nil {
		if err := a.checkPassword(ctx, fields, "password", *req.Password); err != nil {
			return err
		}
	}
	if p := invalid(fields); p != nil {
		return p
	}
	// The costly hash comes first, outside the write transaction; whether
	// the caller may create this user is decided once, inside it.
	hash := ""
	if req.Password != nil {
		var err error
		if hash, err = a.hasher.Hash(ctx, *req.Password); err != nil {
			return err
		}
	}
	now := store.Now()
	u := store.User{ID: uuid.NewString(), Username: req.Username, Email: req.Email, FirstName: req.FirstName,
		LastName: req.LastName, Organization: req.Organization, Role: req.Role, Disabled: req.Disabled,
		Attributes: req.Attributes, PasswordHash: hash, CreatedAt: now, UpdatedAt: now, Version: 1}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	c.ev.ObjectID = u.ID
	c.ev.Detail = "username " + u.Username + ", role " + u.Role
	c.need = manageNeed(catalog.OpCreateUser)
	err := c.change(ctx, func(tx *sql.Tx) error {
		role, err := roleRef(ctx, tx, req.Role)
		var unknown *Problem
		if errors.As(err, &unknown) {
			// Only a caller who may create users learns whether the role
			// exists; the rule sees the weakest level, so others are refused.
			role = authz.RoleRef{Name: req.Role, Level: math.MaxInt}
		} else if err != nil {
			return err
		} else if err := c.loadRoleHeld(ctx, tx, &role); err != nil {
			return err
		}
		if err := authz.CreateUser(c.caller, role); err != nil {
			return err
		}
		if unknown != nil {
			return unknown
		}
		u.Level = role.Level
		return store.InsertUser(ctx, tx, &u)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	writeObject(w, http.StatusCreated, u.Version, userOut(u))
	return nil
}

func (a *API) patchUser(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	var req patchUserRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	if req.Email != nil {
		if msg := catalog.ValidateEmail(*req.Email); msg != "" {
			fields["email"] = msg
		}
	}
	for name, v := range map[string]*string{"first_name": req.FirstName, "last_name": req.LastName, "organization": req.Organization} {
		if v != nil {
			checkName(fields, name, *v)
		}
	}
	if req.Role != nil && *req.Role == "" {
		fields["role"] = "must not be empty"
	}
	if req.Attributes != nil {
		checkAttributes(fields, *req.Attributes)
	}
	if p := invalid(fields); p != nil {
		return p
	}
	var u store.User
	c.need = manageNeed(catalog.OpModifyUser)
	err = c.change(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = loadUser(ctx, tx, c, id, func(t authz.UserRef) error {
			return authz.UpdateUser(c.caller, t, authz.UserChange{Profile: true})
		})
		if err != nil {
			return err
		}
		before := u
		target := userRef(u)
		var ch authz.UserChange
		if req.Role != nil && *req.Role != u.Role {
			role, err := roleRef(ctx, tx, *req.Role)
			if err != nil {
				return err
			}
			if err := c.loadRoleHeld(ctx, tx, &role); err != nil {
				return err
			}
			ch.Role = &role
		}
		if req.Disabled != nil && *req.Disabled != u.Disabled {
			ch.Disabled = req.Disabled
		}
		if ch.Role != nil || ch.Disabled != nil {
			if err := c.loadTargetHeld(ctx, tx, &target); err != nil {
				return err
			}
		}
		ch.Email = req.Email != nil && *req.Email != u.Email
		ch.Profile = req.Email != nil || req.FirstName != nil || req.LastName != nil || req.Organization != nil || req.Attributes != nil
		if err := authz.UpdateUser(c.caller, target, ch); err != nil {
			return err
		}
		if err := checkIfMatch(r, u.Version); err != nil {
			return err
		}
		if req.Email != nil {
			u.Email = *req.Email
		}
		if req.FirstName != nil {
			u.FirstName = *req.FirstName
		}
		if req.LastName != nil {
			u.LastName = *req.LastName
		}
		if req.Organization != nil {
			u.Organization = *req.Organization
		}
		if req.Attributes != nil {
			u.Attributes = *req.Attributes
			if u.Attributes == nil {
				u.Attributes = map[string]string{}
			}
		}
		if ch.Role != nil {
			u.Role, u.Level = ch.Role.Name, ch.Role.Level
			c.ev.Detail = "role " + u.Role
		}
		if ch.Disabled != nil {
			u.Disabled = *ch.Disabled
			if u.Disabled {
				// Disabled users lose their sessions at once.
				if err := store.DeleteUserSessions(ctx, tx, u.ID, ""); err != nil {
					return err
				}
			}
		}
		if sameUserProfile(before, u) {
			// Nothing changes: the version and updated_at stay, so a
			// repeated PATCH does not invalidate other writers' If-Match.
			return nil
		}
		return store.UpdateUser(ctx, tx, &u)
	})
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, u.Version, userOut(u))
	return nil
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	err = c.change(ctx, func(tx *sql.Tx) error {
		u, err := loadUser(ctx, tx, c, id, func(t authz.UserRef) error { return authz.DeleteUser(c.caller, t) })
		if err != nil {
			return err
		}
		if err := authz.DeleteUser(c.caller, userRef(u)); err != nil {
			return err
		}
		if err := checkIfMatch(r, u.Version); err != nil {
			return err
		}
		c.ev.Detail = "username " + u.Username
		return store.DeleteUser(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) setPassword(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	var req passwordRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	if err := a.checkPassword(ctx, fields, "new_password", req.NewPassword); err != nil {
		return err
	}
	if p := invalid(fields); p != nil {
		return p
	}
	// The costly work comes first, outside the write transaction: hashing
	// the new password, and for one's own password verifying the current one
	// against the stored hash, which the transaction then finds unchanged.
	self := c.caller.IsUser(id)
	verified := ""
	if self && req.CurrentPassword != nil {
		u, err := store.GetUser(ctx, a.st.R, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		ok, err := a.hasher.Verify(ctx, *req.CurrentPassword, u.PasswordHash)
		if err != nil && !errors.Is(err, passwords.ErrMalformedHash) {
			return err
		}
		if ok {
			verified = u.PasswordHash
		}
	}
	hash, err := a.hasher.Hash(ctx, req.NewPassword)
	if err != nil {
		return err
	}
	if !self {
		c.need = manageNeed(catalog.OpModifyUser)
	}
	err = c.change(ctx, func(tx *sql.Tx) error {
		u, err := loadUser(ctx, tx, c, id, func(t authz.UserRef) error { return authz.SetPassword(c.caller, t, self) })
		if err != nil {
			return err
		}
		target := userRef(u)
		if !self {
			if err := c.loadTargetHeld(ctx, tx, &target); err != nil {
				return err
			}
		}
		if err := authz.SetPassword(c.caller, target, self); err != nil {
			return err
		}
		if err := checkIfMatch(r, u.Version); err != nil {
			return err
		}
		if self && req.CurrentPassword == nil {
			return invalid(map[string]string{"current_password": "is required to change your own password"})
		}
		if self && (verified == "" || verified != u.PasswordHash) {
			return invalid(map[string]string{"current_password": "does not match the current password"})
		}
		u.PasswordHash = hash
		if err := store.UpdateUser(ctx, tx, &u); err != nil {
			return err
		}
		// A new password ends the user's other sessions.
		return store.DeleteUserSessions(ctx, tx, u.ID, c.cred.sessionHash)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sameUserProfile reports whether a PATCH left every mutable field as it was.
func sameUserProfile(a, b store.User) bool {
	return a.Email == b.Email && a.FirstName == b.FirstName && a.LastName == b.LastName &&
		a.Organization == b.Organization && a.Role == b.Role && a.Disabled == b.Disabled &&
		maps.Equal(a.Attributes, b.Attributes)
}
