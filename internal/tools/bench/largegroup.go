package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/google/uuid"
)

// largeGroupResult is one identity_group_members with many members, plus the
// apply of whole member sets of a few sizes against terraform_data holding
// the same set.
type largeGroupResult struct {
	members int
	runs    map[string]tfRun
	order   []string
	applies []setApply
	// terraform_data with the same set, planned alternately with the group
	dataPlans  []time.Duration
	planRatios []float64
}

// setApply is one size of the set-apply comparison.
type setApply struct {
	n                                             int
	members, data                                 time.Duration // apply creating the set
	membersPlan, dataPlan                         time.Duration // plan with nothing to change
	membersSwap, dataSwap                         time.Duration // apply replacing one element
	membersReqs, membersPlanReqs, membersSwapReqs int64
}

// benchLargeGroup seeds the users directly (their creation is not what is
// measured). The group of sz.largeGroup members is filled through the API and
// imported, then planned: Terraform's own post-apply consistency check
// compares every planned set element with every applied one (quadratic in
// the set's size, for any provider and for terraform_data alike), so a
// 10,000-element set cannot be applied in reasonable time by Terraform
// itself. Applies are measured at smaller sizes side by side with
// terraform_data holding the same set.
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
	ids := make([]string, len(users))
	for i := range users {
		ids[i] = users[i].id
	}
	cl := newAPIClient(srv.URL, srv.Token, 2)
	defer cl.close()
	var group struct {
		ID string `json:"id"`
	}
	if err := cl.do(ctx, "POST", "/api/v1/groups", map[string]any{"name": "everyone"}, &group); err != nil {
		return err
	}
	if err := cl.do(ctx, "PUT", "/api/v1/groups/"+group.ID+"/members", map[string]any{"user_ids": ids[:sz.largeGroup]}, nil); err != nil {
		return err
	}

	dir := filepath.Join(base, "config")
	hcl := providerBlock + fmt.Sprintf(`
import {
  to = identity_group.big
  id = %[1]q
}

import {
  to = identity_group_members.big
  id = %[1]q
}

resource "identity_group" "big" {
  name = "everyone"
}

resource "identity_group_members" "big" {
  group_id = identity_group.big.id
  user_ids = jsondecode(file("${path.module}/members.json"))
}
`, group.ID)
	if err := writeConfig(dir, hcl); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "members.json"), ids[:sz.largeGroup]); err != nil {
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
	if err := record("apply (import group and member set)", r, err); err != nil {
		return err
	}
	// The floor: terraform_data holding the same set, its state written
	// directly (as the import did for the group), planned alternately with it.
	dataDir := filepath.Join(base, "data")
	if err := writeDataSetState(dataDir, ids[:sz.largeGroup]); err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		var a, b tfRun
		if i%2 == 0 {
			if a, err = tf.plan(ctx, dir, srv); err == nil {
				b, err = tf.plan(ctx, dataDir, nil)
			}
		} else {
			if b, err = tf.plan(ctx, dataDir, nil); err == nil {
				a, err = tf.plan(ctx, dir, srv)
			}
		}
		if err := record(fmt.Sprintf("plan (refresh, no changes) #%d", i+1), a, err); err != nil {
			return err
		}
		res.dataPlans = append(res.dataPlans, b.elapsed)
		res.planRatios = append(res.planRatios, a.elapsed.Seconds()/b.elapsed.Seconds())
		logf("large group terraform_data plan #%d: %s", i+1, secs(b.elapsed))
	}
	// Swap one member for the spare user: the plan shows one change.
	if err := writeJSON(filepath.Join(dir, "members.json"), append([]string{ids[sz.largeGroup]}, ids[1:sz.largeGroup]...)); err != nil {
		return err
	}
	r, err = tf.run(ctx, dir, srv, "plan", "-input=false", "-no-color", "-detailed-exitcode", tf.par())
	if err == nil && !r.changes {
		err = fmt.Errorf("plan after swapping a member found no changes")
	}
	if err := record("plan (one member swapped)", r, err); err != nil {
		return err
	}

	for _, n := range sz.setApplySizes {
		if n > len(ids)-1 {
			continue
		}
		a, err := benchSetApply(ctx, tf, srv, filepath.Join(base, fmt.Sprintf("apply-%d", n)), ids, n)
		if err != nil {
			return err
		}
		logf("set apply n=%d: create %s vs %s, swap %s vs %s, plan %s vs %s", n, secs(a.members), secs(a.data),
			secs(a.membersSwap), secs(a.dataSwap), secs(a.membersPlan), secs(a.dataPlan))
		res.applies = append(res.applies, a)
	}
	rep.largeGroup = &res
	return nil
}

// benchSetApply applies a group with n members and then swaps one, and does
// the same with terraform_data holding the same set of strings.
func benchSetApply(ctx context.Context, tf *terraform, srv *benchServer, dir string, ids []string, n int) (setApply, error) {
	a := setApply{n: n}
	dirA, dirB := filepath.Join(dir, "members"), filepath.Join(dir, "data")
	hclA := providerBlock + fmt.Sprintf(`
resource "identity_group" "g" {
  name = "set-%d"
}

resource "identity_group_members" "g" {
  group_id = identity_group.g.id
  user_ids = jsondecode(file("${path.module}/members.json"))
}
`, n)
	hclB := `
resource "terraform_data" "g" {
  input = toset(jsondecode(file("${path.module}/members.json")))
}
`
	if err := writeConfig(dirA, hclA); err != nil {
		return a, err
	}
	if err := writeConfig(dirB, hclB); err != nil {
		return a, err
	}
	first, swapped := ids[:n], append([]string{ids[n]}, ids[1:n]...)
	for _, d := range []string{dirA, dirB} {
		if err := writeJSON(filepath.Join(d, "members.json"), first); err != nil {
			return a, err
		}
	}
	r, err := tf.apply(ctx, dirA, srv)
	if err != nil {
		return a, err
	}
	a.members, a.membersReqs = r.elapsed, r.requests
	if r, err = tf.apply(ctx, dirB, nil); err != nil {
		return a, err
	}
	a.data = r.elapsed
	if r, err = tf.plan(ctx, dirA, srv); err != nil {
		return a, err
	}
	a.membersPlan, a.membersPlanReqs = r.elapsed, r.requests
	if r, err = tf.plan(ctx, dirB, nil); err != nil {
		return a, err
	}
	a.dataPlan = r.elapsed
	for _, d := range []string{dirA, dirB} {
		if err := writeJSON(filepath.Join(d, "members.json"), swapped); err != nil {
			return a, err
		}
	}
	if r, err = tf.apply(ctx, dirB, nil); err != nil {
		return a, err
	}
	a.dataSwap = r.elapsed
	if r, err = tf.apply(ctx, dirA, srv); err != nil {
		return a, err
	}
	a.membersSwap, a.membersSwapReqs = r.elapsed, r.requests
	if _, err := tf.destroy(ctx, dirA, srv); err != nil {
		return a, err
	}
	return a, nil
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// writeDataSetState writes a configuration of one terraform_data holding ids
// as a set, and the state Terraform would have stored for it after an apply:
// a set that large cannot be applied in reasonable time (see above), and
// only the plan is compared.
func writeDataSetState(dir string, ids []string) error {
	if err := writeConfig(dir, `
resource "terraform_data" "g" {
  input = toset(jsondecode(file("${path.module}/members.json")))
}
`); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "members.json"), ids); err != nil {
		return err
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	set := map[string]any{"value": sorted, "type": []string{"set", "string"}}
	state := map[string]any{
		"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": uuid.NewString(), "outputs": map[string]any{},
		"resources": []any{map[string]any{
			"mode": "managed", "type": "terraform_data", "name": "g",
			"provider": `provider["terraform.io/builtin/terraform"]`,
			"instances": []any{map[string]any{
				"schema_version": 0,
				"attributes": map[string]any{
					"id": uuid.NewString(), "input": set, "output": set, "triggers_replace": nil,
				},
				"sensitive_attributes": []any{},
			}},
		}},
		"check_results": nil,
	}
	return writeJSON(filepath.Join(dir, "terraform.tfstate"), state)
}
