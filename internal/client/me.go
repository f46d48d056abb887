package client

import (
	"context"
	"net/http"
)

// Me describes the caller: a user session (User set) or a third-party token
// (Token set), with the role and level it acts with.
type Me struct {
	Kind  string `json:"kind"`
	Role  string `json:"role"`
	Level int    `json:"level"`
	User  *User  `json:"user,omitempty"`
	Token *Token `json:"token,omitempty"`
}

// Caller kinds reported in Me.Kind.
const (
	KindUser  = "user"
	KindToken = "token"
)

// Me returns who the client is authenticated as.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var out Me
	if err := c.do(ctx, http.MethodGet, "/me", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
