package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// largeGroupResult is one identity_group_members with many members.
type largeGroupResult struct {
	members int
	runs    map[string]tfRun // apply (create), plan (refresh), change (apply swapping one member), destroy
	order   []string
}

// benchLargeGroup seeds the users directly (their creation is not what is
// measured), then manages one group's whole member set with Terraform.
func benchLargeGroup(ctx context.Context, _ config, sz sizes, tf *terraform, tmp string, rep *report) error {
	base := filepath.Join(tmp, "largegroup")
	srv, err := startServer(base, "low")
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	users, err := seedUsers(ctx, srv.DBPath, "big", 0, sz.largeGroup+1)
	if err != nil {
		return err
	}
	ids := make([]string, sz.largeGroup)
	for i := range ids {
		ids[i] = users[i].id
	}
	dir := filepath.Join(base, "config")
	writeIDs := func(ids []string) error {
		b, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "members.json"), b, 0o600)
	}
	hcl := providerBlock + `
resource "identity_group" "big" {
  name = "everyone"
}

resource "identity_group_members" "big" {
  group_id = identity_group.big.id
  user_ids = jsondecode(file("${path.module}/members.json"))
}
`
	if err := writeConfig(dir, hcl); err != nil {
		return err
	}
	if err := writeIDs(ids); err != nil {
		return err
	}
	res := largeGroupResult{members: sz.largeGroup, runs: map[string]tfRun{}}
	record := func(name string, r tfRun, err error) error {
		if err != nil {
			return err
		}
		res.runs[name] = r
		res.order = append(res.order, name)
		logf("large group %s: %s, %d requests", name, secs(r.elapsed), r.requests)
		return nil
	}
	r, err := tf.apply(ctx, dir, srv)
	if err := record("apply (create)", r, err); err != nil {
		return err
	}
	r, err = tf.plan(ctx, dir, srv)
	if err := record("plan (refresh, no changes)", r, err); err != nil {
		return err
	}
	// Swap one member for the spare user: still one whole-set request.
	changed := append([]string{users[sz.largeGroup].id}, ids[1:]...)
	if err := writeIDs(changed); err != nil {
		return err
	}
	r, err = tf.run(ctx, dir, srv, "plan", "-input=false", "-no-color", "-detailed-exitcode", tf.par())
	if err == nil && !r.changes {
		err = fmt.Errorf("plan after swapping a member found no changes")
	}
	if err := record("plan (one member swapped)", r, err); err != nil {
		return err
	}
	r, err = tf.apply(ctx, dir, srv)
	if err := record("apply (one member swapped)", r, err); err != nil {
		return err
	}
	r, err = tf.destroy(ctx, dir, srv)
	if err := record("destroy", r, err); err != nil {
		return err
	}
	rep.largeGroup = &res
	return nil
}
