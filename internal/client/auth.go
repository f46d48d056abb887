package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      *User     `json:"user"`
}

// Login logs in with the configured Username and Password and keeps the
// session token for later requests. Requests log in by themselves when
// needed, so calling Login is only a way to check credentials early.
func (c *Client) Login(ctx context.Context) error {
	if !c.ownsCreds {
		return errors.New("identity client: username and password are required to log in")
	}
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	return c.loginLocked(ctx)
}

// Logout ends the current session (POST /api/v1/logout) and forgets it. A
// client with Username and Password logs in again on its next request.
func (c *Client) Logout(ctx context.Context) error {
	token, _ := c.session()
	if token == "" {
		return nil
	}
	const path = apiPrefix + "/logout"
	if err := c.exchange(ctx, http.MethodPost, path, nil, nil, token, nil); err != nil {
		return err
	}
	c.mu.Lock()
	if c.token == token {
		c.token, c.expiresAt = "", time.Time{}
	}
	c.mu.Unlock()
	return nil
}

func (c *Client) session() (string, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token, c.expiresAt
}

// loginLocked performs POST /api/v1/login; loginMu must be held.
func (c *Client) loginLocked(ctx context.Context) error {
	const path = apiPrefix + "/login"
	body, err := json.Marshal(loginRequest{Username: c.username, Password: c.password})
	if err != nil {
		return fmt.Errorf("log in as %q: %w", c.username, err)
	}
	var out loginResponse
	if err := c.exchange(ctx, http.MethodPost, path, nil, body, "", &out); err != nil {
		if locked := (*LoginLockedError)(nil); errors.As(err, &locked) {
			return err // already names the user and what to do
		}
		return fmt.Errorf("log in as %q: %w", c.username, err)
	}
	if out.Token == "" {
		return fmt.Errorf("log in as %q: the server returned no token", c.username)
	}
	c.mu.Lock()
	c.token, c.expiresAt = out.Token, out.ExpiresAt
	c.mu.Unlock()
	c.debug(ctx, "identity session started", map[string]any{"username": c.username, "expires_at": out.ExpiresAt})
	return nil
}

// needsLogin reports whether a session must be (re)established first.
func (c *Client) needsLogin(token string, expiresAt time.Time) bool {
	if !c.ownsCreds {
		return false
	}
	return token == "" || (!expiresAt.IsZero() && time.Until(expiresAt) < loginRefreshMargin)
}

// sessionToken returns the token to send, logging in first when the client
// owns credentials and has no live session.
func (c *Client) sessionToken(ctx context.Context) (string, error) {
	token, exp := c.session()
	if !c.needsLogin(token, exp) {
		return token, nil
	}
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	// Another request may have logged in while this one waited.
	if token, exp = c.session(); !c.needsLogin(token, exp) {
		return token, nil
	}
	if err := c.loginLocked(ctx); err != nil {
		return "", err
	}
	token, _ = c.session()
	return token, nil
}

// relogin replaces a session the server refused. When another request has
// already replaced stale, that new session is used instead.
func (c *Client) relogin(ctx context.Context, stale string) error {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if token, _ := c.session(); token != stale && token != "" {
		return nil
	}
	c.debug(ctx, "identity session refused, logging in again", map[string]any{"username": c.username})
	return c.loginLocked(ctx)
}
