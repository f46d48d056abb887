package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// api is a minimal client for reading the server back; the demo talks to the
// HTTP API directly so it shows what the server holds, not what the provider
// believes.
type api struct {
	base  string
	token string
	http  *http.Client
}

type apiUser struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Role     string `json:"role"`
}

type apiGroup struct {
	ID       string `json:"id"`
	FullName string `json:"full_name"`
}

type apiRole struct {
	Name    string `json:"name"`
	Level   int    `json:"level"`
	Builtin bool   `json:"builtin"`
}

type apiPermission struct {
	Operation string `json:"operation"`
	Scope     string `json:"scope"`
	UserID    string `json:"user_id"`
	GroupID   string `json:"group_id"`
	Role      string `json:"role"`
}

type apiToken struct {
	ID          string  `json:"id"`
	Role        string  `json:"role"`
	Description string  `json:"description"`
	ExpiresAt   *string `json:"expires_at"`
}

// showServer logs in as the system user and prints counts and names of what
// the server holds.
func showServer(ctx context.Context, w io.Writer, base, password string) error {
	c := &api{base: base, http: &http.Client{Timeout: 30 * time.Second}}
	var login struct {
		Token string `json:"token"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/login", map[string]string{"username": "system", "password": password}, &login); err != nil {
		return fmt.Errorf("logging in as system: %w", err)
	}
	c.token = login.Token
	defer func() { _ = c.do(context.WithoutCancel(ctx), http.MethodPost, "/api/v1/logout", nil, nil) }()

	users, err := list[apiUser](ctx, c, "/api/v1/users")
	if err != nil {
		return err
	}
	groups, err := list[apiGroup](ctx, c, "/api/v1/groups")
	if err != nil {
		return err
	}
	roles, err := list[apiRole](ctx, c, "/api/v1/roles")
	if err != nil {
		return err
	}
	perms, err := list[apiPermission](ctx, c, "/api/v1/permissions")
	if err != nil {
		return err
	}
	tokens, err := list[apiToken](ctx, c, "/api/v1/tokens")
	if err != nil {
		return err
	}

	usernames := map[string]string{}
	var userLines []string
	for _, u := range users {
		usernames[u.ID] = u.Username
		userLines = append(userLines, fmt.Sprintf("%s (%s)", u.Username, u.Role))
	}
	groupNames := map[string]string{}
	var groupLines []string
	memberships := 0
	for _, g := range groups {
		groupNames[g.ID] = g.FullName
		var members struct {
			UserIDs []string `json:"user_ids"`
		}
		if err := c.do(ctx, http.MethodGet, "/api/v1/groups/"+url.PathEscape(g.ID)+"/members?ids_only=true", nil, &members); err != nil {
			return err
		}
		memberships += len(members.UserIDs)
		names := make([]string, 0, len(members.UserIDs))
		for _, id := range members.UserIDs {
			names = append(names, nameOr(usernames, id))
		}
		sort.Strings(names)
		line := g.FullName + ": no members"
		if len(names) > 0 {
			line = g.FullName + ": " + strings.Join(names, ", ")
		}
		groupLines = append(groupLines, line)
	}
	var roleLines []string
	for _, r := range roles {
		if !r.Builtin {
			roleLines = append(roleLines, fmt.Sprintf("%s (level %d)", r.Name, r.Level))
		}
	}
	var permLines []string
	for _, p := range perms {
		to := "role " + p.Role
		switch {
		case p.UserID != "":
			to = "user " + nameOr(usernames, p.UserID)
		case p.GroupID != "":
			to = "group " + nameOr(groupNames, p.GroupID)
		}
		permLines = append(permLines, fmt.Sprintf("%s on %s to %s", p.Operation, p.Scope, to))
	}
	var tokenLines []string
	for _, t := range tokens {
		line := fmt.Sprintf("%q as %s", t.Description, t.Role)
		if t.ExpiresAt != nil && *t.ExpiresAt != "" {
			line += ", expires " + *t.ExpiresAt
		}
		tokenLines = append(tokenLines, line)
	}

	section(w, fmt.Sprintf("users: %d", len(users)), userLines)
	section(w, fmt.Sprintf("groups: %d, memberships: %d", len(groups), memberships), groupLines)
	section(w, fmt.Sprintf("custom roles: %d", len(roleLines)), roleLines)
	section(w, fmt.Sprintf("permissions: %d", len(perms)), permLines)
	section(w, fmt.Sprintf("third-party tokens: %d", len(tokens)), tokenLines)
	return nil
}

// maxLines bounds each section so a large configuration stays readable.
const maxLines = 15

func section(w io.Writer, title string, lines []string) {
	fmt.Fprintf(w, "    %s\n", title)
	for i, l := range lines {
		if i == maxLines {
			fmt.Fprintf(w, "      … and %d more\n", len(lines)-maxLines)
			break
		}
		fmt.Fprintf(w, "      - %s\n", l)
	}
}

func nameOr(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

// list follows next_cursor through every page of a collection.
func list[T any](ctx context.Context, c *api, path string) ([]T, error) {
	var all []T
	cursor := ""
	for {
		q := url.Values{"limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []T    `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := c.do(ctx, http.MethodGet, path+"?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

func (c *api) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var problem struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &problem) == nil && (problem.Title != "" || problem.Detail != "") {
			msg = strings.TrimSpace(problem.Title + ": " + problem.Detail)
		}
		return fmt.Errorf("%s %s: %s: %s", method, strings.SplitN(path, "?", 2)[0], resp.Status, msg)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}
