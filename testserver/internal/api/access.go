package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/testserver/internal/access"
	"github.com/seed/terraform-provider-identity/testserver/internal/authz"
	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// Access decisions for applications (GET /api/v1/access), a user's
// effective permissions and groups, and the loading of the holdings the
// grant-aware rules read.

// viaResponse is one grant that allows an operation on a scope, and how it
// reaches the principal.
type viaResponse struct {
	Kind      string `json:"kind"`
	GrantID   string `json:"grant_id"`
	Operation string `json:"operation"`
	Scope     string `json:"scope"`
	GroupID   string `json:"group_id,omitempty"`
	GroupName string `json:"group_name,omitempty"`
	Role      string `json:"role,omitempty"`
}

func viaOut(vs []access.Via) []viaResponse {
	out := make([]viaResponse, len(vs))
	for i, v := range vs {
		out[i] = viaResponse{Kind: string(v.Kind), GrantID: v.GrantID, Operation: v.Operation, Scope: v.Scope,
			GroupID: v.GroupID, GroupName: v.GroupName, Role: v.Role}
	}
	return out
}

type decisionResponse struct {
	Allowed bool          `json:"allowed"`
	Via     []viaResponse `json:"via"`
}

type entryResponse struct {
	Operation string        `json:"operation"`
	Scope     string        `json:"scope"`
	Via       []viaResponse `json:"via"`
}

// checkGrant validates an operation and a scope as a grant of one: both
// present, known, and the operation valid on the scope's kind. Problems go
// into fields, and the scope is valid only when there is none.
func checkGrant(fields map[string]string, operation, scopeText string) catalog.Scope {
	scope, serr := catalog.ParseScope(scopeText)
	if scopeText == "" {
		fields["scope"] = "is required: " + catalog.ScopeFormText
	} else if serr != nil {
		fields["scope"] = serr.Error()
	}
	var oerr error
	if operation == "" {
		fields["operation"] = "is required"
	} else if oerr = catalog.ValidateOperation(operation); oerr == nil && serr == nil {
		oerr = catalog.ValidateGrant(operation, scope)
	}
	if oerr != nil {
		// The field name already says "operation"; the message need not repeat it.
		fields["operation"] = strings.TrimPrefix(oerr.Error(), "operation ")
	}
	return scope
}

// checkUUID puts a problem into fields unless value is empty or a UUID, and
// returns its normal form.
func checkUUID(fields map[string]string, field, value, what string) string {
	if value == "" {
		return ""
	}
	id, err := uuid.Parse(value)
	if err != nil || len(value) != 36 {
		fields[field] = "must be the id (UUID) of " + what
		return value
	}
	return id.String()
}

// checkAccess answers whether a user or a third-party token may do an
// operation on a scope, and through which grants.
func (a *API) checkAccess(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return badRequest("malformed query string: %v", err)
	}
	fields := map[string]string{}
	userID := checkUUID(fields, "user_id", q.Get("user_id"), "an existing user")
	tokenID := checkUUID(fields, "token_id", q.Get("token_id"), "an existing third-party token")
	if (q.Get("user_id") == "") == (q.Get("token_id") == "") {
		msg := "exactly one of user_id and token_id must be set"
		fields["user_id"], fields["token_id"] = msg, msg
	}
	operation := q.Get("operation")
	scope := checkGrant(fields, operation, q.Get("scope"))
	if p := invalid(fields); p != nil {
		return p
	}
	c.ev.ObjectID = userID + tokenID
	if err := authz.ReadAccess(c.caller, userID); err != nil {
		return err
	}
	ctx, f := r.Context(), store.DecisionFilter(operation, scope)
	var held *access.Set
	if userID != "" {
		held, err = store.UserHeld(ctx, a.st.R, userID, f)
	} else {
		held, err = store.TokenHeld(ctx, a.st.R, tokenID, a.now(), f)
	}
	if errors.Is(err, store.ErrNotFound) {
		if userID != "" {
			return notFound("no user with id %q", userID)
		}
		return notFound("no third-party token with id %q", tokenID)
	} else if err != nil {
		return err
	}
	d := held.Decide(operation, scope)
	writeJSON(w, http.StatusOK, decisionResponse{Allowed: d.Allowed, Via: viaOut(d.Via)})
	return nil
}

// effectivePermissions lists every (operation, scope) a user holds.
func (a *API) effectivePermissions(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := parseID(r, "id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if err := authz.ReadAccess(c.caller, id); err != nil {
		return err
	}
	held, err := store.UserHeld(r.Context(), a.st.R, id, store.AccessFilter{})
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no user with id %q", id)
	} else if err != nil {
		return err
	}
	entries := held.Effective()
	out := make([]entryResponse, len(entries))
	for i, e := range entries {
		out[i] = entryResponse{Operation: e.Operation, Scope: e.Scope, Via: viaOut(e.Via)}
	}
	writeList(w, out, "")
	return nil
}

// userGroups lists the groups a user is a member of, paged like /groups.
func (a *API) userGroups(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := parseID(r, "id", "user")
	if err != nil {
		return err
	}
	c.ev.ObjectID = id
	if err := authz.ReadAccess(c.caller, id); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := store.GetUser(ctx, a.st.R, id); errors.Is(err, store.ErrNotFound) {
		return notFound("no user with id %q", id)
	} else if err != nil {
		return err
	}
	groups, next, err := store.ListGroups(ctx, a.st.R, store.GroupFilter{MemberID: id}, p)
	if err != nil {
		return err
	}
	writeList(w, groups, next)
	return nil
}

// includeGroupIDs adds each user's group ids to users when the request asks
// for them with include=group_ids, in one read for the whole page.
func (a *API) includeGroupIDs(r *http.Request, users []userResponse) error {
	include := r.URL.Query()["include"]
	if len(include) == 0 {
		return nil
	}
	for _, v := range include {
		if v != "group_ids" {
			return invalid(map[string]string{"include": "must be group_ids"})
		}
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	groups, err := store.GroupIDsOf(r.Context(), a.st.R, ids)
	if err != nil {
		return err
	}
	for i := range users {
		users[i].GroupIDs = groups[users[i].ID]
	}
	return nil
}

// grantNeed is what granting or revoking p reads of the caller: the ADMIN_*
// operation of its scope's kind and the operation itself, on its scope or
// one containing it.
func grantNeed(p authz.PermissionRef) store.AccessFilter {
	f := store.DecisionFilter(p.Operation, p.Scope)
	if op := catalog.AdminOperationFor(p.Scope.Kind); op != "" {
		f.Operations = append(f.Operations, op)
	}
	return f
}

// readNeed is what reading grants reads of a caller that is not a reader:
// its ADMIN_* operations, on any scope.
var readNeed = store.AccessFilter{Operations: []string{
	catalog.AdminOperationFor(catalog.ScopeTenant),
	catalog.AdminOperationFor(catalog.ScopeProject),
	catalog.AdminOperationFor(catalog.ScopeInventory),
}}

// manageNeed is what the user-management rules read of the caller first:
// the operation that opens them (CREATE_USER or MODIFY_USER) on global.
func manageNeed(operation string) *store.AccessFilter {
	f := store.DecisionFilter(operation, catalog.Global)
	return &f
}

// permissionRef is the rule's view of a stored grant.
func permissionRef(p store.Permission) (authz.PermissionRef, error) {
	scope, err := catalog.ParseScope(p.Scope)
	return authz.PermissionRef{Operation: p.Operation, Scope: scope, ToRole: p.Role != ""}, err
}

// unknownPermission is how the permission rules judge a grant that does not
// exist, for a caller who may not read every grant: as a grant on global,
// which only readers read, so the caller gets the same refusal whether the
// grant exists or not.
var unknownPermission = authz.PermissionRef{Operation: catalog.OpSuperAdmin, Scope: catalog.Global}

// loadTargetHeld fills target.Held with everything the target user's grants
// give it (disabled or not) and widens the caller's holdings to what
// covering them needs, for the rules against escalation through another
// account.
func (c *call) loadTargetHeld(ctx context.Context, q store.Querier, target *authz.UserRef) error {
	held, err := store.UserHeld(ctx, q, target.ID, store.AccessFilter{})
	if err != nil {
		return err
	}
	target.Held = held
	return c.cover(ctx, q, target.Held)
}

// loadRoleHeld fills role.Held with what the role's own grants give and
// widens the caller's holdings to what covering them needs, for the rule
// against assigning a role whose grants the caller does not hold.
func (c *call) loadRoleHeld(ctx context.Context, q store.Querier, role *authz.RoleRef) error {
	held, err := store.RoleHeld(ctx, q, role.Name, store.AccessFilter{})
	if err != nil {
		return err
	}
	role.Held = held
	return c.cover(ctx, q, role.Held)
}

// cover widens the caller's holdings to decide whether it covers held.
func (c *call) cover(ctx context.Context, q store.Querier, held *access.Set) error {
	f, ok := store.CoverFilter(held)
	if !ok || c.caller.Level == catalog.LevelSudo {
		return nil
	}
	return c.needs(ctx, q, f)
}
