package store

import "context"

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
}

// InsertEvent appends an audit record.
func InsertEvent(ctx context.Context, q Querier, e *Event) error {
	if e.At == "" {
		e.At = Now()
	}
	res, err := q.ExecContext(ctx, `INSERT INTO audit(at, actor, actor_id, action, object_type, object_id, outcome, status, detail) VALUES (?,?,?,?,?,?,?,?,?)`,
		e.At, e.Actor, e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.Status, e.Detail)
	if err != nil {
		return err
	}
	e.ID, err = res.LastInsertId()
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
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor, actor_id, action, object_type, object_id, outcome, status, detail FROM audit`+
		w.sql()+` ORDER BY id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.Outcome, &e.Status, &e.Detail); err != nil {
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
