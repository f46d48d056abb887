package api

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/passwords"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
	"github.com/seed/terraform-provider-identity/testserver/internal/tokens"
)

// newTestAPI returns an API on a fresh database and a session token of its system user.
func newTestAPI(t *testing.T) (*API, string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "identity.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var systemID string
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.Bootstrap(ctx, tx, uuid.NewString(), ""); err != nil {
			return err
		}
		u, err := store.GetSystemUser(ctx, tx)
		systemID = u.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	params, err := passwords.Preset("low")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := tokens.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Store: st, Passwords: params, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.NewSession(ctx, systemID)
	if err != nil {
		t.Fatal(err)
	}
	return a, tok
}

// events returns the audit records of one action, oldest first.
func events(t *testing.T, a *API, action string) []store.Event {
	t.Helper()
	evs, _, err := store.ListEvents(context.Background(), a.st.R, store.EventFilter{Action: action}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestPipeline_AuditsWithoutTheHandler registers throwaway handlers that do
// nothing about the audit log and proves the pipeline records their outcomes:
// a write's refusals and its success, a read's 403 and nothing else of a read.
func TestPipeline_AuditsWithoutTheHandler(t *testing.T) {
	a, tok := newTestAPI(t)
	send := func(h http.HandlerFunc) int {
		t.Helper()
		req := httptest.NewRequest("POST", "/thing", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h(rec, req)
		return rec.Code
	}
	refuse := func(p *Problem) handler {
		return func(_ http.ResponseWriter, _ *http.Request, c *call) error {
			c.ev.ObjectID = "thing-1"
			return p
		}
	}

	made := func(w http.ResponseWriter, r *http.Request, c *call) error {
		c.ev.ObjectID = "thing-1"
		if err := c.change(r.Context(), func(*sql.Tx) error { return nil }); err != nil {
			return err
		}
		w.WriteHeader(http.StatusCreated)
		return nil
	}
	clash := func(_ http.ResponseWriter, r *http.Request, c *call) error {
		c.ev.ObjectID = "thing-1"
		return c.change(r.Context(), func(*sql.Tx) error { return conflict("name", "taken") })
	}
	cases := []struct {
		name    string
		route   func(op, handler) http.HandlerFunc
		h       handler
		status  int
		outcome string // "" when nothing is audited
	}{
		{"write refused", a.write, refuse(forbidden("no")), 403, "denied"},
		{"write invalid", a.write, refuse(badRequest("bad")), 400, "failed"},
		{"write of nothing", a.write, refuse(notFound("none")), 404, "failed"},
		{"write succeeds", a.write, made, 201, "success"},
		{"write fails inside its change", a.write, clash, 409, "failed"},
		{"read refused", a.read, refuse(forbidden("no")), 403, "denied"},
		{"read of nothing", a.read, refuse(notFound("none")), 404, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			action := fmt.Sprintf("thing.%d", i)
			h := tc.route(op{action, "thing", http.StatusCreated}, tc.h)
			if got := send(h); got != tc.status {
				t.Fatalf("status %d, want %d", got, tc.status)
			}
			evs := events(t, a, action)
			if tc.outcome == "" {
				if len(evs) != 0 {
					t.Fatalf("audited %+v, want nothing", evs)
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("%d audit records, want 1: %+v", len(evs), evs)
			}
			e := evs[0]
			if e.Outcome != tc.outcome || e.Status != tc.status || e.Actor != "system" || e.ObjectType != "thing" || e.ObjectID != "thing-1" {
				t.Fatalf("audit record %+v, want outcome %s, status %d, actor system, object thing thing-1", e, tc.outcome, tc.status)
			}
		})
	}
}

// TestLoadUser_RefusesBeforeLooking: a caller who may not read users is
// refused by the change's rule before the user is looked up, the same for an
// existing and an unknown id; one whom the rule lets manage users at all (a
// guest holding MODIFY_USER on global) is not stopped by that first look and
// is told an unknown id is unknown.
func TestLoadUser_RefusesBeforeLooking(t *testing.T) {
	a, _ := newTestAPI(t)
	ctx := context.Background()
	system, err := store.GetSystemUser(ctx, a.st.R)
	if err != nil {
		t.Fatal(err)
	}
	const guestLevel = 256 // the built-in role guest
	guest := authz.Caller{Kind: authz.KindUser, ID: uuid.NewString(), Name: "g", Role: "guest", Level: guestLevel}
	holder := guest
	holder.Held = access.Evaluate(access.Principal{UserID: holder.ID, Role: "guest", Level: guestLevel},
		[]access.Grant{{ID: "p", Operation: catalog.OpModifyUser, Scope: catalog.ScopeGlobal, UserID: holder.ID}})
	load := func(caller authz.Caller, id string) error {
		c := &call{a: a, caller: caller}
		return a.st.Tx(ctx, func(tx *sql.Tx) error {
			_, err := loadUser(ctx, tx, c, id, func(u authz.UserRef) error {
				return authz.SetPassword(caller, u, false)
			})
			return err
		})
	}
	unknown := uuid.NewString()
	p1, _ := toProblem(load(guest, system.ID))
	p2, _ := toProblem(load(guest, unknown))
	if p1.Status != 403 || p2.Status != 403 || p1.Detail != p2.Detail {
		t.Errorf("guest: existing %d %q, unknown %d %q; want the same 403", p1.Status, p1.Detail, p2.Status, p2.Detail)
	}
	if err := load(holder, system.ID); err != nil {
		t.Errorf("grant holder, existing user: %v", err)
	}
	if p, _ := toProblem(load(holder, unknown)); p.Status != 404 {
		t.Errorf("grant holder, unknown user: %d %q, want 404", p.Status, p.Detail)
	}
}
