package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// pipelineResult is the access pipeline applied, refreshed and destroyed once.
type pipelineResult struct {
	users, groups, pairs, pairGroups, sets, setMembers, perms int
	resources                                                 int
	runs                                                      map[string]tfRun
}

// pipelineHCL describes users, groups, memberships in both styles (half as
// identity_group_membership pairs on the first half of the groups, half as
// identity_group_members sets on the other half) and permissions granted to
// users, groups and roles in turn.
func pipelineHCL(users, groups, members, perms int) (string, pipelineResult) {
	var b strings.Builder
	b.WriteString(providerBlock)
	fmt.Fprintf(&b, `
resource "identity_user" "u" {
  count      = %d
  username   = "pipe-${count.index}"
  email      = "pipe-${count.index}@example.com"
  first_name = "User"
  last_name  = "No ${count.index}"
}

resource "identity_group" "g" {
  count        = %d
  name         = "team-${count.index}"
  organization = "bench"
}
`, users, groups)
	pairGroups := groups / 2
	setGroups := groups - pairGroups
	pairs := members / 2
	setMembers := members - pairs
	// Pair memberships: user i joins pair group i mod pairGroups.
	fmt.Fprintf(&b, `
resource "identity_group_membership" "m" {
  count    = %d
  group_id = identity_group.g[count.index %% %d].id
  user_id  = identity_user.u[count.index %% %d].id
}
`, pairs, pairGroups, users)
	// Set memberships: the next users, spread evenly over the other groups.
	per := (setMembers + setGroups - 1) / setGroups
	fmt.Fprintf(&b, `
locals {
  set_members = [for g in range(%d) : [for i in range(%d) : identity_user.u[(%d + g * %d + i) %% %d].id if g * %d + i < %d]]
}

resource "identity_group_members" "s" {
  count    = %d
  group_id = identity_group.g[%d + count.index].id
  user_ids = local.set_members[count.index]
}
`, setGroups, per, pairs, per, users, per, setMembers, setGroups, pairGroups)
	// Permissions: a third each to users, groups and roles, on distinct scopes.
	fmt.Fprintf(&b, `
resource "identity_permission" "p" {
  count     = %d
  operation = "VIEW_PROJECT"
  scope     = "project:p-${count.index}"
  user_id   = count.index %% 3 == 0 ? identity_user.u[count.index %% %d].id : null
  group_id  = count.index %% 3 == 1 ? identity_group.g[count.index %% %d].id : null
  role      = count.index %% 3 == 2 ? "operator" : null
}
`, perms, users, groups)
	res := pipelineResult{users: users, groups: groups, pairs: pairs, pairGroups: pairGroups, sets: setGroups, setMembers: setMembers, perms: perms}
	res.resources = users + groups + pairs + setGroups + perms
	return b.String(), res
}

func benchPipeline(ctx context.Context, _ config, sz sizes, tf *terraform, tmp string, rep *report) error {
	base := filepath.Join(tmp, "pipeline")
	srv, err := startServer(base, "low")
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	hcl, res := pipelineHCL(sz.pipeUsers, sz.pipeGroups, sz.pipeMembers, sz.pipePerms)
	dir := filepath.Join(base, "config")
	if err := writeConfig(dir, hcl); err != nil {
		return err
	}
	res.runs = map[string]tfRun{}
	for _, ph := range phases {
		var r tfRun
		switch ph {
		case "apply":
			r, err = tf.apply(ctx, dir, srv)
		case "plan":
			r, err = tf.plan(ctx, dir, srv)
		case "destroy":
			r, err = tf.destroy(ctx, dir, srv)
		}
		if err != nil {
			return err
		}
		res.runs[ph] = r
		logf("pipeline %s: %s, %d requests (%.2f per resource) on %d connections", ph, secs(r.elapsed), r.requests, float64(r.requests)/float64(res.resources), r.conns)
	}
	rep.pipeline = &res
	return nil
}

// durationsPerResource renders d / n in milliseconds.
func perResource(d time.Duration, n int) string {
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000/float64(n))
}
