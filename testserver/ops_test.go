package testserver_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/seed/terraform-provider-identity/testserver"
)

func TestConcurrentWrites(t *testing.T) {
	s := testserver.Start(t)
	root := as(t, s, s.Token)
	gid := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Crowd"}).str("id")
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Each goroutine writes twice: a user, then its membership, so
			// writers also contend with readers (authentication) throughout.
			r := root.do("POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("c%02d", i), "email": fmt.Sprintf("c%02d@example.com", i), "password": "concurrent-pw"})
			if r.status != 201 {
				errs <- fmt.Sprintf("create %d: %d %s", i, r.status, r.raw)
				return
			}
			if r2 := root.do("PUT", "/api/v1/groups/"+gid+"/members/"+r.str("id"), nil); r2.status != 200 {
				errs <- fmt.Sprintf("member %d: %d %s", i, r2.status, r2.raw)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := count(t, s, `SELECT count(*) FROM users WHERE lower(substr(username, 1, 1)) = 'c'`); n != 50 {
		t.Fatalf("users stored %d, want 50", n)
	}
	if n := count(t, s, `SELECT count(*) FROM memberships WHERE group_id = ?`, gid); n != 50 {
		t.Fatalf("members stored %d, want 50", n)
	}
	if v := scalar(t, s, `SELECT version FROM groups_ WHERE id = ?`, gid); v != "51" {
		t.Fatalf("group version %s, want 51", v)
	}
	if n := count(t, s, `SELECT count(*) FROM audit WHERE outcome = 'success' AND action IN ('user.create', 'group.members.add')`); n != 100 {
		t.Fatalf("audit rows %d, want 100", n)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "restart.db")
	s1, err := testserver.New(testserver.Options{SuperuserPassword: "first-password", DBPath: path, PasswordCost: "low"})
	if err != nil {
		t.Fatal(err)
	}
	root := as(t, s1, s1.Token)
	uid := root.must(201, "POST", "/api/v1/users", map[string]any{"username": "keeper", "email": "keeper@example.com", "password": "keeper-password"}).str("id")
	gid := root.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Keepers"}).str("id")
	root.must(200, "PUT", "/api/v1/groups/"+gid+"/members/"+uid, nil)
	root.must(201, "POST", "/api/v1/roles", map[string]any{"name": "custodian", "level": 30})
	root.must(201, "POST", "/api/v1/permissions", map[string]any{"operation": "VIEW_INVENTORY", "scope": "inventory:vault", "user_id": uid})
	jwt := root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "auditor"}).str("token")
	session := login(t, s1, "keeper", "keeper-password")
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	// The superuser password is reset from the new value on every start.
	s2, err := testserver.New(testserver.Options{SuperuserPassword: "second-password", DBPath: path, PasswordCost: "low"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s2.Close(); err != nil {
			t.Error(err)
		}
	}()
	root = as(t, s2, s2.Token)
	if s2.SystemUserID != s1.SystemUserID {
		t.Fatal("system user recreated")
	}
	r := root.must(200, "GET", "/api/v1/users/"+uid, nil)
	if r.str("username") != "keeper" {
		t.Fatalf("user lost: %s", r.raw)
	}
	if ids := root.must(200, "GET", "/api/v1/groups/"+gid+"/members?ids_only=true", nil).userIDs(); len(ids) != 1 || ids[0] != uid {
		t.Fatalf("membership lost: %v", ids)
	}
	root.must(200, "GET", "/api/v1/roles/custodian", nil)
	if n := len(root.must(200, "GET", "/api/v1/permissions?user_id="+uid, nil).items()); n != 1 {
		t.Fatal("permission lost")
	}
	as(t, s2, jwt).must(200, "GET", "/api/v1/users", nil) // generated signing key kept
	as(t, s2, session).must(200, "GET", "/api/v1/me", nil)
	login(t, s2, "system", "second-password")
	as(t, s2, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "system", "password": "first-password"})
	if n := count(t, s2, `SELECT count(*) FROM roles WHERE builtin = 1`); n != 6 {
		t.Fatalf("builtin roles %d", n)
	}
}

func TestNewRefusesWithoutSuperuserPassword(t *testing.T) {
	_, err := testserver.New(testserver.Options{DBPath: filepath.Join(t.TempDir(), "x.db")})
	if err == nil || !strings.Contains(err.Error(), "IDENTITY_SUPERUSER_PASSWORD") {
		t.Fatalf("err = %v", err)
	}
}

func TestSecretsNeverStoredOrLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace, JSONFormat: true})
	superPW := "Super-Secret-Bootstrap-PW"
	s := testserver.Start(t, testserver.Options{SuperuserPassword: superPW, Logger: logger})
	root := as(t, s, s.Token)
	userPW, newPW := "User-Secret-PW-1", "User-Secret-PW-2"
	uid := root.must(201, "POST", "/api/v1/users", map[string]any{"username": "sec", "email": "sec@example.com", "password": userPW}).str("id")
	session := login(t, s, "sec", userPW)
	as(t, s, session).must(204, "PUT", "/api/v1/users/"+uid+"/password", map[string]any{"new_password": newPW, "current_password": userPW})
	as(t, s, "").must(401, "POST", "/api/v1/login", map[string]string{"username": "sec", "password": "Wrong-Secret-PW-3"})
	jwt := root.must(201, "POST", "/api/v1/tokens", map[string]any{"role": "operator"}).str("token")
	as(t, s, jwt).must(200, "GET", "/api/v1/users?email=sec@example.com", nil)
	sysSession := login(t, s, "system", superPW)
	// Query strings are not logged either, even though they rarely hold secrets.
	as(t, s, sysSession).must(200, "GET", "/api/v1/audit?actor="+superPW, nil)

	secrets := map[string]string{"superuser password": superPW, "user password": userPW, "new password": newPW,
		"wrong password": "Wrong-Secret-PW-3", "session token": session, "system session": sysSession, "start token": s.Token,
		"jwt": jwt, "jwt signature": jwt[strings.LastIndex(jwt, ".")+1:]}

	var blobs = map[string][]byte{"log": logs.Bytes()}
	rows, err := db(t, s).Query(`SELECT actor || '|' || actor_id || '|' || action || '|' || object_id || '|' || detail FROM audit`)
	if err != nil {
		t.Fatal(err)
	}
	var audit bytes.Buffer
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		audit.WriteString(line + "\n")
	}
	rows.Close()
	blobs["audit"] = audit.Bytes()
	if onPostgres(s) {
		// No files to read: every row of every table, as text.
		blobs["db"] = tableDump(t, s)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if onPostgres(s) {
			break
		}
		b, err := os.ReadFile(filepath.Clean(s.DBPath + suffix))
		if err != nil && suffix != "-shm" {
			t.Fatal(err)
		}
		blobs["db"+suffix] = b
	}
	if len(blobs["db-wal"]) == 0 && !onPostgres(s) {
		t.Fatal("expected a WAL file to inspect")
	}
	if !strings.Contains(logs.String(), `"path":"/api/v1/login"`) {
		t.Fatalf("request log missing: %s", logs.String())
	}
	for where, blob := range blobs {
		for what, secret := range secrets {
			if bytes.Contains(blob, []byte(secret)) {
				t.Errorf("%s found in %s", what, where)
			}
		}
		if bytes.Contains(blob, []byte("Bearer")) {
			t.Errorf("an Authorization header reached %s", where)
		}
	}
}

// tableDump renders every row of every table of a PostgreSQL server's database.
func tableDump(t *testing.T, s *testserver.Server) []byte {
	t.Helper()
	d := db(t, s)
	rows, err := d.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("tables: %v", tables)
	}
	var out bytes.Buffer
	for _, table := range tables {
		rows, err := d.Query(`SELECT * FROM ` + table) //nolint:gosec // names from information_schema
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return out.Bytes()
}
