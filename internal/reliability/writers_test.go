package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/seed/terraform-provider-identity/testserver"
)

// TestLoad_ConcurrentWriters runs 64 writers against one server for 30 s
// (TestSoak_ConcurrentWriters: 5 min): each creates, changes and deletes its
// own users, groups, memberships and permissions. No request may fail with a
// 5xx, a transport error or "database is locked", every answer must be the
// success the request expects, and the server must hold exactly what the
// writers left behind. Latency percentiles are logged.
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
		keptPerms atomic.Int64
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

	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			defer func() {
				mu.Lock()
				latencies = append(latencies, local...)
				mu.Unlock()
			}()
			g := call(&local, 201, "POST", "/api/v1/groups", map[string]any{"name": fmt.Sprintf("load-%d", w)})
			if g == nil {
				return
			}
			var members []string
			for i := 0; time.Now().Before(deadline); i++ {
				name := fmt.Sprintf("w%d-u%d", w, i)
				u := call(&local, 201, "POST", "/api/v1/users", map[string]any{"username": name, "email": name + "@example.com"})
				if u == nil {
					return
				}
				uid := id(u)
				if call(&local, 200, "PATCH", "/api/v1/users/"+uid, map[string]any{"first_name": "F" + name, "attributes": map[string]string{"i": fmt.Sprint(i)}}) == nil ||
					call(&local, 200, "PUT", "/api/v1/groups/"+id(g)+"/members/"+uid, nil) == nil {
					return
				}
				members = append(members, uid)
				switch i % 4 {
				case 1: // replace the whole set with every other member
					var half []string
					for j, m := range members {
						if j%2 == 0 {
							half = append(half, m)
						}
					}
					if call(&local, 200, "PUT", "/api/v1/groups/"+id(g)+"/members", map[string]any{"user_ids": half}) == nil {
						return
					}
				case 2: // grant and keep a permission
					if call(&local, 201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_PROJECT", "scope": "project:" + name, "user_id": uid}) == nil {
						return
					}
					keptPerms.Add(1)
				case 3: // delete the user (its membership goes with it)
					if call(&local, 204, "DELETE", "/api/v1/users/"+uid, nil) == nil {
						return
					}
					members = members[:len(members)-1]
					continue
				}
				kept.Add(1)
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
	if got, want := dbCount(t, db, `SELECT count(*) FROM permissions`), int(keptPerms.Load()); got != want {
		t.Errorf("%d permissions stored, writers kept %d", got, want)
	}
	if got := dbCount(t, db, `SELECT count(*) FROM groups_`); got != writers {
		t.Errorf("%d groups, want %d", got, writers)
	}
	checkDBIntegrity(t, db)
}
