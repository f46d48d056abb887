package client

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// serverClient starts a fresh identity server and returns it with a client
// holding its sudo session token.
func serverClient(t *testing.T) (*testserver.Server, *Client) {
	t.Helper()
	srv := testserver.Start(t)
	c, err := New(Config{
		Endpoint: srv.URL, Token: srv.Token,
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// as returns a client logged in as username with password.
func as(t *testing.T, srv *testserver.Server, username, password string) *Client {
	t.Helper()
	c, err := New(Config{
		Endpoint: srv.URL, Username: username, Password: password,
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func TestIntegrationUsers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv, c := serverClient(t)

	u, err := c.CreateUser(ctx, UserCreate{
		Username: "Alice", Email: "Alice@Example.com", FirstName: "Alice", Organization: "Wonderland",
		Role: "operator", Attributes: map[string]string{"team": "blue"}, Password: "correct horse battery",
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID == "" || u.Username != "Alice" || u.Role != "operator" || u.Version != 1 || u.Attributes["team"] != "blue" || u.CreatedAt.IsZero() {
		t.Errorf("created user = %+v", u)
	}

	got, err := c.GetUser(ctx, u.ID)
	if err != nil || got.Email != "Alice@Example.com" {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	byEmail, err := c.GetUserByEmail(ctx, "alice@example.com")
	if err != nil || byEmail.ID != u.ID {
		t.Fatalf("GetUserByEmail = %+v, %v", byEmail, err)
	}
	byName, err := c.GetUserByUsername(ctx, "ALICE")
	if err != nil || byName.ID != u.ID {
		t.Fatalf("GetUserByUsername = %+v, %v", byName, err)
	}
	if _, err := c.GetUserByEmail(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetUserByEmail(nobody) = %v, want ErrNotFound", err)
	}

	if _, err := c.CreateUser(ctx, UserCreate{Username: "alice", Email: "other@example.com"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate username: %v, want ErrConflict", err)
	}
	_, err = c.CreateUser(ctx, UserCreate{Username: "bad name!", Email: "not-an-email"})
	var apiErr *APIError
	if !errors.Is(err, ErrBadRequest) || !errors.As(err, &apiErr) || apiErr.Errors["email"] == "" {
		t.Errorf("invalid user: %v, want ErrBadRequest with an email field error", err)
	}

	list, err := c.ListUsers(ctx, UserFilter{Organization: "wonderland"})
	if err != nil || len(list) != 1 || list[0].ID != u.ID {
		t.Fatalf("ListUsers(organization) = %+v, %v", list, err)
	}

	up, err := c.UpdateUser(ctx, u.ID, UserUpdate{LastName: ptr("Liddell"), Disabled: ptr(true), Attributes: &map[string]string{}})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	if up.LastName != "Liddell" || !up.Disabled || len(up.Attributes) != 0 || up.FirstName != "Alice" || up.Version != 2 {
		t.Errorf("updated user = %+v", up)
	}
	if _, err := c.UpdateUser(WithIfMatch(ctx, 1), u.ID, UserUpdate{FirstName: ptr("A")}); !errors.Is(err, ErrPreconditionFailed) {
		t.Errorf("stale If-Match: %v, want ErrPreconditionFailed", err)
	}
	if _, err := c.UpdateUser(WithIfMatch(ctx, up.Version), u.ID, UserUpdate{Disabled: ptr(false)}); err != nil {
		t.Errorf("current If-Match: %v", err)
	}

	// The user changes its own password with the current one.
	if err := c.SetUserPassword(ctx, u.ID, "a new long password", ""); err != nil {
		t.Fatalf("SetUserPassword by sudo: %v", err)
	}
	alice := as(t, srv, "alice", "a new long password")
	me, err := alice.Me(ctx)
	if err != nil || me.Kind != KindUser || me.User == nil || me.User.ID != u.ID || me.Level != 10 {
		t.Fatalf("Me as alice = %+v, %v", me, err)
	}
	if err := alice.SetUserPassword(ctx, u.ID, "another long password", "wrong current password"); err == nil {
		t.Error("changing one's own password with a wrong current password succeeded")
	}
	if err := alice.SetUserPassword(ctx, u.ID, "another long password", "a new long password"); err != nil {
		t.Errorf("changing one's own password: %v", err)
	}

	if err := c.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := c.GetUser(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetUser after delete = %v, want ErrNotFound", err)
	}
	if err := c.DeleteUser(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteUser = %v, want ErrNotFound", err)
	}
}

func TestIntegrationForbiddenDetail(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv, c := serverClient(t)
	if _, err := c.CreateUser(ctx, UserCreate{Username: "ada", Email: "ada@example.com", Role: "admin", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	admin := as(t, srv, "ada", "correct horse battery")
	_, err := admin.CreateUser(ctx, UserCreate{Username: "root2", Email: "root2@example.com", Role: "sudo"})
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("error = %v, want ErrForbidden", err)
	}
	const want = "POST /api/v1/users: 403 Forbidden: "
	if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "cannot assign role sudo") {
		t.Errorf("Error() = %q, want %q followed by the server's rule", err.Error(), want)
	}
}

func TestIntegrationRoles(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := serverClient(t)

	r, err := c.CreateRole(ctx, RoleCreate{Name: "deployer", Level: 50, Description: "Deploys"})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if r.Name != "deployer" || r.Level != 50 || r.Builtin || r.Version != 1 {
		t.Errorf("created role = %+v", r)
	}
	if _, err := c.CreateRole(ctx, RoleCreate{Name: "deployer", Level: 60}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate role: %v, want ErrConflict", err)
	}
	got, err := c.GetRole(ctx, "deployer")
	if err != nil || got.Description != "Deploys" {
		t.Fatalf("GetRole = %+v, %v", got, err)
	}
	roles, err := c.ListRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
	}
	if want := []string{"sudo", "admin", "supervisor", "operator", "deployer", "auditor", "guest"}; !slices.Equal(names, want) {
		t.Errorf("roles = %v, want %v", names, want)
	}
	up, err := c.UpdateRole(ctx, "deployer", RoleUpdate{Level: ptr(int64(40)), Description: ptr("")})
	if err != nil || up.Level != 40 || up.Description != "" || up.Version != 2 {
		t.Fatalf("UpdateRole = %+v, %v", up, err)
	}
	if _, err := c.UpdateRole(ctx, "admin", RoleUpdate{Level: ptr(int64(5))}); err == nil {
		t.Error("changing a built-in role's level succeeded")
	}

	u, err := c.CreateUser(ctx, UserCreate{Username: "dep", Email: "dep@example.com", Role: "deployer"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRole(ctx, "deployer"); !errors.Is(err, ErrConflict) {
		t.Errorf("deleting a role in use: %v, want ErrConflict", err)
	}
	if err := c.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRole(ctx, "deployer"); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
	if _, err := c.GetRole(ctx, "deployer"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRole after delete = %v, want ErrNotFound", err)
	}
	if err := c.DeleteRole(ctx, "sudo"); err == nil {
		t.Error("deleting a built-in role succeeded")
	}
}

func TestIntegrationGroupsAndMembers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := serverClient(t)

	g, err := c.CreateGroup(ctx, GroupCreate{Name: "Admins", Organization: "Acme", Description: "d"})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if g.FullName != "Acme:Admins" || g.MemberCount != 0 || g.Version != 1 {
		t.Errorf("created group = %+v", g)
	}
	if _, err := c.CreateGroup(ctx, GroupCreate{Name: "admins", Organization: "ACME"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate group: %v, want ErrConflict", err)
	}
	if got, err := c.GetGroup(ctx, g.ID); err != nil || got.Name != "Admins" {
		t.Fatalf("GetGroup = %+v, %v", got, err)
	}
	found, err := c.ListGroups(ctx, GroupFilter{FullName: "acme:admins"})
	if err != nil || len(found) != 1 || found[0].ID != g.ID {
		t.Fatalf("ListGroups(full_name) = %+v, %v", found, err)
	}
	found, err = c.ListGroups(ctx, GroupFilter{Name: "Admins", Organization: "Acme"})
	if err != nil || len(found) != 1 {
		t.Fatalf("ListGroups(name, organization) = %+v, %v", found, err)
	}

	var users []*User
	for i := range 3 {
		u, err := c.CreateUser(ctx, UserCreate{Username: fmt.Sprintf("m%d", i), Email: fmt.Sprintf("m%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}

	m, err := c.AddMember(ctx, g.ID, users[0].ID)
	if err != nil || m.UserID != users[0].ID || m.Username != "m0" || m.CreatedAt.IsZero() {
		t.Fatalf("AddMember = %+v, %v", m, err)
	}
	if _, err := c.AddMember(ctx, g.ID, users[0].ID); err != nil {
		t.Errorf("adding an existing member again: %v", err)
	}
	got, err := c.GetMembership(ctx, g.ID, users[0].ID)
	if err != nil || got.Email != "m0@example.com" {
		t.Fatalf("GetMembership = %+v, %v", got, err)
	}
	if _, err := c.GetMembership(ctx, g.ID, users[1].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetMembership(non-member) = %v, want ErrNotFound", err)
	}

	ids, err := c.SetMembers(ctx, g.ID, []string{users[2].ID, users[1].ID, users[1].ID})
	if err != nil {
		t.Fatalf("SetMembers: %v", err)
	}
	want := []string{users[1].ID, users[2].ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("SetMembers = %v, want %v", ids, want)
	}
	before := c.RequestCount()
	ids, err = c.GetMemberIDs(ctx, g.ID)
	if err != nil || !slices.Equal(ids, want) {
		t.Errorf("GetMemberIDs = %v, %v", ids, err)
	}
	if c.RequestCount()-before != 1 {
		t.Errorf("GetMemberIDs took %d requests", c.RequestCount()-before)
	}
	members, err := c.ListMembers(ctx, g.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("ListMembers = %+v, %v", members, err)
	}
	inGroup, err := c.ListUsers(ctx, UserFilter{GroupID: g.ID})
	if err != nil || len(inGroup) != 2 {
		t.Errorf("ListUsers(group_id) = %d users, %v", len(inGroup), err)
	}
	if g2, err := c.GetGroup(ctx, g.ID); err != nil || g2.MemberCount != 2 {
		t.Errorf("member_count = %+v, %v", g2, err)
	}
	if _, err := c.SetMembers(ctx, g.ID, []string{"00000000-0000-0000-0000-000000000001"}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("SetMembers(unknown id) = %v, want ErrBadRequest", err)
	}

	if err := c.RemoveMember(ctx, g.ID, users[1].ID); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	if err := c.RemoveMember(ctx, g.ID, users[1].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing a non-member = %v, want ErrNotFound", err)
	}
	if ids, err := c.SetMembers(ctx, g.ID, nil); err != nil || len(ids) != 0 {
		t.Errorf("SetMembers(none) = %v, %v", ids, err)
	}

	up, err := c.UpdateGroup(ctx, g.ID, GroupUpdate{Organization: ptr(""), Description: ptr("new")})
	if err != nil || up.FullName != "Admins" || up.Description != "new" {
		t.Fatalf("UpdateGroup = %+v, %v", up, err)
	}
	if err := c.DeleteGroup(ctx, g.ID); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	if _, err := c.GetGroup(ctx, g.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetGroup after delete = %v, want ErrNotFound", err)
	}
	if _, err := c.GetMembership(ctx, g.ID, users[2].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetMembership in a deleted group = %v, want ErrNotFound", err)
	}
	if _, err := c.GetGroup(ctx, "not-a-uuid"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetGroup(not-a-uuid) = %v, want ErrNotFound", err)
	}
}

func TestIntegrationPermissions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := serverClient(t)
	u, err := c.CreateUser(ctx, UserCreate{Username: "perm", Email: "perm@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.CreateGroup(ctx, GroupCreate{Name: "devs"})
	if err != nil {
		t.Fatal(err)
	}

	pu, err := c.CreatePermission(ctx, PermissionCreate{Operation: "VIEW_PROJECT", Scope: "project:web", UserID: u.ID})
	if err != nil {
		t.Fatalf("CreatePermission(user): %v", err)
	}
	if pu.UserID != u.ID || pu.GroupID != "" || pu.Role != "" || pu.Version != 1 {
		t.Errorf("permission = %+v", pu)
	}
	pg, err := c.CreatePermission(ctx, PermissionCreate{Operation: "ADMIN_TENANT", Scope: "tenant:acme", GroupID: g.ID})
	if err != nil {
		t.Fatalf("CreatePermission(group): %v", err)
	}
	if _, err := c.CreatePermission(ctx, PermissionCreate{Operation: "SUPER_ADMIN", Scope: "global", Role: "operator"}); err != nil {
		t.Fatalf("CreatePermission(role): %v", err)
	}
	if _, err := c.CreatePermission(ctx, PermissionCreate{Operation: "VIEW_PROJECT", Scope: "project:web", UserID: u.ID}); !errors.Is(err, ErrConflict) {
		t.Errorf("same grant twice = %v, want ErrConflict", err)
	}
	if _, err := c.CreatePermission(ctx, PermissionCreate{Operation: "SUPER_ADMIN", Scope: "project:web", UserID: u.ID}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("operation on a wrong scope = %v, want ErrBadRequest", err)
	}

	got, err := c.GetPermission(ctx, pg.ID)
	if err != nil || got.Scope != "tenant:acme" || got.GroupID != g.ID {
		t.Fatalf("GetPermission = %+v, %v", got, err)
	}
	for _, tc := range []struct {
		f    PermissionFilter
		want int
	}{
		{PermissionFilter{}, 3},
		{PermissionFilter{UserID: u.ID}, 1},
		{PermissionFilter{GroupID: g.ID}, 1},
		{PermissionFilter{Role: "operator"}, 1},
		{PermissionFilter{Scope: "global"}, 1},
		{PermissionFilter{Operation: "VIEW_PROJECT"}, 1},
		{PermissionFilter{Operation: "VIEW_INVENTORY"}, 0},
	} {
		ps, err := c.ListPermissions(ctx, tc.f)
		if err != nil || len(ps) != tc.want {
			t.Errorf("ListPermissions(%+v) = %d, %v; want %d", tc.f, len(ps), err, tc.want)
		}
	}
	if err := c.DeletePermission(ctx, pu.ID); err != nil {
		t.Fatalf("DeletePermission: %v", err)
	}
	if _, err := c.GetPermission(ctx, pu.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetPermission after delete = %v, want ErrNotFound", err)
	}
}

func TestIntegrationTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv, c := serverClient(t)
	exp := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)

	ct, err := c.CreateToken(ctx, TokenCreate{Role: "auditor", Description: "CI", ExpiresAt: &exp})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if ct.ID == "" || ct.Secret == "" || ct.Role != "auditor" || ct.ExpiresAt == nil || !ct.ExpiresAt.Equal(exp) {
		t.Errorf("created token = %+v", ct.Token)
	}
	forever, err := c.CreateToken(ctx, TokenCreate{Role: "operator"})
	if err != nil || forever.ExpiresAt != nil {
		t.Fatalf("CreateToken(no expiry) = %+v, %v", forever, err)
	}

	tc, err := New(Config{Endpoint: srv.URL, Token: ct.Secret})
	if err != nil {
		t.Fatal(err)
	}
	me, err := tc.Me(ctx)
	if err != nil || me.Kind != KindToken || me.Token == nil || me.Token.ID != ct.ID || me.Level != 100 {
		t.Fatalf("Me with the token = %+v, %v", me, err)
	}
	if _, err := tc.ListUsers(ctx, UserFilter{}); err != nil {
		t.Errorf("auditor token reading users: %v", err)
	}
	if _, err := tc.CreateGroup(ctx, GroupCreate{Name: "nope"}); !errors.Is(err, ErrForbidden) {
		t.Errorf("auditor token creating a group = %v, want ErrForbidden", err)
	}

	got, err := c.GetToken(ctx, ct.ID)
	if err != nil || got.Description != "CI" || got.CreatedBy == "" {
		t.Fatalf("GetToken = %+v, %v", got, err)
	}
	all, err := c.ListTokens(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("ListTokens = %+v, %v", all, err)
	}
	if err := c.DeleteToken(ctx, ct.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	if _, err := tc.Me(ctx); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("revoked token = %v, want ErrUnauthorized", err)
	}
	if _, err := c.GetToken(ctx, ct.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetToken after delete = %v, want ErrNotFound", err)
	}
}

func TestIntegrationAudit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, c := serverClient(t)
	u, err := c.CreateUser(ctx, UserCreate{Username: "audited", Email: "audited@example.com", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateUser(ctx, u.ID, UserUpdate{FirstName: ptr("A")}); err != nil {
		t.Fatal(err)
	}
	events, err := c.ListAudit(ctx, AuditFilter{ObjectType: "user", ObjectID: u.ID})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if len(events) < 2 || events[0].Action != "user.create" || events[0].Outcome != "success" || events[0].Actor != "system" || events[0].At.IsZero() {
		t.Fatalf("events = %+v", events)
	}
	for _, e := range events {
		if strings.Contains(e.Detail, "correct horse battery") {
			t.Errorf("audit detail carries the password: %+v", e)
		}
	}
	creates, err := c.ListAudit(ctx, AuditFilter{Action: "user.create"})
	if err != nil || len(creates) != 1 {
		t.Errorf("ListAudit(action) = %d events, %v", len(creates), err)
	}
}

func TestIntegrationLogin(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := testserver.Start(t)
	log := &captureLogger{}
	c, err := New(Config{Endpoint: srv.URL, Username: "system", Password: srv.SuperuserPassword, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(ctx)
	if err != nil || me.Role != "sudo" || me.User == nil || me.User.Username != "system" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if c.RequestCount() != 2 {
		t.Errorf("RequestCount = %d, want 2 (login, me)", c.RequestCount())
	}

	// End the session behind the client's back: the next call logs in again.
	token, _ := c.session()
	other, err := New(Config{Endpoint: srv.URL, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, err := c.ListRoles(ctx); err != nil {
		t.Fatalf("ListRoles after the session ended: %v", err)
	}
	if newToken, _ := c.session(); newToken == token || newToken == "" {
		t.Error("the client did not start a new session")
	}
	if c.RequestCount() != 5 {
		t.Errorf("RequestCount = %d, want 5 (+ refused call, login, retried call)", c.RequestCount())
	}

	// Explicit logout, then lazy login again.
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}

	bad, err := New(Config{Endpoint: srv.URL, Username: "system", Password: "not the password", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Login(ctx); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("Login with a wrong password = %v, want ErrUnauthorized", err)
	}
	if logs := log.all(); strings.Contains(logs, srv.SuperuserPassword) || strings.Contains(logs, token) || strings.Contains(logs, "not the password") {
		t.Errorf("logs carry a secret:\n%s", logs)
	}
}

func TestIntegrationLoginRateLimited(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := testserver.Start(t, testserver.Options{LoginMaxFailures: 2})
	c, err := New(Config{Endpoint: srv.URL, Username: "system", Password: "not the password"})
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	c.clock = clock
	for range 2 {
		if err := c.Login(ctx); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("Login = %v, want ErrUnauthorized", err)
		}
	}
	before := c.RequestCount()
	err = c.Login(ctx)
	var locked *LoginLockedError
	if !errors.As(err, &locked) || !errors.Is(err, ErrRateLimited) || locked.RetryAfter <= 0 {
		t.Fatalf("Login after repeated failures = %v, want a *LoginLockedError with a wait", err)
	}
	if !strings.HasPrefix(err.Error(), `too many failed logins for "system", retry after `) {
		t.Errorf("Error() = %q", err.Error())
	}
	// Retrying cannot help before the lockout ends: one attempt, no wait.
	if n := c.RequestCount() - before; n != 1 || len(clock.waits()) != 0 {
		t.Errorf("%d attempts and waits %v; want one attempt and no wait", n, clock.waits())
	}
}

func TestIntegrationPaginationAndConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("creates over a thousand users")
	}
	t.Parallel()
	ctx := t.Context()
	_, c := serverClient(t)
	const n = 1030
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := c.CreateUser(ctx, UserCreate{Username: fmt.Sprintf("bulk%04d", i), Email: fmt.Sprintf("bulk%04d@bulk.example.com", i)})
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent CreateUser: %v", err)
	}
	before := c.RequestCount()
	users, err := c.ListUsers(ctx, UserFilter{EmailSuffix: "@bulk.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != n {
		t.Fatalf("ListUsers = %d users, want %d", len(users), n)
	}
	if pages := c.RequestCount() - before; pages != 3 {
		t.Errorf("ListUsers took %d requests, want 3 pages of 500", pages)
	}
	seen := map[string]bool{}
	for _, u := range users {
		if seen[u.ID] {
			t.Fatalf("user %s listed twice", u.ID)
		}
		seen[u.ID] = true
	}
}

func TestIntegrationUnreachable(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	url := srv.URL
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Endpoint: url, Token: "x", MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.clock = newFakeClock()
	_, err = c.Me(t.Context())
	var netErr *NetworkError
	if !errors.As(err, &netErr) || !strings.HasPrefix(err.Error(), "cannot reach identity server at "+url) {
		t.Fatalf("error = %v", err)
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnauthorized) {
		t.Error("a network error matches an API sentinel")
	}
}
