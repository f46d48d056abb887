package testserver_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/seed/terraform-provider-identity/testserver"
)

func TestRoles(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	_, adminTok := mkUser(t, s, "ada", "admin")
	admin := as(t, s, adminTok)

	r := admin.must(201, "POST", "/api/v1/roles", map[string]any{"name": "deployer", "level": 50, "description": "Deploys"})
	if r.body["builtin"] != false || r.header.Get("ETag") != `"1"` {
		t.Fatalf("create role %s", r.raw)
	}
	admin.must(409, "POST", "/api/v1/roles", map[string]any{"name": "deployer", "level": 60})
	admin.must(403, "POST", "/api/v1/roles", map[string]any{"name": "peer", "level": 1})
	admin.must(400, "POST", "/api/v1/roles", map[string]any{"name": "Bad Name", "level": 2000})
	admin.must(400, "POST", "/api/v1/roles", map[string]any{"name": "nolevel"})
	as(t, s, login(t, s, "system", s.SuperuserPassword)).must(201, "POST", "/api/v1/roles", map[string]any{"name": "peer", "level": 1})

	// Ordered by level, then name, with paging.
	var names []string
	cursor := ""
	for {
		r = root.must(200, "GET", "/api/v1/roles?limit=3&cursor="+cursor, nil)
		for _, it := range r.items() {
			names = append(names, fmt.Sprint(it["name"]))
		}
		if cursor = r.str("next_cursor"); cursor == "" {
			break
		}
	}
	if strings.Join(names, ",") != "sudo,admin,peer,supervisor,operator,deployer,auditor,guest" {
		t.Fatalf("roles %v", names)
	}

	admin.must(200, "PATCH", "/api/v1/roles/deployer", map[string]any{"level": 40, "description": "Ships"}, "If-Match", `"1"`)
	admin.must(412, "PATCH", "/api/v1/roles/deployer", map[string]any{"level": 41}, "If-Match", `"1"`)
	admin.must(403, "PATCH", "/api/v1/roles/deployer", map[string]any{"level": 0})
	admin.must(403, "PATCH", "/api/v1/roles/admin", map[string]any{"description": "x"})
	root.must(403, "PATCH", "/api/v1/roles/guest", map[string]any{"level": 300})
	root.must(200, "PATCH", "/api/v1/roles/guest", map[string]any{"description": "Visitors"})
	if v := scalar(t, s, `SELECT level || '/' || description || '/' || version FROM roles WHERE name = 'deployer'`); v != "40/Ships/2" {
		t.Fatalf("stored role %s", v)
	}
	if v := scalar(t, s, `SELECT level FROM roles WHERE name = 'guest'`); v != "256" {
		t.Fatalf("guest level %s", v)
	}
	// A PATCH that changes nothing keeps the version; a refused one still is refused.
	admin.must(200, "PATCH", "/api/v1/roles/deployer", map[string]any{"level": 40, "description": "Ships"}, "If-Match", `"2"`)
	admin.must(403, "PATCH", "/api/v1/roles/admin", map[string]any{})
	if v := scalar(t, s, `SELECT version FROM roles WHERE name = 'deployer'`); v != "2" {
		t.Fatalf("role version after a no-op patch: %s", v)
	}

	// A role in use cannot be deleted; built-ins never.
	uid, _ := mkUser(t, s, "dee", "deployer")
	r = admin.must(409, "DELETE", "/api/v1/roles/deployer", nil)
	if !strings.Contains(r.str("detail"), "1 user") {
		t.Fatalf("409 detail %q", r.str("detail"))
	}
	root.must(200, "PATCH", "/api/v1/users/"+uid, map[string]any{"role": "guest"})
	admin.must(204, "DELETE", "/api/v1/roles/deployer", nil)
	if n := count(t, s, `SELECT count(*) FROM roles WHERE name = 'deployer'`); n != 0 {
		t.Fatal("role not deleted")
	}
	root.must(403, "DELETE", "/api/v1/roles/guest", nil)
	root.must(404, "GET", "/api/v1/roles/deployer", nil)
	root.must(404, "DELETE", "/api/v1/roles/nosuch", nil)
}

func TestGroupsAndMembers(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	_, supTok := mkUser(t, s, "sue", "supervisor")
	aliceID, _ := mkUser(t, s, "alice", "guest")
	bobID, _ := mkUser(t, s, "bob", "guest")

	as(t, s, supTok).must(403, "POST", "/api/v1/groups", map[string]any{"name": "Ops"})
	r := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Admins", "organization": "Acme", "description": "line1\nline2"})
	gid := r.str("id")
	if r.str("full_name") != "Acme:Admins" || r.body["member_count"] != float64(0) {
		t.Fatalf("group %s", r.raw)
	}
	r = root.must(409, "POST", "/api/v1/groups", map[string]any{"name": "ADMINS", "organization": "acme"})
	if r.fieldErr("name") == "" {
		t.Fatalf("409 without field: %s", r.raw)
	}
	root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Admins"})
	root.must(400, "POST", "/api/v1/groups", map[string]any{"name": "a:b"})
	root.must(400, "POST", "/api/v1/groups", map[string]any{"name": " lead"})
	if n := len(root.must(200, "GET", "/api/v1/groups?full_name=acme:admins", nil).items()); n != 1 {
		t.Fatalf("full_name filter: %d", n)
	}
	if n := len(root.must(200, "GET", "/api/v1/groups?name=admins", nil).items()); n != 2 {
		t.Fatalf("name filter: %d", n)
	}
	if n := len(root.must(200, "GET", "/api/v1/groups?organization=ACME", nil).items()); n != 1 {
		t.Fatalf("organization filter: %d", n)
	}

	// Idempotent add bumps the version once.
	r = root.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+aliceID, nil)
	if r.str("username") != "alice" || r.str("user_id") != aliceID {
		t.Fatalf("membership %s", r.raw)
	}
	root.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+aliceID, nil)
	if v := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid); v != "2" {
		t.Fatalf("version after idempotent add %s", v)
	}
	if n := count(t, s, `SELECT count(*) FROM audit WHERE action = 'group.members.add'`); n != 1 {
		t.Fatalf("audit rows for adds: %d", n)
	}
	root.must(404, "PUT", "/api/v1/groups/"+gid+"/members/"+uuid.NewString(), nil)
	root.must(404, "PUT", "/api/v1/groups/"+gid+"/members/nope", nil)
	as(t, s, supTok).must(403, "PUT", "/api/v1/groups/"+gid+"/members/"+bobID, nil)
	root.must(412, "PUT", "/api/v1/groups/"+gid+"/members/"+bobID, nil, "If-Match", `"1"`)
	root.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+bobID, nil, "If-Match", `"2"`)
	if n := len(root.must(200, "GET", "/api/v1/users?group_id="+gid, nil).items()); n != 2 {
		t.Fatalf("group_id filter: %d", n)
	}
	r = root.must(200, "GET", "/api/v1/groups/"+gid+"/members?limit=1", nil)
	if len(r.items()) != 1 || r.items()[0]["user_id"] != aliceID || r.str("next_cursor") == "" {
		t.Fatalf("members page %s", r.raw)
	}
	r = root.must(200, "GET", "/api/v1/groups/"+gid, nil)
	if r.body["member_count"] != float64(2) {
		t.Fatalf("member_count %s", r.raw)
	}

	root.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+bobID, nil)
	root.must(404, "DELETE", "/api/v1/groups/"+gid+"/members/"+bobID, nil)
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ?`, gid); n != 1 {
		t.Fatalf("memberships %d", n)
	}

	// Whole-set replacement.
	r = root.must(200, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": []string{bobID, strings.ToUpper(bobID)}})
	ids := r.userIDs()
	if len(ids) != 1 || ids[0] != bobID {
		t.Fatalf("replace response %s", r.raw)
	}
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ? AND user_id = ?`, gid, bobID); n != 1 {
		t.Fatal("bob not member")
	}
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ?`, gid); n != 1 {
		t.Fatal("alice still member")
	}
	unknown := uuid.NewString()
	r = root.must(400, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": []string{aliceID, unknown, "junk"}})
	if !strings.Contains(r.fieldErr("user_ids"), "junk") {
		t.Fatalf("bad ids not named: %s", r.raw)
	}
	r = root.must(400, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": []string{aliceID, unknown}})
	if !strings.Contains(r.fieldErr("user_ids"), unknown) {
		t.Fatalf("unknown id not named: %s", r.raw)
	}
	root.must(400, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{})
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ? AND user_id = ?`, gid, bobID); n != 1 {
		t.Fatal("failed replacement changed the set")
	}
	ver := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid)
	root.must(412, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": []string{}}, "If-Match", `"1"`)
	r = root.must(200, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": []string{}}, "If-Match", `"`+ver+`"`)
	if ids := r.userIDs(); ids == nil || len(ids) != 0 {
		t.Fatalf("empty set response %s", r.raw)
	}

	// PATCH and DELETE take memberships and permissions along.
	root.must(409, "PATCH", "/api/v1/groups/"+gid, map[string]any{"organization": ""}) // "Admins" exists
	r = root.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]any{"organization": "Acme2"})
	if r.str("full_name") != "Acme2:Admins" {
		t.Fatalf("patched full_name %s", r.raw)
	}
	root.must(409, "POST", "/api/v1/groups", map[string]any{"name": "admins", "organization": "ACME2"})
	root.must(412, "PATCH", "/api/v1/groups/"+gid, map[string]any{"description": "x"}, "If-Match", "1")
	if v := scalar(t, s, `SELECT full_name FROM groups_ WHERE id = ?`, gid); v != "Acme2:Admins" {
		t.Fatalf("stored full_name %s", v)
	}
	before := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid)
	root.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]any{"organization": "Acme2", "name": "Admins"})
	if v := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid); v != before {
		t.Fatalf("group version after a no-op patch: %s, was %s", v, before)
	}
	root.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+aliceID, nil)
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:web", "group_id": gid})
	root.must(204, "DELETE", "/api/v1/groups/"+gid, nil)
	if n := count(t, s, `SELECT (SELECT count(*) FROM memberships WHERE group_id = ?1) + (SELECT count(*) FROM permissions WHERE group_id = ?1)`, gid); n != 0 {
		t.Fatalf("%d rows left behind", n)
	}
	root.must(404, "GET", "/api/v1/groups/"+gid+"/members", nil)
}

func TestReplaceMembersLargeSet(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	// Insert 12,000 users directly; creating them over HTTP is not what is under test.
	d := db(t, s)
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 12000)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for i := range ids {
		ids[i] = uuid.NewString()
		if _, err := tx.Exec(`INSERT INTO users(id, username, email, role, created_at, updated_at) VALUES (?, ?, ?, 'guest', ?, ?)`,
			ids[i], "bulk"+ids[i][:13], ids[i]+"@bulk.example.com", now, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	gid := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Everyone"}).str("id")

	start := time.Now()
	r := root.must(200, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": ids[:10000]})
	if got := len(r.userIDs()); got != 10000 {
		t.Fatalf("replaced set has %d ids", got)
	}
	// Swap 2,000 out and 2,000 in.
	r = root.must(200, "PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": ids[2000:]})
	elapsed := time.Since(start)
	if got := len(r.userIDs()); got != 10000 {
		t.Fatalf("second set has %d ids", got)
	}
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ?`, gid); n != 10000 {
		t.Fatalf("stored members %d", n)
	}
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ? AND user_id = ?`, gid, ids[0]); n != 0 {
		t.Fatal("removed member still stored")
	}
	t.Logf("two 10,000-id replacements: %v", elapsed)

	r = root.must(200, "GET", "/api/v1/groups/"+gid+"/members?ids_only=true", nil)
	var set struct {
		GroupID string   `json:"group_id"`
		UserIDs []string `json:"user_ids"`
		Version int64    `json:"version"`
	}
	if err := json.Unmarshal(r.raw, &set); err != nil {
		t.Fatal(err)
	}
	if set.GroupID != gid || len(set.UserIDs) != 10000 || set.Version != 3 || r.header.Get("ETag") != `"3"` {
		t.Fatalf("ids_only: group %s, %d ids, version %d", set.GroupID, len(set.UserIDs), set.Version)
	}
	for i := 1; i < len(set.UserIDs); i++ {
		if set.UserIDs[i-1] >= set.UserIDs[i] {
			t.Fatal("ids_only not sorted")
		}
	}
	root.must(400, "GET", "/api/v1/groups/"+gid+"/members?ids_only=maybe", nil)

	// The user_id filter finds one membership without paging the group.
	r = root.must(200, "GET", "/api/v1/groups/"+gid+"/members?user_id="+ids[5000], nil)
	var one struct {
		Items []struct {
			UserID string `json:"user_id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(r.raw, &one); err != nil {
		t.Fatal(err)
	}
	if len(one.Items) != 1 || one.Items[0].UserID != ids[5000] || one.NextCursor != "" {
		t.Fatalf("user_id filter on a member: %s", r.raw)
	}
	r = root.must(200, "GET", "/api/v1/groups/"+gid+"/members?user_id="+ids[0], nil)
	if err := json.Unmarshal(r.raw, &one); err != nil {
		t.Fatal(err)
	}
	if len(one.Items) != 0 {
		t.Fatalf("user_id filter on a removed member: %s", r.raw)
	}
}
