package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Event is one audit record.
type Event struct {
	ID         int64  `json:"id"`
	At         string `json:"at"`
	Actor      string `json:"actor"`
	ActorID    string `json:"actor_id"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Outcome    string `json:"outcome"`
	Status     int    `json:"status"`
	Detail     string `json:"detail"`
	// Count is how many identical refusals the row stands for (1 for
	// everything else); LastAt is when the last of them came.
	Count  int64  `json:"count"`
	LastAt string `json:"last_at"`
}

// InsertEvent appends an audit record.
func InsertEvent(ctx context.Context, q Querier, e *Event) error {
	if e.At == "" {
		e.At = Now()
	}
	e.Count, e.LastAt = 1, e.At
	return q.QueryRowContext(ctx, `INSERT INTO audit(at, actor, actor_id, action, object_type, object_id, outcome, status, detail, count, last_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		e.At, e.Actor, e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.Status, e.Detail, e.Count, e.LastAt).Scan(&e.ID)
}

// RefusalWindow is how long after its first refusal an audit row takes in
// identical ones.
const RefusalWindow = time.Minute

// RecordRefusal records a refused request. A refusal identical to one the
// same actor had within RefusalWindow of that row's first (same action,
// object type, outcome and status) only counts on that row, so repeating a
// refused request cannot grow the audit log without bound; the row keeps the
// first refusal's object and detail, and its count and last_at say how many
// followed and when the last came.
func RecordRefusal(ctx context.Context, q Querier, e *Event) error {
	now := time.Now()
	var id int64
	var at string
	err := q.QueryRowContext(ctx, `SELECT id, at FROM audit WHERE actor_id = ? AND action = ? AND status = ? AND actor = ?
		AND object_type = ? AND outcome = ? ORDER BY id DESC LIMIT 1`,
		e.ActorID, e.Action, e.Status, e.Actor, e.ObjectType, e.Outcome).Scan(&id, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return InsertEvent(ctx, q, e)
	} else if err != nil {
		return err
	}
	if first, perr := time.Parse(time.RFC3339Nano, at); perr != nil || now.Sub(first) >= RefusalWindow {
		return InsertEvent(ctx, q, e)
	}
	e.ID, e.LastAt = id, FormatTime(now)
	_, err = q.ExecContext(ctx, `UPDATE audit SET count = count + 1, last_at = ? WHERE id = ?`, e.LastAt, id)
	return err
}

// EventFilter narrows ListEvents.
type EventFilter struct{ ObjectType, ObjectID, Actor, Action string }

// ListEvents returns one page of audit events, oldest first.
func ListEvents(ctx context.Context, q Querier, f EventFilter, p Page) ([]Event, string, error) {
	var w where
	if f.ObjectType != "" {
		w.add(`object_type = ?`, f.ObjectType)
	}
	if f.ObjectID != "" {
		w.add(`object_id = ?`, f.ObjectID)
	}
	if f.Actor != "" {
		w.add(`actor = ?`, f.Actor)
	}
	if f.Action != "" {
		w.add(`action = ?`, f.Action)
	}
	w.add(`id > ?`, p.After)
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor, actor_id, action, object_type, object_id, outcome, status, detail, count, last_at FROM audit`+
		w.sql()+` ORDER BY id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.Outcome, &e.Status, &e.Detail, &e.Count, &e.LastAt); err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		next = EncodeCursor(out[len(out)-1].ID)
	}
	return out, next, nil
}
