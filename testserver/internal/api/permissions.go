package api

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

type createPermissionRequest struct {
	Operation string `json:"operation"`
	Scope     string `json:"scope"`
	UserID    string `json:"user_id"`
	GroupID   string `json:"group_id"`
	Role      string `json:"role"`
}

// adminOperations are the grants that delegate permission administration.
var adminOperations = []string{
	catalog.AdminOperationFor(catalog.ScopeTenant),
	catalog.AdminOperationFor(catalog.ScopeProject),
	catalog.AdminOperationFor(catalog.ScopeInventory),
}

// managePermission applies the permission rule, loading the caller's
// delegating grants only when its level alone does not decide.
func (a *API) managePermission(ctx context.Context, q store.Querier, c *call, operation string, scope catalog.Scope) error {
	var held []authz.Grant
	if c.caller.Level > catalog.LevelAdmin {
		userID := ""
		if c.caller.Kind == authz.KindUser {
			userID = c.caller.ID
		}
		grants, err := store.HeldGrants(ctx, q, userID, c.caller.Role, adminOperations)
		if err != nil {
			return err
		}
		for _, g := range grants {
			held = append(held, authz.Grant{Operation: g.Operation, Scope: g.Scope})
		}
	}
	return authz.ManagePermission(c.caller, operation, scope, held)
}

func (a *API) listPermissions(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := authz.Read(c.caller, "list permissions"); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.PermissionFilter{UserID: queryID(q, "user_id"), GroupID: queryID(q, "group_id"), Role: q.Get("role"),
		Scope: q.Get("scope"), Operation: q.Get("operation")}
	perms, next, err := store.ListPermissions(r.Context(), a.st.R, f, p)
	if err != nil {
		return err
	}
	writeList(w, perms, next)
	return nil
}

func (a *API) getPermission(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := parseID(r, "id", "permission")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if err := authz.Read(c.caller, "read permissions"); err != nil {
		return err
	}
	p, err := store.GetPermission(r.Context(), a.st.R, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no permission with id %q", id)
	} else if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, p.Version, p)
	return nil
}

func (a *API) createPermission(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	var req createPermissionRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	scope, serr := catalog.ParseScope(req.Scope)
	if req.Scope == "" {
		fields["scope"] = "is required: " + catalog.ScopeFormText
	} else if serr != nil {
		fields["scope"] = serr.Error()
	}
	if req.Operation == "" {
		fields["operation"] = "is required"
	} else if err := catalog.ValidateOperation(req.Operation); err != nil {
		// The field name already says "operation"; the message need not repeat it.
		fields["operation"] = strings.TrimPrefix(err.Error(), "operation ")
	} else if serr == nil {
		if err := catalog.ValidateGrant(req.Operation, scope); err != nil {
			fields["operation"] = strings.TrimPrefix(err.Error(), "operation ")
		}
	}
	n := 0
	for _, v := range []string{req.UserID, req.GroupID, req.Role} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		msg := "exactly one of user_id, group_id and role must be set"
		fields["user_id"], fields["group_id"], fields["role"] = msg, msg, msg
	}
	if req.UserID != "" {
		if u, err := uuid.Parse(req.UserID); err != nil || len(req.UserID) != 36 {
			fields["user_id"] = "must be the id (UUID) of an existing user"
		} else {
			req.UserID = u.String()
		}
	}
	if req.GroupID != "" {
		if g, err := uuid.Parse(req.GroupID); err != nil || len(req.GroupID) != 36 {
			fields["group_id"] = "must be the id (UUID) of an existing group"
		} else {
			req.GroupID = g.String()
		}
	}
	if p := invalid(fields); p != nil {
		return p
	}
	perm := store.Permission{ID: uuid.NewString(), Operation: req.Operation, Scope: scope.String(), UserID: req.UserID,
		GroupID: req.GroupID, Role: req.Role, CreatedAt: store.Now(), Version: 1}
	c.ev.ObjectID = perm.ID
	c.ev.Detail = permDetail(perm)
	err := c.change(ctx, func(tx *sql.Tx) error {
		if err := a.managePermission(ctx, tx, c, perm.Operation, scope); err != nil {
			return err
		}
		if err := principalExists(ctx, tx, perm); err != nil {
			return err
		}
		return store.InsertPermission(ctx, tx, &perm)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/permissions/"+perm.ID)
	writeObject(w, http.StatusCreated, perm.Version, perm)
	return nil
}

func permDetail(p store.Permission) string {
	to := "role " + p.Role
	if p.UserID != "" {
		to = "user " + p.UserID
	} else if p.GroupID != "" {
		to = "group " + p.GroupID
	}
	return p.Operation + " on " + p.Scope + " to " + to
}

func principalExists(ctx context.Context, q store.Querier, p store.Permission) error {
	var err error
	field := ""
	switch {
	case p.UserID != "":
		field = "user_id"
		_, err = store.GetUser(ctx, q, p.UserID)
	case p.GroupID != "":
		field = "group_id"
		_, err = store.GetGroup(ctx, q, p.GroupID)
	default:
		field = "role"
		_, err = store.GetRole(ctx, q, p.Role)
	}
	if errors.Is(err, store.ErrNotFound) {
		return invalid(map[string]string{field: "does not name an existing " + map[string]string{"user_id": "user", "group_id": "group", "role": "role"}[field]})
	}
	return err
}

func (a *API) deletePermission(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "permission")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	err = c.change(ctx, func(tx *sql.Tx) error {
		p, err := store.GetPermission(ctx, tx, id)
		found := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var refused error
		if found {
			scope, err := catalog.ParseScope(p.Scope)
			if err != nil {
				return err
			}
			refused = a.managePermission(ctx, tx, c, p.Operation, scope)
			var denied *authz.Denied
			if refused != nil && !errors.As(refused, &denied) {
				return refused
			}
		}
		if (!found || refused != nil) && authz.Read(c.caller, "read permissions") != nil {
			// A caller who may not read permissions learns nothing about this
			// one: the same refusal whether it exists or not, naming no scope.
			return forbidden(fmt.Sprintf("%s cannot revoke permission %s: it needs level %d or lower, "+
				"or the admin operation of the permission's scope kind on its scope or on global", c.caller, id, catalog.LevelAdmin))
		}
		if !found {
			return notFound("no permission with id %q", id)
		}
		if refused != nil {
			return refused
		}
		if err := checkIfMatch(r, p.Version); err != nil {
			return err
		}
		c.ev.Detail = permDetail(p)
		return store.DeletePermission(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
