package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// User is an identity server user.
type User struct {
	ID           string            `json:"id"`
	Username     string            `json:"username"`
	Email        string            `json:"email"`
	FirstName    string            `json:"first_name"`
	LastName     string            `json:"last_name"`
	Organization string            `json:"organization"`
	Role         string            `json:"role"`
	Disabled     bool              `json:"disabled"`
	Attributes   map[string]string `json:"attributes"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	Version      int64             `json:"version"`
	// LastLoginAt is the user's last successful login; nil when never.
	LastLoginAt *time.Time `json:"last_login_at"`
	// GroupIDs are the ids of the user's groups, sorted; only from ListUsers
	// with UserFilter.IncludeGroupIDs (nil otherwise).
	GroupIDs []string `json:"group_ids"`
}

// UserCreate is the body of POST /api/v1/users. Empty optional fields are not
// sent, so the server applies its defaults (role guest, no password).
type UserCreate struct {
	Username     string            `json:"username"`
	Email        string            `json:"email"`
	FirstName    string            `json:"first_name,omitempty"`
	LastName     string            `json:"last_name,omitempty"`
	Organization string            `json:"organization,omitempty"`
	Role         string            `json:"role,omitempty"`
	Disabled     bool              `json:"disabled,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Password     string            `json:"password,omitempty"`
}

// UserUpdate is the body of PATCH /api/v1/users/{id}; nil fields are left
// unchanged. Attributes replaces the whole map; an empty map clears it.
type UserUpdate struct {
	Email        *string            `json:"email,omitempty"`
	FirstName    *string            `json:"first_name,omitempty"`
	LastName     *string            `json:"last_name,omitempty"`
	Organization *string            `json:"organization,omitempty"`
	Role         *string            `json:"role,omitempty"`
	Disabled     *bool              `json:"disabled,omitempty"`
	Attributes   *map[string]string `json:"attributes,omitempty"`
}

// UserFilter narrows ListUsers; empty fields do not filter.
type UserFilter struct {
	Email        string
	Username     string
	EmailSuffix  string
	Role         string
	Organization string
	// NoOrganization selects the users without an organization; it is
	// ignored when Organization is set.
	NoOrganization bool
	GroupID        string
	FirstName      string // case-insensitive
	LastName       string // case-insensitive
	// InactiveSince keeps the users with no login since then, or none ever.
	InactiveSince time.Time
	// IncludeGroupIDs asks for each user's group ids (User.GroupIDs) in the
	// same requests.
	IncludeGroupIDs bool
}

func (f UserFilter) query() url.Values {
	since := ""
	if !f.InactiveSince.IsZero() {
		since = f.InactiveSince.UTC().Format(time.RFC3339Nano)
	}
	q := filterQuery(
		"email", f.Email, "username", f.Username, "email_suffix", f.EmailSuffix,
		"role", f.Role, "organization", f.Organization, "group_id", f.GroupID,
		"first_name", f.FirstName, "last_name", f.LastName, "inactive_since", since,
	)
	if f.IncludeGroupIDs {
		q.Set("include", "group_ids")
	}
	if f.NoOrganization && f.Organization == "" {
		q.Set("organization", "")
	}
	return q
}

type passwordChange struct {
	NewPassword     string `json:"new_password"`
	CurrentPassword string `json:"current_password,omitempty"`
}

// CreateUser creates a user.
func (c *Client) CreateUser(ctx context.Context, u UserCreate) (*User, error) {
	var out User
	if err := c.do(ctx, http.MethodPost, "/users", nil, u, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetUser reads a user by id.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	var out User
	if err := c.do(ctx, http.MethodGet, pathf("users", url.PathEscape(id)), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListUsers returns every user matching f, in creation order.
func (c *Client) ListUsers(ctx context.Context, f UserFilter) ([]User, error) {
	return list[User](ctx, c, "/users", f.query())
}

// GetUserByEmail finds the user with this email (case-insensitive); an error
// matching ErrNotFound when there is none.
func (c *Client) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	return c.findUser(ctx, "email", email)
}

// GetUserByUsername finds the user with this username (case-insensitive); an
// error matching ErrNotFound when there is none.
func (c *Client) GetUserByUsername(ctx context.Context, username string) (*User, error) {
	return c.findUser(ctx, "username", username)
}

func (c *Client) findUser(ctx context.Context, field, value string) (*User, error) {
	const path = "/users"
	if value == "" {
		return nil, notFound(apiPrefix+path, "no user with an empty "+field)
	}
	// Both fields are unique, so one small page answers.
	q := url.Values{field: {value}, "limit": {"2"}}
	var p page[User]
	if err := c.do(ctx, http.MethodGet, path, q, nil, &p); err != nil {
		return nil, err
	}
	if len(p.Items) == 0 {
		return nil, notFound(apiPrefix+path, "no user with "+field+" "+quote(value))
	}
	return &p.Items[0], nil
}

// UpdateUser changes the non-nil fields of u.
func (c *Client) UpdateUser(ctx context.Context, id string, u UserUpdate) (*User, error) {
	if u.Attributes != nil && *u.Attributes == nil {
		// A nil map would be sent as null; the intent is "no attributes".
		empty := map[string]string{}
		u.Attributes = &empty
	}
	var out User
	if err := c.do(ctx, http.MethodPatch, pathf("users", url.PathEscape(id)), nil, u, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteUser deletes a user.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathf("users", url.PathEscape(id)), nil, nil, nil)
}

// SetUserPassword sets a user's password. currentPassword is needed only when
// callers change their own password; pass "" otherwise.
func (c *Client) SetUserPassword(ctx context.Context, id, newPassword, currentPassword string) error {
	body := passwordChange{NewPassword: newPassword, CurrentPassword: currentPassword}
	if currentPassword != "" {
		// Once applied, currentPassword is no longer current: a repeat would
		// be refused and hide the success.
		ctx = context.WithValue(ctx, notIdempotentKey{}, true)
	}
	return c.do(ctx, http.MethodPut, pathf("users", url.PathEscape(id), "password"), nil, body, nil)
}
