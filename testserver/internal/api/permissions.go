package api

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

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

func (a *API) listPermissions(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	if c.caller.Level > catalog.LevelRead {
		// A delegated admin lists the grants it manages.
		if err := c.needs(ctx, a.st.R, readNeed); err != nil {
			return err
		}
	}
	if err := authz.ListPermissions(c.caller); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.PermissionFilter{UserID: queryID(q, "user_id"), GroupID: queryID(q, "group_id"), Role: q.Get("role"),
		Scope: q.Get("scope"), Operation: q.Get("operation")}
	if c.caller.Level > catalog.LevelRead {
		f.Readable = func(p store.Permission) bool {
			ref, err := permissionRef(p)
			return err == nil && authz.ReadPermission(c.caller, ref) == nil
		}
	}
	perms, next, err := store.ListPermissions(ctx, a.st.R, f, p)
	if err != nil {
		return err
	}
	writeList(w, perms, next)
	return nil
}

func (a *API) getPermission(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "permission")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if c.caller.Level > catalog.LevelRead {
		if err := c.needs(ctx, a.st.R, readNeed); err != nil {
			return err
		}
		// A caller that manages no scope learns nothing, not even whether
		// the grant exists.
		if err := authz.ListPermissions(c.caller); err != nil {
			return authz.ReadPermission(c.caller, unknownPermission)
		}
	}
	p, err := store.GetPermission(ctx, a.st.R, id)
	if errors.Is(err, store.ErrNotFound) {
		if err := authz.ReadPermission(c.caller, unknownPermission); err != nil {
			return err
		}
		return notFound("no permission with id %q", id)
	} else if err != nil {
		return err
	}
	ref, err := permissionRef(p)
	if err != nil {
		return err
	}
	if err := authz.ReadPermission(c.caller, ref); err != nil {
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
	scope := checkGrant(fields, req.Operation, req.Scope)
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
	req.UserID = checkUUID(fields, "user_id", req.UserID, "an existing user")
	req.GroupID = checkUUID(fields, "group_id", req.GroupID, "an existing group")
	if p := invalid(fields); p != nil {
		return p
	}
	perm := store.Permission{ID: uuid.NewString(), Operation: req.Operation, Scope: scope.String(), UserID: req.UserID,
		GroupID: req.GroupID, Role: req.Role, CreatedAt: store.Now(), Version: 1}
	c.ev.ObjectID = perm.ID
	c.ev.Detail = permDetail(perm)
	ref := authz.PermissionRef{Operation: perm.Operation, Scope: scope, ToRole: perm.Role != ""}
	need := grantNeed(ref)
	c.need = &need
	err := c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.GrantPermission(c.caller, ref); err != nil {
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
		if errors.Is(err, store.ErrNotFound) {
			// A caller who may not read every grant gets the refusal it
			// would get for a grant it may not read, whether or not this one
			// exists.
			if authz.ReadPermission(c.caller, unknownPermission) != nil {
				return authz.RevokePermission(c.caller, unknownPermission)
			}
			return notFound("no permission with id %q", id)
		} else if err != nil {
			return err
		}
		ref, err := permissionRef(p)
		if err != nil {
			return err
		}
		if err := c.needs(ctx, tx, grantNeed(ref)); err != nil {
			return err
		}
		if err := authz.RevokePermission(c.caller, ref); err != nil {
			return err
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
