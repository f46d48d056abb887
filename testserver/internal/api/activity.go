package api

import (
	"context"
	"database/sql"
	"net/url"
	"time"

	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// TokenUseInterval is how stale a token's last_used_at may be: a token's use
// is written at most this often, so the requests of a busy integration
// cost no write of their own.
const TokenUseInterval = time.Minute

// activityFilter reads the user list's name and activity filters into f.
func activityFilter(q url.Values, f *store.UserFilter) error {
	fields := map[string]string{}
	checkName(fields, "first_name", f.FirstName)
	checkName(fields, "last_name", f.LastName)
	if v := q.Get("inactive_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			fields["inactive_since"] = "must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z"
		} else {
			f.InactiveSince = store.ActivityTime(t)
		}
	}
	if p := invalid(fields); p != nil {
		return p
	}
	return nil
}

// noteTokenUse records the use of a third-party token, when its last
// recorded use is older than TokenUseInterval. A failure to record it is
// logged, never the request's failure.
func (a *API) noteTokenUse(ctx context.Context, t *store.Token) {
	now := time.Now()
	if t.LastUsedAt != nil {
		if last, err := time.Parse(time.RFC3339Nano, *t.LastUsedAt); err == nil && now.Sub(last) < TokenUseInterval {
			return
		}
	}
	ctx = context.WithoutCancel(ctx)
	err := a.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := store.NoteTokenUse(ctx, tx, t.ID, now, TokenUseInterval)
		return err
	})
	if err != nil {
		a.log.Warn("cannot record token use", "token_id", t.ID, "error", err.Error())
	}
}
