package api

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

type createRoleRequest struct {
	Name        string `json:"name"`
	Level       *int64 `json:"level"`
	Description string `json:"description"`
}

type patchRoleRequest struct {
	Level       *int64  `json:"level"`
	Description *string `json:"description"`
}

func (a *API) listRoles(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := authz.Read(c.caller, "list roles"); err != nil {
		return err
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return invalid(map[string]string{"limit": "must be a whole number from 1 to 500"})
		}
		limit = n
	}
	after, err := store.DecodeRoleCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		return invalid(map[string]string{"cursor": "is not a cursor this server issued"})
	}
	roles, next, err := store.ListRoles(r.Context(), a.st.R, after, limit)
	if err != nil {
		return err
	}
	writeList(w, roles, next)
	return nil
}

func (a *API) getRole(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PathValue("name")
	c.ev.ObjectID = name
	if err := authz.Read(c.caller, "read roles"); err != nil {
		return err
	}
	role, err := store.GetRole(r.Context(), a.st.R, name)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no role named %s", quoteName(name))
	} else if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, role.Version, role)
	return nil
}

func (a *API) createRole(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	var req createRoleRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	c.ev.ObjectID = req.Name
	fields := map[string]string{}
	if msg := catalog.ValidateRoleName(req.Name); msg != "" {
		fields["name"] = msg
	}
	if req.Level == nil {
		fields["level"] = "is required"
	} else if msg := catalog.ValidateLevel(*req.Level); msg != "" {
		fields["level"] = msg
	}
	if msg := catalog.ValidateText(req.Description, catalog.DescriptionMaxLength, true); msg != "" {
		fields["description"] = msg
	}
	if p := invalid(fields); p != nil {
		c.ev.ObjectID = ""
		return p
	}
	now := store.Now()
	role := store.Role{Name: req.Name, Level: int(*req.Level), Description: req.Description, CreatedAt: now, UpdatedAt: now, Version: 1}
	c.ev.Detail = fmt.Sprintf("level %d", role.Level)
	err := c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.CreateRole(c.caller, role.Level); err != nil {
			return err
		}
		return store.InsertRole(ctx, tx, &role)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/roles/"+role.Name)
	writeObject(w, http.StatusCreated, role.Version, role)
	return nil
}

func (a *API) patchRole(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	name := r.PathValue("name")
	c.ev.ObjectID = name
	var req patchRoleRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	if req.Level != nil {
		if msg := catalog.ValidateLevel(*req.Level); msg != "" {
			fields["level"] = msg
		}
	}
	if req.Description != nil {
		if msg := catalog.ValidateText(*req.Description, catalog.DescriptionMaxLength, true); msg != "" {
			fields["description"] = msg
		}
	}
	if p := invalid(fields); p != nil {
		return p
	}
	var role store.Role
	err := c.change(ctx, func(tx *sql.Tx) error {
		var err error
		// A caller who may not read roles learns nothing about this one.
		if err := authz.Read(c.caller, "read roles"); err != nil {
			return err
		}
		role, err = store.GetRole(ctx, tx, name)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("no role named %s", quoteName(name))
		} else if err != nil {
			return err
		}
		var newLevel *int
		if req.Level != nil && int(*req.Level) != role.Level {
			n := int(*req.Level)
			newLevel = &n
		}
		if err := authz.UpdateRole(c.caller, authz.RoleRef{Name: role.Name, Level: role.Level}, role.Builtin, newLevel); err != nil {
			return err
		}
		if err := checkIfMatch(r, role.Version); err != nil {
			return err
		}
		if newLevel != nil && *newLevel < catalog.SelfRegistrationMinLevel {
			if err := a.keepSelfRegistrationRole(ctx, tx, role.Name, *newLevel); err != nil {
				return err
			}
		}
		if newLevel != nil {
			c.ev.Detail = fmt.Sprintf("level %d -> %d", role.Level, *newLevel)
			role.Level = *newLevel
		}
		if newLevel == nil && (req.Description == nil || *req.Description == role.Description) {
			return nil // nothing changes: the version stays
		}
		if req.Description != nil {
			role.Description = *req.Description
		}
		return store.UpdateRole(ctx, tx, &role)
	})
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, role.Version, role)
	return nil
}

func (a *API) deleteRole(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	name := r.PathValue("name")
	c.ev.ObjectID = name
	err := c.change(ctx, func(tx *sql.Tx) error {
		// A caller who may not read roles learns nothing about this one.
		if err := authz.Read(c.caller, "read roles"); err != nil {
			return err
		}
		role, err := store.GetRole(ctx, tx, name)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("no role named %s", quoteName(name))
		} else if err != nil {
			return err
		}
		if err := authz.DeleteRole(c.caller, authz.RoleRef{Name: role.Name, Level: role.Level}, role.Builtin); err != nil {
			return err
		}
		if err := checkIfMatch(r, role.Version); err != nil {
			return err
		}
		use, err := store.GetRoleUsage(ctx, tx, name)
		if err != nil {
			return err
		}
		if use.SelfRegistration {
			return conflict("", fmt.Sprintf("role %s is the self-registration role; choose another in the settings first", name))
		}
		if use.InUse() {
			return conflict("", fmt.Sprintf("role %s is still used by %d user(s), %d token(s) and %d permission(s)",
				name, use.Users, use.Tokens, use.Permissions))
		}
		return store.DeleteRole(ctx, tx, name)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// roleRef looks a role up for an assignment; an unknown role is a 400 on the role field.
func roleRef(ctx context.Context, q store.Querier, name string) (authz.RoleRef, error) {
	role, err := store.GetRole(ctx, q, name)
	if errors.Is(err, store.ErrNotFound) {
		return authz.RoleRef{}, invalid(map[string]string{"role": quoteName(name) + " does not exist"})
	} else if err != nil {
		return authz.RoleRef{}, err
	}
	return authz.RoleRef{Name: role.Name, Level: role.Level}, nil
}
