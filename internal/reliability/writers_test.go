package reliability

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/seed/terraform-provider-identity/testserver"
)

// TestLoad_ConcurrentWriters runs 64 writers against one server for 30 s
// (TestSoak_ConcurrentWriters: 5 min). Each creates, changes and deletes its
// own users; adds members one by one and replaces its group's whole member
// set; grants and revokes permissions; renames its group's description; and
// every 16 rounds deletes its group (its memberships and permission go with
// it) and starts a new one. No request may fail with a 5xx, a transport error
// or "database is locked", every answer must be the success the request
// expects, and the database must hold exactly what the writers left: the
// same users, groups (with their last description), memberships (group and
// user pairs) and permissions (by id). Latency percentiles are logged.
func TestLoad_ConcurrentWriters(t *testing.T) { concurrentWriters(t, 30*time.Second) }

// TestSoak_ConcurrentWriters is the 5-minute run (make soak).
func TestSoak_ConcurrentWriters(t *testing.T) {
	if !soak() {
		t.Skip("set IDENTITY_SOAK=1 (make soak) for the 5-minute run")
	}
	concurrentWriters(t, 5*time.Minute)
}

func concurrentWriters(t *testing.T, d time.Duration) {
	const writers = 64
	logs := &lockedBuffer{}
	s := testserver.Start(t, testserver.Options{Logger: hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Info, JSONFormat: true})})
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: writers}, Timeout: 60 * time.Second}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  []string
		requests  atomic.Int64
		kept      atomic.Int64 // users each writer leaves alive
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	// call sends one request and returns the decoded body when the status is the expected one.
	call := func(local *[]time.Duration, want int, method, path string, body any) map[string]any {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, s.URL+path, rd)
		if err != nil {
			fail("%s %s: %v", method, path, err)
			return nil
		}
		req.Header.Set("Authorization", "Bearer "+s.Token)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			fail("%s %s: transport error: %v", method, path, err)
			return nil
		}
		raw, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		*local = append(*local, time.Since(start))
		requests.Add(1)
		if err != nil || resp.StatusCode != want || strings.Contains(string(raw), "database is locked") {
			fail("%s %s: %d (want %d): %.200s", method, path, resp.StatusCode, want, raw)
			return nil
		}
		out := map[string]any{}
		if len(raw) > 0 {
			_ = json.Unmarshal(raw, &out)
		}
		return out
	}
	id := func(m map[string]any) string { v, _ := m["id"].(string); return v }

	// What the writers left, merged when each ends: the database must hold
	// exactly this.
	var (
		wantGroups  = map[string]string{} // id -> description
		wantMembers = map[string]bool{}   // group id + " " + user id
		wantPerms   = map[string]bool{}   // permission id
		deleted     atomic.Int64          // groups deleted
	)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			groupID, groupDesc, groupPerm := "", "", ""
			var members []string
			perms := map[string]bool{}
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				latencies = append(latencies, local...)
				if groupID != "" {
					wantGroups[groupID] = groupDesc
				}
				for _, m := range members {
					wantMembers[groupID+" "+m] = true
				}
				for p := range perms {
					wantPerms[p] = true
				}
			}()
			// newGroup creates the writer's group and grants it a permission.
			newGroup := func(gen int) bool {
				g := call(&local, 201, "POST", "/api/v1/groups", map[string]any{"name": fmt.Sprintf("load-%d-%d", w, gen)})
				if g == nil {
					return false
				}
				groupID, groupDesc, members = id(g), "", nil
				p := call(&local, 201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": fmt.Sprintf("project:g%d-%d", w, gen), "group_id": groupID})
				if p == nil {
					return false
				}
				groupPerm = id(p)
				perms[groupPerm] = true
				return true
			}
			if !newGroup(0) {
				return
			}
			lastUserPerm := ""
			for i := 0; time.Now().Before(deadline); i++ {
				name := fmt.Sprintf("w%d-u%d", w, i)
				u := call(&local, 201, "POST", "/api/v1/users", map[string]any{"username": name, "email": name + "@example.com"})
				if u == nil {
					return
				}
				uid := id(u)
				if call(&local, 200, "PATCH", "/api/v1/users/"+uid, map[string]any{"first_name": "F" + name, "attributes": map[string]string{"i": fmt.Sprint(i)}}) == nil ||
					call(&local, 200, "PUT", "/api/v1/groups/"+groupID+"/members/"+uid, nil) == nil {
					return
				}
				members = append(members, uid)
				switch i % 4 {
				case 0: // change the group; every other round, revoke the last user permission
					desc := fmt.Sprintf("round %d", i)
					if call(&local, 200, "PATCH", "/api/v1/groups/"+groupID, map[string]any{"description": desc}) == nil {
						return
					}
					groupDesc = desc
					if (i/4)%2 == 1 && lastUserPerm != "" {
						if call(&local, 204, "DELETE", "/api/v1/permissions/"+lastUserPerm, nil) == nil {
							return
						}
						delete(perms, lastUserPerm)
						lastUserPerm = ""
					}
				case 1: // replace the whole set with every other member
					var half []string
					for j, m := range members {
						if j%2 == 0 {
							half = append(half, m)
						}
					}
					if call(&local, 200, "PUT", "/api/v1/groups/"+groupID+"/members", map[string]any{"user_ids": half}) == nil {
						return
					}
					members = half
				case 2: // grant a permission to the user
					p := call(&local, 201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:" + name, "user_id": uid})
					if p == nil {
						return
					}
					perms[id(p)] = true
					lastUserPerm = id(p)
				case 3: // delete the user (its membership goes with it)
					if call(&local, 204, "DELETE", "/api/v1/users/"+uid, nil) == nil {
						return
					}
					members = members[:len(members)-1]
					continue
				}
				kept.Add(1)
				if i%16 == 14 {
					// Delete the group: its memberships and its permission go too.
					if call(&local, 204, "DELETE", "/api/v1/groups/"+groupID, nil) == nil {
						return
					}
					deleted.Add(1)
					delete(perms, groupPerm)
					groupID = ""
					if !newGroup(i/16 + 1) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()

	sortDurations(latencies)
	n := len(latencies)
	t.Logf("%d writers for %s: %d requests (%.0f/s); latency p50 %s, p90 %s, p99 %s, max %s",
		writers, d, requests.Load(), float64(requests.Load())/d.Seconds(),
		percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99), percentile(latencies, 100))
	for _, f := range failures {
		t.Error(f)
	}
	if n == 0 {
		t.Fatal("no request completed")
	}
	if l := logs.String(); strings.Contains(l, "database is locked") || strings.Contains(l, `"status":500`) || strings.Contains(l, "request failed") {
		t.Errorf("server log reports failures:\n%s", tail(l, 3000))
	}
	db := openDB(t, s.DBPath)
	if got, want := dbCount(t, db, `SELECT count(*) FROM users WHERE NOT is_system`), int(kept.Load()); got != want {
		t.Errorf("%d users stored, writers kept %d", got, want)
	}
	groups := map[string]bool{}
	for g, desc := range wantGroups {
		groups[g+" "+desc] = true
	}
	for what, c := range map[string]struct {
		query string
		want  map[string]bool
	}{
		"groups (id and description)": {`SELECT id || ' ' || description FROM groups_`, groups},
		"memberships":                 {`SELECT group_id || ' ' || user_id FROM memberships`, wantMembers},
		"permissions":                 {`SELECT id FROM permissions`, wantPerms},
	} {
		if diff := diffSets(dbStrings(t, db, c.query), c.want); diff != "" {
			t.Errorf("%s stored differ from what the writers left: %s", what, diff)
		}
	}
	if deleted.Load() == 0 || len(wantMembers) == 0 || len(wantPerms) <= len(wantGroups) {
		t.Errorf("the writers deleted %d groups and left %d memberships and %d permissions; the run exercised too little", deleted.Load(), len(wantMembers), len(wantPerms))
	}
	t.Logf("left: %d users, %d groups (%d deleted on the way), %d memberships, %d permissions", kept.Load(), len(wantGroups), deleted.Load(), len(wantMembers), len(wantPerms))
	checkDBIntegrity(t, db)
}

// dbStrings returns the single text column of every row of query.
func dbStrings(t *testing.T, d *sql.DB, query string) map[string]bool {
	t.Helper()
	rows, err := d.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out[v] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// diffSets describes how got differs from want (a few examples each way),
// or returns "" when they are equal.
func diffSets(got, want map[string]bool) string {
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return fmt.Sprintf("%d stored, %d expected; %d missing %v, %d unexpected %v",
		len(got), len(want), len(missing), missing[:min(3, len(missing))], len(extra), extra[:min(3, len(extra))])
}
