package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/seed/terraform-provider-identity/internal/catalog"
	"github.com/seed/terraform-provider-identity/internal/client"
)

// showServer logs in as the system user with the project's API client and
// prints counts and names of what the server holds: read from the server, not
// from Terraform's state.
func showServer(ctx context.Context, w io.Writer, base, password string) error {
	c, err := client.New(client.Config{Endpoint: base, Username: catalog.SystemUsername, Password: password, DisableRetries: true})
	if err != nil {
		return err
	}
	if err := c.Login(ctx); err != nil {
		return fmt.Errorf("logging in as %s: %w", catalog.SystemUsername, err)
	}
	defer func() { _ = c.Logout(context.WithoutCancel(ctx)) }()

	users, err := c.ListUsers(ctx, client.UserFilter{})
	if err != nil {
		return err
	}
	groups, err := c.ListGroups(ctx, client.GroupFilter{})
	if err != nil {
		return err
	}
	roles, err := c.ListRoles(ctx)
	if err != nil {
		return err
	}
	perms, err := c.ListPermissions(ctx, client.PermissionFilter{})
	if err != nil {
		return err
	}
	tokens, err := c.ListTokens(ctx)
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
		ids, err := c.GetMemberIDs(ctx, g.ID)
		if err != nil {
			return err
		}
		memberships += len(ids)
		names := make([]string, 0, len(ids))
		for _, id := range ids {
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
		if t.ExpiresAt != nil {
			line += ", expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
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
