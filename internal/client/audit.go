package client

import (
	"context"
	"net/url"
	"time"
)

// AuditEvent records one change attempt: who, what, on which object, when
// and with what outcome (success, denied or failed).
type AuditEvent struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	ActorID    string    `json:"actor_id"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Outcome    string    `json:"outcome"`
	Status     int       `json:"status"`
	Detail     string    `json:"detail"`
}

// AuditFilter narrows ListAudit; empty fields do not filter.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	Actor      string
	Action     string
}

func (f AuditFilter) query() url.Values {
	return filterQuery("object_type", f.ObjectType, "object_id", f.ObjectID, "actor", f.Actor, "action", f.Action)
}

// ListAudit returns every audit event matching f, oldest first.
func (c *Client) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	return list[AuditEvent](ctx, c, "/audit", f.query())
}
