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

// leveledLogger adapts Logger to retryablehttp.LeveledLogger, binding the
// request's context so logs stay attached to the caller's operation.
type leveledLogger struct {
	ctx     context.Context
	logger  Logger
	secrets func() []string
}

func (l *leveledLogger) fields(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return scrubFields(m, l.secrets())
}

// Error is reported as a warning: retryablehttp logs each failed attempt
// there, and the final error reaches the caller anyway.
func (l *leveledLogger) Error(msg string, kv ...any) { l.logger.Warn(l.ctx, msg, l.fields(kv)) }
func (l *leveledLogger) Warn(msg string, kv ...any)  { l.logger.Warn(l.ctx, msg, l.fields(kv)) }
func (l *leveledLogger) Info(msg string, kv ...any)  { l.logger.Debug(l.ctx, msg, l.fields(kv)) }

// Debug drops retryablehttp's per-request line (the client logs each call
// once, with its outcome) and raises retries to warnings: they mean the
// server is struggling.
func (l *leveledLogger) Debug(msg string, kv ...any) {
	switch msg {
	case "performing request":
	case "retrying request":
		f := l.fields(kv)
		if wait, ok := f["timeout"]; ok {
			delete(f, "timeout")
			f["wait"] = wait
		}
		l.logger.Warn(l.ctx, "identity API request will be retried", f)
	default:
		l.logger.Debug(l.ctx, msg, l.fields(kv))
	}
}
