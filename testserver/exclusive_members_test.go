package testserver_test

import (
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// A group whose member set is written with "exclusive": true refuses
// per-user additions and removals with a 409 naming the group and the rule,
// until a whole-set write clears the mark. Every change and every refusal is
// audited.
func TestExclusiveMembers(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	_, supTok := mkUser(t, s, "sue", "supervisor")
	aliceID, _ := mkUser(t, s, "alice", "guest")
	bobID, _ := mkUser(t, s, "bob", "guest")
	r := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Ops", "organization": "Acme"})
	gid := r.str("id")
	if r.body["members_exclusive"] != false {
		t.Fatalf("new group %s", r.raw)
	}
	members := "/api/v1/groups/" + gid + "/members"

	// A whole-set write without the flag leaves the mark alone (unset).
	r = root.must(200, "PUT", members, map[string]any{"user_ids": []string{aliceID}})
	if r.body["exclusive"] != false {
		t.Fatalf("set without flag %s", r.raw)
	}
	ver := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid)

	// Marking with the same set is a change: the version moves and the audit says so.
	r = root.must(200, "PUT", members, map[string]any{"user_ids": []string{aliceID}, "exclusive": true})
	if r.body["exclusive"] != true || r.str("version") == ver {
		t.Fatalf("marking %s (version was %s)", r.raw, ver)
	}
	if outcome, status, detail := lastAudit(t, s, "group.members.replace"); outcome != "success" || status != 200 ||
		detail != "1 member(s): 0 added, 0 removed; members_exclusive set" {
		t.Fatalf("audit of marking: %s %d %q", outcome, status, detail)
	}
	for _, path := range []string{"/api/v1/groups/" + gid, members + "?ids_only=true"} {
		r = root.must(200, "GET", path, nil)
		if r.body["members_exclusive"] != true && r.body["exclusive"] != true {
			t.Fatalf("GET %s after marking: %s", path, r.raw)
		}
	}
	if r := root.must(200, "GET", "/api/v1/groups?full_name=Acme:Ops", nil); r.items()[0]["members_exclusive"] != true {
		t.Fatalf("group list after marking: %s", r.raw)
	}

	// Per-user writes are refused, even an add that would change nothing,
	// and the membership is as it was.
	verBefore := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid)
	r = root.must(409, "PUT", members+"/"+bobID, nil)
	want := "group Acme:Ops has its members managed as a whole set (members_exclusive); add the user to that set instead, or stop managing it as a set"
	if r.str("detail") != want || !strings.HasSuffix(r.str("type"), "/members-exclusive") {
		t.Fatalf("409 on add: %s", r.raw)
	}
	if outcome, status, detail := lastAudit(t, s, "group.members.add"); outcome != "failed" || status != 409 || detail != want {
		t.Fatalf("audit of refused add: %s %d %q", outcome, status, detail)
	}
	root.must(409, "PUT", members+"/"+aliceID, nil)
	r = root.must(409, "DELETE", members+"/"+aliceID, nil)
	if !strings.Contains(r.str("detail"), "group Acme:Ops has its members managed as a whole set (members_exclusive); remove the user from that set instead") {
		t.Fatalf("409 on remove: %s", r.raw)
	}
	if outcome, status, _ := lastAudit(t, s, "group.members.remove"); outcome != "failed" || status != 409 {
		t.Fatalf("audit of refused remove: %s %d", outcome, status)
	}
	if n, ids := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ?`, gid), scalar(t, s, `SELECT min(user_id) FROM memberships WHERE group_id = ?`, gid); n != 1 || ids != aliceID {
		t.Fatalf("members after refusals: %d, %s", n, ids)
	}
	if v := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid); v != verBefore {
		t.Fatalf("version after refusals: %s, was %s", v, verBefore)
	}
	// Authorization still comes first: a caller who may not manage groups gets the 403.
	as(t, s, supTok).must(403, "PUT", members+"/"+bobID, nil)

	// The whole set still changes, and a write without the flag keeps the mark.
	r = root.must(200, "PUT", members, map[string]any{"user_ids": []string{aliceID, bobID}})
	if r.body["exclusive"] != true || len(r.userIDs()) != 2 {
		t.Fatalf("set on a marked group %s", r.raw)
	}
	if _, _, detail := lastAudit(t, s, "group.members.replace"); detail != "2 member(s): 1 added, 0 removed" {
		t.Fatalf("audit of a set that keeps the mark: %q", detail)
	}

	// Clearing the mark with the set; then per-user writes work again.
	r = root.must(200, "PUT", members, map[string]any{"user_ids": []string{aliceID, bobID}, "exclusive": false})
	if r.body["exclusive"] != false {
		t.Fatalf("clearing %s", r.raw)
	}
	if _, _, detail := lastAudit(t, s, "group.members.replace"); detail != "2 member(s): 0 added, 0 removed; members_exclusive cleared" {
		t.Fatalf("audit of clearing: %q", detail)
	}
	if v := scalar(t, s, `SELECT members_exclusive FROM groups_ WHERE id = ?`, gid); v != "0" {
		t.Fatalf("stored mark after clearing: %s", v)
	}
	root.must(204, "DELETE", members+"/"+bobID, nil)
	root.must(200, "PUT", members+"/"+bobID, nil)

	// Writing the mark as it already is changes nothing: no version bump.
	ver = scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid)
	root.must(200, "PUT", members, map[string]any{"user_ids": []string{aliceID, bobID}, "exclusive": false})
	if v := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid); v != ver {
		t.Fatalf("version after an unchanged set and mark: %s, was %s", v, ver)
	}

	// A malformed flag is a 400, and changes nothing.
	root.must(400, "PUT", members, map[string]any{"user_ids": []string{}, "exclusive": "yes"})
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ?`, gid); n != 2 {
		t.Fatalf("members after a malformed flag: %d", n)
	}
}
