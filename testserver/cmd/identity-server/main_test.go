package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seed/terraform-provider-identity/testserver"
)

// fixture holds every kind of entry, and refers to the system user and a
// built-in role, which every database has.
const fixture = `version: 0
roles:
  - {name: ci, level: 50, description: Pipelines}
users:
  - {username: alice, email: alice@example.com, first_name: Alice, role: ci, attributes: {team: ops}}
  - {username: bob, email: bob@example.com, disabled: true}
groups:
  - {name: Ops, organization: Acme, members: [alice, bob, system]}
grants:
  - {operation: VIEW_PROJECT, scope: project:web, principal: user:alice}
  - {operation: DEPLOY_INVENTORY, scope: tenant:acme/inventory:prod, principal: group:Acme:Ops}
  - {operation: MODIFY_PROJECT, scope: global, principal: role:ci}
  - {operation: VIEW_INVENTORY, scope: tenant:acme, principal: role:guest}
`

func cli(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(args, &out, &errOut); err != nil {
		t.Fatalf("identity-server %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func httpExport(t *testing.T, s *testserver.Server) string {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+"/api/v1/identities", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /identities: %d %v %s", res.StatusCode, err, body)
	}
	return string(body)
}

var versionLine = regexp.MustCompile(`(?m)^version: \d+\n`)

func TestExportImport(t *testing.T) {
	// A running server, filled through the API.
	src := testserver.Start(t)
	req, _ := http.NewRequest("PUT", src.URL+"/api/v1/identities", strings.NewReader(fixture))
	req.Header.Set("Authorization", "Bearer "+src.Token)
	req.Header.Set("Content-Type", "application/yaml")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("PUT: %v %v", res, err)
	}
	_ = res.Body.Close()

	// export reads the same document from the database as the server serves.
	exported := cli(t, "export", "-db", src.DBPath)
	if exported != httpExport(t, src) {
		t.Fatalf("CLI and HTTP exports differ:\n%s\n---\n%s", exported, httpExport(t, src))
	}
	for _, want := range []string{"username: alice", "- system", "principal: group:Acme:Ops", "principal: role:guest"} {
		if !strings.Contains(exported, want) {
			t.Errorf("export lacks %q:\n%s", want, exported)
		}
	}
	if json := cli(t, "export", "-db", src.DBPath, "-format", "json"); !strings.Contains(json, `"username": "alice"`) {
		t.Errorf("JSON export:\n%s", json)
	}

	// import into a fresh database, which gets the built-in roles and the system user.
	file := write(t, "identities.yaml", exported)
	dst := filepath.Join(t.TempDir(), "restored.db")
	if out := cli(t, "import", "-db", dst, "-dry-run", file); !strings.Contains(out, "would apply 8 change(s)") ||
		!strings.Contains(out, `create user "alice"`) {
		t.Errorf("dry run:\n%s", out)
	}
	if empty := cli(t, "export", "-db", dst); strings.Contains(empty, "alice") {
		t.Errorf("the dry run wrote:\n%s", empty)
	}
	if out := cli(t, "import", "-db", dst, file); !strings.Contains(out, "applied 8 change(s)") {
		t.Errorf("import:\n%s", out)
	}
	restored := cli(t, "export", "-db", dst)
	if versionLine.ReplaceAllString(restored, "") != versionLine.ReplaceAllString(exported, "") {
		t.Fatalf("round trip differs:\n%s\n---\n%s", restored, exported)
	}
	// The server starts on the imported database and serves the same file.
	s := testserver.Start(t, testserver.Options{DBPath: dst})
	if got := httpExport(t, s); got != restored {
		t.Errorf("the server on the imported database serves:\n%s\nwant:\n%s", got, restored)
	}
	if s.SystemUserID == src.SystemUserID {
		t.Error("the import copied the system user's id")
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	var out, errOut bytes.Buffer
	bad := write(t, "bad.yaml", "version: 0\nusers:\n  - {username: 'a b', email: nope}\n")
	err := run([]string{"import", "-db", db, bad}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "users[0].email:") || !strings.Contains(err.Error(), "users[0].username:") {
		t.Errorf("invalid file: %v", err)
	}
	cli(t, "import", "-db", db, write(t, "ok.yaml", fixture))
	// The database moved on: a file at an older version is stale.
	stale := write(t, "stale.yaml", "version: 1\nusers:\n  - {username: carl, email: carl@example.com}\n")
	if err := run([]string{"import", "-db", db, stale}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "version 1") {
		t.Errorf("stale file: %v", err)
	}
	// The system user stays protected from an import too.
	sys := write(t, "sys.yaml", "version: 1000\ndeletions: {users: [system]}\n")
	if err := run([]string{"import", "-db", db, sys}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "system user") {
		t.Errorf("deleting the system user: %v", err)
	}
	if err := run([]string{"export", "-db", filepath.Join(t.TempDir(), "missing.db")}, &out, &errOut); err == nil {
		t.Error("export of a missing database succeeded")
	}
	if err := run([]string{"import", "-db", db}, &out, &errOut); err == nil {
		t.Error("import without a file succeeded")
	}
	if err := run([]string{"serve-please"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "subcommands") {
		t.Errorf("an unknown argument: %v", err)
	}
}

// startListening starts cmd (the built identity-server) and returns the
// address it says it listens on and that log line; the rest of its log is
// drained, and the server is interrupted when the test ends.
func startListening(t *testing.T, cmd *exec.Cmd) (base, line string) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	lines := bufio.NewScanner(stderr)
	url := regexp.MustCompile(`"url":"(http://[^"]+)"`)
	for lines.Scan() {
		if m := url.FindStringSubmatch(lines.Text()); m != nil {
			base, line = m[1], lines.Text()
			break
		}
	}
	if base == "" {
		t.Fatal("the server never said where it listens")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	return base, line
}
