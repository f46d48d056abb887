package api

import (
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

type createTokenRequest struct {
	Role        string  `json:"role"`
	Description string  `json:"description"`
	ExpiresAt   *string `json:"expires_at"`
}

// tokenResponse is a third-party token's record on the wire, filled field by
// field from the stored one.
type tokenResponse struct {
	ID          string  `json:"id"`
	Role        string  `json:"role"`
	Description string  `json:"description"`
	ExpiresAt   *string `json:"expires_at"`
	CreatedAt   string  `json:"created_at"`
	CreatedBy   string  `json:"created_by"`
	Version     int64   `json:"version"`
	LastUsedAt  *string `json:"last_used_at"`
}

func tokenOut(t store.Token) tokenResponse {
	return tokenResponse{ID: t.ID, Role: t.Role, Description: t.Description, ExpiresAt: t.ExpiresAt,
		CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy, Version: t.Version, LastUsedAt: t.LastUsedAt}
}

// createdToken is the answer to POST /tokens: the only time the JWT is shown.
type createdToken struct {
	tokenResponse
	Secret string `json:"token"`
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := authz.ManageTokens(c.caller); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	var f store.TokenFilter
	if v := r.URL.Query().Get("created_by"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return invalid(map[string]string{"created_by": "must be the id of a user or token"})
		}
		f.CreatedBy = id.String()
	}
	toks, next, err := store.ListTokens(r.Context(), a.st.R, f, p)
	if err != nil {
		return err
	}
	writeList(w, mapAll(toks, tokenOut), next)
	return nil
}

func (a *API) getToken(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := parseID(r, "id", "token")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if err := authz.ManageTokens(c.caller); err != nil {
		return err
	}
	t, err := store.GetToken(r.Context(), a.st.R, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no token with id %q", id)
	} else if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, t.Version, tokenOut(t))
	return nil
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	var req createTokenRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	now := time.Now()
	fields := map[string]string{}
	if req.Role == "" {
		fields["role"] = "is required"
	} else if msg := catalog.ValidateRoleName(req.Role); msg != "" {
		fields["role"] = msg
	}
	if msg := catalog.ValidateText(req.Description, catalog.DescriptionMaxLength, true); msg != "" {
		fields["description"] = msg
	}
	var exp *time.Time
	if req.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *req.ExpiresAt)
		switch {
		case err != nil:
			fields["expires_at"] = "must be an RFC 3339 timestamp such as 2027-01-01T00:00:00Z"
		case !t.After(now):
			fields["expires_at"] = "must be in the future"
		default:
			t = t.UTC()
			exp = &t
		}
	}
	if p := invalid(fields); p != nil {
		return p
	}
	tok := store.Token{ID: uuid.NewString(), Role: req.Role, Description: req.Description,
		CreatedAt: store.FormatTime(now), CreatedBy: c.caller.ID, Version: 1}
	if exp != nil {
		s := store.FormatTime(*exp)
		tok.ExpiresAt = &s
	}
	c.ev.ObjectID = tok.ID
	c.ev.Detail = "role " + tok.Role
	var secret string
	err := c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageTokens(c.caller); err != nil {
			return err
		}
		role, err := roleRef(ctx, tx, req.Role)
		if err != nil {
			return err
		}
		tok.Level = role.Level
		if err := store.InsertToken(ctx, tx, &tok); err != nil {
			return err
		}
		secret, err = a.keys.Sign(tok.ID, tok.Role, now, exp)
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tokens/"+tok.ID)
	writeObject(w, http.StatusCreated, tok.Version, createdToken{tokenResponse: tokenOut(tok), Secret: secret})
	return nil
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "token")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	err = c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageTokens(c.caller); err != nil {
			return err
		}
		t, err := store.GetToken(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("no token with id %q", id)
		} else if err != nil {
			return err
		}
		if err := checkIfMatch(r, t.Version); err != nil {
			return err
		}
		c.ev.Detail = "role " + t.Role
		return store.DeleteToken(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := authz.Read(c.caller, "read the audit log"); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.EventFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Actor: q.Get("actor"), Action: q.Get("action")}
	events, next, err := store.ListEvents(r.Context(), a.st.R, f, p)
	if err != nil {
		return err
	}
	writeList(w, events, next)
	return nil
}
