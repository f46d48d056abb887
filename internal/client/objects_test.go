package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPaginationFollowsCursors(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		q := r.URL.Query()
		if q.Get("limit") != "500" || q.Get("role") != "guest" {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		start := 0
		if c := q.Get("cursor"); c != "" {
			var err error
			if start, err = strconv.Atoi(strings.TrimPrefix(c, "c")); err != nil {
				writeProblem(w, 400, "bad cursor", nil)
				return
			}
		}
		var items []map[string]any
		for i := start; i < start+500 && i < 1203; i++ {
			items = append(items, map[string]any{"id": fmt.Sprintf("u%d", i), "username": fmt.Sprintf("user%d", i)})
		}
		next := ""
		if start+500 < 1203 {
			next = fmt.Sprintf("c%d", start+500)
		}
		writeJSON(w, 200, map[string]any{"items": items, "next_cursor": next})
	})
	c := newTestClient(t, f.URL)
	users, err := c.ListUsers(context.Background(), UserFilter{Role: "guest"})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1203 || users[0].ID != "u0" || users[1202].ID != "u1202" {
		t.Fatalf("got %d users", len(users))
	}
	if len(queries) != 3 || !strings.Contains(queries[1], "cursor=c500") || !strings.Contains(queries[2], "cursor=c1000") {
		t.Errorf("queries = %v", queries)
	}
}

func TestPaginationCursorLoop(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"items": []any{map[string]any{"id": "g"}}, "next_cursor": "same"})
	})
	c := newTestClient(t, f.URL)
	if _, err := c.ListGroups(context.Background(), GroupFilter{}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("error = %v, want a cursor loop error", err)
	}
}

func TestEmptyListIsNotNil(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"items": []any{}, "next_cursor": ""})
	})
	c := newTestClient(t, f.URL)
	roles, err := c.ListRoles(context.Background())
	if err != nil || roles == nil || len(roles) != 0 {
		t.Fatalf("roles = %#v, err = %v", roles, err)
	}
}

// recorded is one request as the fake server saw it.
type recorded struct {
	Method, Path, Query string
	Body                map[string]any
}

// recorder answers every request with resp and records it.
func recorder(t *testing.T, status int, resp any) (*fake, *[]recorded) {
	t.Helper()
	var mu sync.Mutex
	var got []recorded
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		rec := recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery}
		data, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		if len(data) > 0 {
			if err := json.Unmarshal(data, &rec.Body); err != nil {
				t.Errorf("body %s: %v", data, err)
			}
		}
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, resp)
	})
	return f, &got
}

func TestRequestShapes(t *testing.T) {
	ctx := context.Background()
	str := func(s string) *string { return &s }
	level := int64(0)
	disabled := true
	var nilAttrs map[string]string
	exp := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

	tests := []struct {
		name      string
		call      func(c *Client) error
		method    string
		path      string
		query     string
		body      map[string]any
		status    int
		response  any
		checkResp func(t *testing.T)
	}{
		{
			name: "create user omits empty optionals",
			call: func(c *Client) error {
				_, err := c.CreateUser(ctx, UserCreate{Username: "alice", Email: "alice@example.com"})
				return err
			},
			method: "POST", path: "/api/v1/users",
			body: map[string]any{"username": "alice", "email": "alice@example.com"},
		},
		{
			name: "create user with everything",
			call: func(c *Client) error {
				_, err := c.CreateUser(ctx, UserCreate{
					Username: "alice", Email: "a@example.com", FirstName: "A", LastName: "L", Organization: "W",
					Role: "operator", Disabled: true, Attributes: map[string]string{"team": "blue"}, Password: "pw-12345678",
				})
				return err
			},
			method: "POST", path: "/api/v1/users",
			body: map[string]any{
				"username": "alice", "email": "a@example.com", "first_name": "A", "last_name": "L",
				"organization": "W", "role": "operator", "disabled": true,
				"attributes": map[string]any{"team": "blue"}, "password": "pw-12345678",
			},
		},
		{
			name: "update user sends only set fields",
			call: func(c *Client) error {
				_, err := c.UpdateUser(ctx, "u 1/x", UserUpdate{Organization: str(""), Disabled: &disabled, Attributes: &nilAttrs})
				return err
			},
			method: "PATCH", path: "/api/v1/users/u%201%2Fx",
			body: map[string]any{"organization": "", "disabled": true, "attributes": map[string]any{}},
		},
		{
			name:   "set own password",
			call:   func(c *Client) error { return c.SetUserPassword(ctx, "u1", "new-password", "old-password") },
			method: "PUT", path: "/api/v1/users/u1/password", status: 204,
			body: map[string]any{"new_password": "new-password", "current_password": "old-password"},
		},
		{
			name:   "reset password",
			call:   func(c *Client) error { return c.SetUserPassword(ctx, "u1", "new-password", "") },
			method: "PUT", path: "/api/v1/users/u1/password", status: 204,
			body: map[string]any{"new_password": "new-password"},
		},
		{
			name:   "delete user",
			call:   func(c *Client) error { return c.DeleteUser(ctx, "u1") },
			method: "DELETE", path: "/api/v1/users/u1", status: 204,
		},
		{
			name: "list users filters",
			call: func(c *Client) error {
				_, err := c.ListUsers(ctx, UserFilter{EmailSuffix: "@example.com", Organization: "Acme", GroupID: "g1"})
				return err
			},
			method: "GET", path: "/api/v1/users",
			query:    "email_suffix=%40example.com&group_id=g1&limit=500&organization=Acme",
			response: map[string]any{"items": []any{}, "next_cursor": ""},
		},
		{
			name: "create role sends level 0",
			call: func(c *Client) error {
				_, err := c.CreateRole(ctx, RoleCreate{Name: "deployer", Level: 0})
				return err
			},
			method: "POST", path: "/api/v1/roles",
			body: map[string]any{"name": "deployer", "level": float64(0)},
		},
		{
			name: "update role",
			call: func(c *Client) error {
				_, err := c.UpdateRole(ctx, "deployer", RoleUpdate{Level: &level, Description: str("d")})
				return err
			},
			method: "PATCH", path: "/api/v1/roles/deployer",
			body: map[string]any{"level": float64(0), "description": "d"},
		},
		{
			name:   "delete role",
			call:   func(c *Client) error { return c.DeleteRole(ctx, "deployer") },
			method: "DELETE", path: "/api/v1/roles/deployer", status: 204,
		},
		{
			name: "list groups by full name",
			call: func(c *Client) error {
				_, err := c.ListGroups(ctx, GroupFilter{FullName: "Acme:Admins"})
				return err
			},
			method: "GET", path: "/api/v1/groups", query: "full_name=Acme%3AAdmins&limit=500",
			response: map[string]any{"items": []any{}, "next_cursor": ""},
		},
		{
			name: "update group clears organization",
			call: func(c *Client) error {
				_, err := c.UpdateGroup(ctx, "g1", GroupUpdate{Organization: str("")})
				return err
			},
			method: "PATCH", path: "/api/v1/groups/g1",
			body: map[string]any{"organization": ""},
		},
		{
			name: "member ids",
			call: func(c *Client) error {
				ids, err := c.GetMemberIDs(ctx, "g1")
				if err == nil && !reflect.DeepEqual(ids, []string{"a", "b"}) {
					err = fmt.Errorf("ids = %v", ids)
				}
				return err
			},
			method: "GET", path: "/api/v1/groups/g1/members", query: "ids_only=true",
			response: map[string]any{"group_id": "g1", "user_ids": []string{"a", "b"}, "version": 3},
		},
		{
			name: "set members to none sends an empty list",
			call: func(c *Client) error {
				ids, err := c.SetMembers(ctx, "g1", nil)
				if err == nil && (ids == nil || len(ids) != 0) {
					err = fmt.Errorf("ids = %#v", ids)
				}
				return err
			},
			method: "PUT", path: "/api/v1/groups/g1/members",
			body:     map[string]any{"user_ids": []any{}},
			response: map[string]any{"group_id": "g1", "user_ids": []string{}, "version": 4},
		},
		{
			name: "add member",
			call: func(c *Client) error {
				_, err := c.AddMember(ctx, "g1", "u1")
				return err
			},
			method: "PUT", path: "/api/v1/groups/g1/members/u1",
			response: map[string]any{"group_id": "g1", "user_id": "u1"},
		},
		{
			name:   "remove member",
			call:   func(c *Client) error { return c.RemoveMember(ctx, "g1", "u1") },
			method: "DELETE", path: "/api/v1/groups/g1/members/u1", status: 204,
		},
		{
			name: "create permission for a role",
			call: func(c *Client) error {
				_, err := c.CreatePermission(ctx, PermissionCreate{Operation: "VIEW_PROJECT", Scope: "project:web", Role: "operator"})
				return err
			},
			method: "POST", path: "/api/v1/permissions",
			body: map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "role": "operator"},
		},
		{
			name: "list permissions filters",
			call: func(c *Client) error {
				_, err := c.ListPermissions(ctx, PermissionFilter{Scope: "global", Operation: "SUPER_ADMIN"})
				return err
			},
			method: "GET", path: "/api/v1/permissions", query: "limit=500&operation=SUPER_ADMIN&scope=global",
			response: map[string]any{"items": []any{}, "next_cursor": ""},
		},
		{
			name: "create token with expiry",
			call: func(c *Client) error {
				_, err := c.CreateToken(ctx, TokenCreate{Role: "operator", Description: "CI", ExpiresAt: &exp})
				return err
			},
			method: "POST", path: "/api/v1/tokens",
			body: map[string]any{"role": "operator", "description": "CI", "expires_at": "2027-01-01T00:00:00Z"},
		},
		{
			name: "create token without expiry",
			call: func(c *Client) error {
				_, err := c.CreateToken(ctx, TokenCreate{Role: "operator"})
				return err
			},
			method: "POST", path: "/api/v1/tokens",
			body: map[string]any{"role": "operator"},
		},
		{
			name: "audit filters",
			call: func(c *Client) error {
				_, err := c.ListAudit(ctx, AuditFilter{ObjectType: "user", Action: "user.create"})
				return err
			},
			method: "GET", path: "/api/v1/audit", query: "action=user.create&limit=500&object_type=user",
			response: map[string]any{"items": []any{}, "next_cursor": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp := tt.status, tt.response
			if status == 0 {
				status = 200
			}
			if resp == nil {
				resp = map[string]any{}
			}
			f, got := recorder(t, status, resp)
			c := newTestClient(t, f.URL)
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			if len(*got) != 1 {
				t.Fatalf("%d requests, want 1", len(*got))
			}
			r := (*got)[0]
			if r.Method != tt.method || r.Path != tt.path || r.Query != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", r.Method, r.Path, r.Query, tt.method, tt.path, tt.query)
			}
			if !reflect.DeepEqual(r.Body, tt.body) {
				t.Errorf("body = %#v, want %#v", r.Body, tt.body)
			}
		})
	}
}

func TestDecodeObjects(t *testing.T) {
	const tokenJSON = `{"id":"t1","role":"operator","description":"CI","expires_at":null,
		"created_at":"2026-11-23T11:00:00.123456789Z","created_by":"sys","version":1,"token":"jwt.x.y"}`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/tokens":
			_, _ = io.WriteString(w, tokenJSON)
		case "/api/v1/me":
			_, _ = io.WriteString(w, `{"kind":"token","role":"operator","level":10,"token":`+tokenJSON+`}`)
		case "/api/v1/users/u1":
			_, _ = io.WriteString(w, `{"id":"u1","username":"Alice","email":"alice@example.com","first_name":"","last_name":"",
				"organization":"","role":"guest","disabled":false,"attributes":{},"created_at":"2026-11-23T11:00:00.123456789Z",
				"updated_at":"2026-11-23T11:00:00.123456789Z","version":2,"some_future_field":1}`)
		}
	})
	c := newTestClient(t, f.URL)
	ct, err := c.CreateToken(context.Background(), TokenCreate{Role: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	if ct.ID != "t1" || ct.Secret != "jwt.x.y" || ct.ExpiresAt != nil || ct.CreatedAt.Nanosecond() != 123456789 {
		t.Errorf("token = %+v", ct)
	}
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.Kind != KindToken || me.Level != 10 || me.Token == nil || me.Token.ID != "t1" || me.User != nil {
		t.Errorf("me = %+v", me)
	}
	u, err := c.GetUser(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Version != 2 || u.Attributes == nil || u.Username != "Alice" {
		t.Errorf("user = %+v", u)
	}
}

func TestGetUserByEmail(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("limit") != "2" {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		if r.URL.Query().Get("email") == "alice@example.com" || r.URL.Query().Get("username") == "alice" {
			writeJSON(w, 200, map[string]any{"items": []any{map[string]any{"id": "u1"}}, "next_cursor": ""})
			return
		}
		writeJSON(w, 200, map[string]any{"items": []any{}, "next_cursor": ""})
	})
	c := newTestClient(t, f.URL)
	u, err := c.GetUserByEmail(context.Background(), "alice@example.com")
	if err != nil || u.ID != "u1" {
		t.Fatalf("GetUserByEmail = %+v, %v", u, err)
	}
	u, err = c.GetUserByUsername(context.Background(), "alice")
	if err != nil || u.ID != "u1" {
		t.Fatalf("GetUserByUsername = %+v, %v", u, err)
	}
	_, err = c.GetUserByEmail(context.Background(), "bob@example.com")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"bob@example.com"`) {
		t.Fatalf("error = %v, want ErrNotFound naming the email", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("error %T is not a 404 *APIError", err)
	}
	before := f.hits.Load()
	if _, err := c.GetUserByUsername(context.Background(), ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty username: %v", err)
	}
	if f.hits.Load() != before {
		t.Error("an empty username was sent to the server")
	}
}

func TestGetMembership(t *testing.T) {
	members := make([]map[string]any, 1200)
	for i := range members {
		members[i] = map[string]any{"group_id": "g1", "user_id": fmt.Sprintf("u%d", i), "username": fmt.Sprintf("user%d", i)}
	}
	serve := func(filter bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/v1/groups/g1/members" {
				writeProblem(w, 404, "group not found", nil)
				return
			}
			q := r.URL.Query()
			items := members
			if filter {
				items = nil
				for _, m := range members {
					if m["user_id"] == q.Get("user_id") {
						items = append(items, m)
					}
				}
			}
			start := 0
			if cur := q.Get("cursor"); cur != "" {
				start, _ = strconv.Atoi(cur)
			}
			end := min(start+500, len(items))
			next := ""
			if end < len(items) {
				next = strconv.Itoa(end)
			}
			writeJSON(w, 200, map[string]any{"items": items[start:end], "next_cursor": next})
		}
	}

	t.Run("server filters", func(t *testing.T) {
		f := newFake(t, serve(true))
		c := newTestClient(t, f.URL)
		m, err := c.GetMembership(context.Background(), "g1", "u1100")
		if err != nil || m.Username != "user1100" {
			t.Fatalf("membership = %+v, %v", m, err)
		}
		_, err = c.GetMembership(context.Background(), "g1", "nobody")
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("error = %v, want ErrNotFound", err)
		}
		if f.hits.Load() != 2 {
			t.Errorf("requests = %d, want one per lookup", f.hits.Load())
		}
		_, err = c.GetMembership(context.Background(), "g2", "u1")
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing group: error = %v, want ErrNotFound", err)
		}
	})

	t.Run("server ignores the filter", func(t *testing.T) {
		f := newFake(t, serve(false))
		c := newTestClient(t, f.URL)
		m, err := c.GetMembership(context.Background(), "g1", "u1100")
		if err != nil || m.Username != "user1100" {
			t.Fatalf("membership = %+v, %v", m, err)
		}
		if _, err := c.GetMembership(context.Background(), "g1", "nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("error = %v, want ErrNotFound", err)
		}
	})
}

func TestHealth(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.Header.Get("Authorization") != "" {
			t.Errorf("%s with Authorization %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		writeJSON(w, 200, map[string]any{"status": "ok"})
	})
	c := newTestClient(t, f.URL)
	if err := c.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
}
