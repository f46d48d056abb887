package client

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Token is a third-party token's metadata; the secret is never part of it.
type Token struct {
	ID          string     `json:"id"`
	Role        string     `json:"role"`
	Description string     `json:"description"`
	CreatedBy   string     `json:"created_by"`
	ExpiresAt   *time.Time `json:"expires_at"`
	CreatedAt   time.Time  `json:"created_at"`
	Version     int64      `json:"version"`
	// LastUsedAt is when the token was last used, at most a minute stale;
	// nil when never.
	LastUsedAt *time.Time `json:"last_used_at"`
}

// TokenCreate is the body of POST /api/v1/tokens; a nil ExpiresAt makes a
// token that does not expire.
type TokenCreate struct {
	Role        string     `json:"role"`
	Description string     `json:"description,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
}

// CreatedToken is a newly minted token with its secret (a JWT), which the
// server shows only this once.
type CreatedToken struct {
	Token
	Secret string `json:"token"`
}

// CreateToken mints a third-party token.
func (c *Client) CreateToken(ctx context.Context, t TokenCreate) (*CreatedToken, error) {
	var out CreatedToken
	if err := c.do(ctx, http.MethodPost, "/tokens", nil, t, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetToken reads a token's metadata by id.
func (c *Client) GetToken(ctx context.Context, id string) (*Token, error) {
	var out Token
	if err := c.do(ctx, http.MethodGet, pathf("tokens", url.PathEscape(id)), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListTokens returns every token's metadata.
func (c *Client) ListTokens(ctx context.Context) ([]Token, error) {
	return list[Token](ctx, c, "/tokens", nil)
}

// DeleteToken revokes a token at once.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathf("tokens", url.PathEscape(id)), nil, nil, nil)
}

// TokenFilter narrows ListTokensMatching; zero fields do not filter, except
// that expired tokens are left out unless IncludeExpired is set. The server
// lists every token, so the filter is applied here.
type TokenFilter struct {
	Role           string    // only tokens acting as this role
	IncludeExpired bool      // also tokens whose expires_at has passed
	Now            time.Time // the time expiry is judged at; zero means now
}

// Match reports whether t passes every filter in f.
func (f TokenFilter) Match(t Token) bool {
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	return (f.Role == "" || t.Role == f.Role) &&
		(f.IncludeExpired || !t.Expired(now))
}

// Expired reports whether the token has stopped working at now.
func (t Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !t.ExpiresAt.After(now)
}

// ListTokensMatching returns the metadata of the tokens that match f, in
// creation order.
func (c *Client) ListTokensMatching(ctx context.Context, f TokenFilter) ([]Token, error) {
	tokens, err := c.ListTokens(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(tokens, func(x Token) bool { return !f.Match(x) }), nil
}
