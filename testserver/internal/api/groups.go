package api

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

type createGroupRequest struct {
	Name         string `json:"name"`
	Organization string `json:"organization"`
	Description  string `json:"description"`
}

type patchGroupRequest struct {
	Name         *string `json:"name"`
	Organization *string `json:"organization"`
	Description  *string `json:"description"`
}

type membersRequest struct {
	UserIDs *[]string `json:"user_ids"`
	// Exclusive sets (true) or clears (false) the group's members_exclusive
	// mark with the set; absent leaves the mark as it is.
	Exclusive *bool `json:"exclusive"`
}

type memberSet struct {
	GroupID   string   `json:"group_id"`
	UserIDs   []string `json:"user_ids"`
	Exclusive bool     `json:"exclusive"`
	Version   int64    `json:"version"`
}

// membersExclusive refuses a per-user change to a group whose member set is
// managed as a whole: the whole-set writer would undo it on its next write,
// and the per-user writer would redo it, for ever. verb is "add the user to"
// or "remove the user from".
func membersExclusive(g store.Group, verb string) *Problem {
	return newProblem(http.StatusConflict, "members-exclusive", "Conflict",
		"group %s has its members managed as a whole set (members_exclusive); %s that set instead, or stop managing it as a set",
		g.FullName, verb)
}

// MaxMembers bounds one PUT of a whole member set.
const MaxMembers = 100000

func checkGroupFields(fields map[string]string, name, organization, description *string) {
	if name != nil {
		if msg := catalog.ValidateGroupName(*name); msg != "" {
			fields["name"] = msg
		}
	}
	if organization != nil && *organization != "" {
		if msg := catalog.ValidateGroupName(*organization); msg != "" {
			fields["organization"] = msg
		}
	}
	if description != nil {
		if msg := catalog.ValidateText(*description, catalog.DescriptionMaxLength, true); msg != "" {
			fields["description"] = msg
		}
	}
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := authz.Read(c.caller, "list groups"); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.GroupFilter{Name: q.Get("name"), FullName: q.Get("full_name")}
	if q.Has("organization") {
		// Present and empty asks for the groups without an organization.
		org := q.Get("organization")
		f.Organization = &org
	}
	groups, next, err := store.ListGroups(r.Context(), a.st.R, f, p)
	if err != nil {
		return err
	}
	writeList(w, groups, next)
	return nil
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := parseID(r, "id", "group")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if err := authz.Read(c.caller, "read groups"); err != nil {
		return err
	}
	g, err := store.GetGroup(r.Context(), a.st.R, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no group with id %q", id)
	} else if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, g.Version, g)
	return nil
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	var req createGroupRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	checkGroupFields(fields, &req.Name, &req.Organization, &req.Description)
	if p := invalid(fields); p != nil {
		return p
	}
	now := store.Now()
	g := store.Group{ID: uuid.NewString(), Name: req.Name, Organization: req.Organization, Description: req.Description,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	c.ev.ObjectID = g.ID
	c.ev.Detail = "name " + catalog.GroupFullName(g.Organization, g.Name)
	err := c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageGroups(c.caller); err != nil {
			return err
		}
		return store.InsertGroup(ctx, tx, &g)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/groups/"+g.ID)
	writeObject(w, http.StatusCreated, g.Version, g)
	return nil
}

// loadGroup reads a group inside a change and checks If-Match against it.
func loadGroup(r *http.Request, tx *sql.Tx, id string) (store.Group, error) {
	g, err := store.GetGroup(r.Context(), tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return g, notFound("no group with id %q", id)
	} else if err != nil {
		return g, err
	}
	return g, checkIfMatch(r, g.Version)
}

func (a *API) patchGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "group")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	var req patchGroupRequest
	if err := decode(w, r, &req, MaxBody); err != nil {
		return err
	}
	fields := map[string]string{}
	checkGroupFields(fields, req.Name, req.Organization, req.Description)
	if p := invalid(fields); p != nil {
		return p
	}
	var g store.Group
	err = c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageGroups(c.caller); err != nil {
			return err
		}
		var err error
		if g, err = loadGroup(r, tx, id); err != nil {
			return err
		}
		before := g
		if req.Name != nil {
			g.Name = *req.Name
		}
		if req.Organization != nil {
			g.Organization = *req.Organization
		}
		if req.Description != nil {
			g.Description = *req.Description
		}
		c.ev.Detail = "name " + catalog.GroupFullName(g.Organization, g.Name)
		if g.Name == before.Name && g.Organization == before.Organization && g.Description == before.Description {
			return nil // nothing changes: the version stays
		}
		return store.UpdateGroup(ctx, tx, &g)
	})
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, g.Version, g)
	return nil
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "group")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	err = c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageGroups(c.caller); err != nil {
			return err
		}
		g, err := loadGroup(r, tx, id)
		if err != nil {
			return err
		}
		c.ev.Detail = "name " + g.FullName
		return store.DeleteGroup(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "group")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if err := authz.Read(c.caller, "list group members"); err != nil {
		return err
	}
	idsOnly := false
	switch v := r.URL.Query().Get("ids_only"); v {
	case "", "false", "0":
	case "true", "1":
		idsOnly = true
	default:
		return invalid(map[string]string{"ids_only": "must be true or false"})
	}
	if idsOnly {
		// One read transaction so the ids and the version agree.
		tx, err := a.st.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		g, err := store.GetGroup(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("no group with id %q", id)
		} else if err != nil {
			return err
		}
		ids, err := store.MemberIDs(ctx, tx, id)
		if err != nil {
			return err
		}
		writeObject(w, http.StatusOK, g.Version, memberSet{GroupID: id, UserIDs: ids, Exclusive: g.MembersExclusive, Version: g.Version})
		return nil
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	if _, err := store.GetGroup(ctx, a.st.R, id); errors.Is(err, store.ErrNotFound) {
		return notFound("no group with id %q", id)
	} else if err != nil {
		return err
	}
	// A user_id filter answers "is U a member of G" with one indexed lookup,
	// however large the group.
	if userID := queryID(r.URL.Query(), "user_id"); userID != "" {
		items := []store.Membership{}
		if m, err := store.GetMember(ctx, a.st.R, id, userID); err == nil {
			items = append(items, m)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		writeList(w, items, "")
		return nil
	}
	members, next, err := store.ListMembers(ctx, a.st.R, id, p)
	if err != nil {
		return err
	}
	writeList(w, members, next)
	return nil
}

func (a *API) replaceMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "group")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	var req membersRequest
	if err := decode(w, r, &req, MaxMembersBody); err != nil {
		return err
	}
	ids, p := normaliseIDs(req.UserIDs)
	if p != nil {
		return p
	}
	var out memberSet
	err = c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageGroups(c.caller); err != nil {
			return err
		}
		g, err := loadGroup(r, tx, id)
		if err != nil {
			return err
		}
		added, removed, err := store.ReplaceMembers(ctx, tx, id, ids)
		if err != nil {
			return err
		}
		marked := false
		if req.Exclusive != nil {
			if marked, err = store.SetMembersExclusive(ctx, tx, id, *req.Exclusive); err != nil {
				return err
			}
			g.MembersExclusive = *req.Exclusive
		}
		if added+removed > 0 || marked {
			if err := store.TouchGroup(ctx, tx, id); err != nil {
				return err
			}
			g.Version++
		}
		c.ev.Detail = fmt.Sprintf("%d member(s): %d added, %d removed", len(ids), added, removed)
		if marked && g.MembersExclusive {
			c.ev.Detail += "; members_exclusive set"
		} else if marked {
			c.ev.Detail += "; members_exclusive cleared"
		}
		out = memberSet{GroupID: id, UserIDs: ids, Exclusive: g.MembersExclusive, Version: g.Version}
		return nil
	})
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, out.Version, out)
	return nil
}

// normaliseIDs checks, lower-cases, de-duplicates and sorts a member set.
func normaliseIDs(in *[]string) ([]string, *Problem) {
	if in == nil {
		return nil, invalid(map[string]string{"user_ids": "is required (use [] for no members)"})
	}
	if len(*in) > MaxMembers {
		return nil, invalid(map[string]string{"user_ids": fmt.Sprintf("must hold at most %d ids", MaxMembers)})
	}
	ids := make([]string, 0, len(*in))
	var bad []string
	for _, raw := range *in {
		u, err := uuid.Parse(raw)
		if err != nil || len(raw) != 36 {
			if len(bad) < 20 {
				bad = append(bad, quoteName(raw))
			}
			continue
		}
		ids = append(ids, u.String())
	}
	if len(bad) > 0 {
		return nil, invalid(map[string]string{"user_ids": "unknown user ids (not UUIDs): " + strings.Join(bad, ", ")})
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

func (a *API) addMember(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "group")
	if err != nil {
		return err
	}
	userID, err := parseID(r, "user_id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID, c.ev.Detail = id, "user "+userID
	var m store.Membership
	err = c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageGroups(c.caller); err != nil {
			return err
		}
		g, err := loadGroup(r, tx, id)
		if err != nil {
			return err
		}
		if g.MembersExclusive {
			return membersExclusive(g, "add the user to")
		}
		if _, err := store.GetUser(ctx, tx, userID); errors.Is(err, store.ErrNotFound) {
			return notFound("no user with id %q", userID)
		} else if err != nil {
			return err
		}
		added, err := store.AddMember(ctx, tx, id, userID)
		if err != nil {
			return err
		}
		if added {
			if err := store.TouchGroup(ctx, tx, id); err != nil {
				return err
			}
		}
		// An add that changes nothing is not a change, so it is not audited.
		c.quiet = !added
		m, err = store.GetMember(ctx, tx, id, userID)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id, err := parseID(r, "id", "group")
	if err != nil {
		return err
	}
	userID, err := parseID(r, "user_id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID, c.ev.Detail = id, "user "+userID
	err = c.change(ctx, func(tx *sql.Tx) error {
		if err := authz.ManageGroups(c.caller); err != nil {
			return err
		}
		g, err := loadGroup(r, tx, id)
		if err != nil {
			return err
		}
		if g.MembersExclusive {
			return membersExclusive(g, "remove the user from")
		}
		if err := store.RemoveMember(ctx, tx, id, userID); errors.Is(err, store.ErrNotFound) {
			return notFound("user %s is not a member of group %s", userID, id)
		} else if err != nil {
			return err
		}
		return store.TouchGroup(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
