package client

import (
	"context"
	"fmt"
	"strings"
)

// Logger receives the client's logs. Fields never carry tokens, passwords or
// request and response bodies.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

const redacted = "[REDACTED]"

func (c *Client) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Debug(ctx, msg, c.scrub(fields))
	}
}

func (c *Client) warn(ctx context.Context, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Warn(ctx, msg, c.scrub(fields))
	}
}

// secrets returns the credentials currently held, for scrubbing.
func (c *Client) secrets() []string {
	token, _ := c.session()
	return []string{token, c.password}
}

// scrub is a last line of defence: no field is expected to carry a secret,
// but a value that contains one, or a key named like one, is redacted.
func (c *Client) scrub(fields map[string]any) map[string]any {
	return scrubFields(fields, c.secrets())
}

func scrubFields(fields map[string]any, secrets []string) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if sensitiveKey(k) {
			out[k] = redacted
			continue
		}
		s := fmt.Sprint(v)
		leaked := false
		for _, secret := range secrets {
			if len(secret) >= 4 && strings.Contains(s, secret) {
				leaked = true
				break
			}
		}
		if leaked {
			out[k] = redacted
		} else {
			out[k] = v
		}
	}
	return out
}

func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"token", "password", "secret", "authorization", "api-key", "api_key", "body"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
