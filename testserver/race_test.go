package testserver_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// together runs n calls of fn at once (released by one barrier) and returns their responses.
func together(n int, fn func(i int) resp) []resp {
	out := make([]resp, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func statuses(rs []resp) map[int]int {
	m := map[int]int{}
	for _, r := range rs {
		m[r.status]++
	}
	return m
}

// mixedCase spells s with the letters whose bit is set in i in upper case.
func mixedCase(s string, i int) string {
	b := []byte(s)
	for j := range b {
		if i>>(j%8)&1 == 1 {
			b[j] = strings.ToUpper(string(b[j]))[0]
		}
	}
	return string(b)
}

// TestRace_SameIdentityConcurrently: 50 concurrent creates of one username
// (and, separately, one email) in mixed case: exactly one 201, the rest 409,
// one row stored.
func TestRace_SameIdentityConcurrently(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	cases := map[string]func(i int) map[string]any{
		"username": func(i int) map[string]any {
			return map[string]any{"username": mixedCase("racer.one", i), "email": fmt.Sprintf("racer-%d@example.com", i)}
		},
		"email": func(i int) map[string]any {
			return map[string]any{"username": fmt.Sprintf("mailer-%d", i), "email": mixedCase("shared.mail@example.com", i)}
		},
		"both": func(i int) map[string]any {
			return map[string]any{"username": mixedCase("twin", i), "email": mixedCase("twin@example.com", i), "password": "twin-password"}
		},
	}
	for name, body := range cases {
		rs := together(50, func(i int) resp { return sys.do("POST", "/api/v1/users", body(i)) })
		if got := statuses(rs); got[201] != 1 || got[409] != 49 {
			t.Errorf("%s: statuses %v, want one 201 and 49 409", name, got)
		}
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM users WHERE username = 'racer.one'`:            1,
		`SELECT count(*) FROM users WHERE email = 'shared.mail@example.com'`: 1,
		`SELECT count(*) FROM users WHERE username = 'twin'`:                 1,
		`SELECT count(*) FROM users WHERE email = 'twin@example.com'`:        1,
	} {
		if n := count(t, s, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}

// TestRace_IfMatch: two PATCHes carrying the same If-Match race 20 times;
// each time exactly one wins and the other gets 412, and the stored version
// counts only the winners.
func TestRace_IfMatch(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	id := sys.must(201, "POST", "/api/v1/users", map[string]any{"username": "contended", "email": "contended@example.com"}).str("id")
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Contended"}).str("id")
	const rounds = 20
	for round := range rounds {
		version := 1 + round
		rs := together(2, func(i int) resp {
			return sys.do("PATCH", "/api/v1/users/"+id, map[string]any{"first_name": fmt.Sprintf("w%d-%d", round, i)},
				"If-Match", fmt.Sprintf(`"%d"`, version))
		})
		if got := statuses(rs); got[200] != 1 || got[412] != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 412", round, got)
		}
		winner := rs[0]
		if winner.status != 200 {
			winner = rs[1]
		}
		if stored := scalar(t, s, `SELECT first_name FROM users WHERE id = ?`, id); stored != winner.str("first_name") {
			t.Fatalf("round %d: stored %q, winner wrote %q", round, stored, winner.str("first_name"))
		}
		// The same on a whole member set; the set alternates so every round changes it
		// (an unchanged set is a no-op that keeps the version, and both would match).
		gv := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid)
		set := []string{}
		if round%2 == 0 {
			set = []string{id}
		}
		rs = together(2, func(int) resp {
			return sys.do("PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": set}, "If-Match", gv)
		})
		if got := statuses(rs); got[200] != 1 || got[412] != 1 {
			t.Fatalf("round %d: member set statuses %v, want one 200 and one 412", round, got)
		}
	}
	if v := scalar(t, s, `SELECT version FROM users WHERE id = ?`, id); v != fmt.Sprint(1+rounds) {
		t.Errorf("version %s after %d winning PATCHes, want %d", v, rounds, 1+rounds)
	}
}

// TestRace_MemberSets: 16 concurrent whole-set PUTs on one group, each a
// different subset, repeated 5 times: the stored set always equals one of the
// requested sets (never a mix) and matches what the last writer was told.
func TestRace_MemberSets(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	gid := sys.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Busy"}).str("id")
	var users []string
	for i := range 40 {
		users = append(users, sys.must(201, "POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("m%d", i), "email": fmt.Sprintf("m%d@example.com", i)}).str("id"))
	}
	const writers = 16
	sets := make([][]string, writers)
	for w := range writers {
		for i, u := range users {
			if (i+w)%3 == 0 || i%(w+2) == 0 {
				sets[w] = append(sets[w], u)
			}
		}
		sort.Strings(sets[w])
	}
	for round := range 5 {
		rs := together(writers, func(i int) resp {
			return sys.do("PUT", "/api/v1/groups/"+gid+"/members", map[string]any{"user_ids": sets[i]})
		})
		maxVersion, last := 0.0, -1
		for i, r := range rs {
			if r.status != 200 {
				t.Fatalf("round %d writer %d: %d %s", round, i, r.status, r.raw)
			}
			if v, _ := r.body["version"].(float64); v > maxVersion {
				maxVersion, last = v, i
			}
		}
		got := sys.must(200, "GET", "/api/v1/groups/"+gid+"/members?ids_only=true", nil)
		var stored []string
		for _, v := range got.userIDs() {
			id, _ := v.(string)
			stored = append(stored, id)
		}
		if !slices.Equal(stored, sets[last]) {
			t.Fatalf("round %d: stored set of %d is not the last writer's (%d) set of %d", round, len(stored), last, len(sets[last]))
		}
		if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ?`, gid); n != len(sets[last]) {
			t.Fatalf("round %d: %d membership rows, want %d", round, n, len(sets[last]))
		}
	}
}

// TestRace_RoleDeleteVersusUse: deleting a role while users and tokens are
// created with it never leaves both a deleted role and something using it.
func TestRace_RoleDeleteVersusUse(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	sys := as(t, s, s.Token)
	for round := range 20 {
		role := fmt.Sprintf("ephemeral%d", round)
		sys.must(201, "POST", "/api/v1/roles", map[string]any{"name": role, "level": 300})
		rs := together(3, func(i int) resp {
			switch i {
			case 0:
				return sys.do("DELETE", "/api/v1/roles/"+role, nil)
			case 1:
				return sys.do("POST", "/api/v1/users", map[string]any{"username": role, "email": role + "@example.com", "role": role})
			default:
				return sys.do("POST", "/api/v1/tokens", map[string]any{"role": role})
			}
		})
		roleGone := count(t, s, `SELECT count(*) FROM roles WHERE name = ?`, role) == 0
		users := count(t, s, `SELECT count(*) FROM users WHERE role = ?`, role)
		toks := count(t, s, `SELECT count(*) FROM tokens WHERE role = ?`, role)
		switch {
		case roleGone && (users+toks) != 0:
			t.Fatalf("round %d: role deleted while %d users and %d tokens use it", round, users, toks)
		case roleGone && rs[0].status != 204, !roleGone && rs[0].status != 409:
			t.Fatalf("round %d: delete answered %d, role gone = %v", round, rs[0].status, roleGone)
		case (rs[1].status == 201) != (users == 1), (rs[2].status == 201) != (toks == 1):
			t.Fatalf("round %d: create answers %d/%d disagree with %d users, %d tokens", round, rs[1].status, rs[2].status, users, toks)
		}
	}
	// PostgreSQL checks foreign keys on every statement, with no way to turn them off.
	if onPostgres(s) {
		return
	}
	if r := count(t, s, `SELECT count(*) FROM pragma_foreign_key_check`); r != 0 {
		t.Errorf("%d foreign key violations", r)
	}
}
