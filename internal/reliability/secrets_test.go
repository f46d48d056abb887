package reliability

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/seed/terraform-provider-identity/testserver"
)

const secretsConfig = `
variable "wo_password" {
  type      = string
  ephemeral = true
}
variable "wo_version" {
  type = number
}
variable "legacy_password" {
  type      = string
  sensitive = true
}

resource "identity_user" "wo" {
  username            = "secret-wo"
  email               = "secret-wo@example.com"
  password_wo         = var.wo_password
  password_wo_version = var.wo_version
}

resource "identity_user" "legacy" {
  username = "secret-legacy"
  email    = "secret-legacy@example.com"
  password = var.legacy_password
}

resource "identity_third_party_token" "ci" {
  role        = "operator"
  description = "secrets test"
}

output "token_id" {
  value = identity_third_party_token.ci.id
}
`

// TestSecrets_NowhereTheyShouldNotBe applies users with write-only and
// sensitive passwords and a third-party token, under TF_LOG=trace, then
// rotates the write-only password. The write-only passwords appear nowhere:
// not in state, the saved plan or its JSON, the trace log, terraform's
// output, the server's log, the audit log or any database file. The sensitive
// password and the token secret, which state must hold, appear in none of
// the logs, the audit log or the database.
func TestSecrets_NowhereTheyShouldNotBe(t *testing.T) {
	f := newTF(t)
	f.trace()
	logs := &lockedBuffer{}
	s := testserver.Start(t, testserver.Options{Logger: hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Trace})})
	f.write(providerBlock(s.URL, s.Token) + secretsConfig)

	const (
		wo1    = "wo-first-Plaintext-7f3a9c"
		wo2    = "wo-second-Plaintext-2b8e1d"
		legacy = "legacy-Plaintext-5c4d3e"
	)
	var outputs bytes.Buffer
	var savedPlans [][]byte
	step := func(wo string, version int) {
		t.Helper()
		f.env = append(f.env, "TF_VAR_wo_password="+wo, "TF_VAR_wo_version="+strconv.Itoa(version), "TF_VAR_legacy_password="+legacy)
		outputs.WriteString(f.must(3*time.Minute, "plan", "-input=false", "-no-color", "-out=tfplan"))
		savedPlans = append(savedPlans, mustRead(t, filepath.Join(f.dir, "tfplan")))
		show := f.must(time.Minute, "show", "-json", "tfplan")
		if err := os.WriteFile(filepath.Join(f.dir, "plan.json"), []byte(show), 0o600); err != nil {
			t.Fatal(err)
		}
		outputs.WriteString(f.must(3*time.Minute, "apply", "-input=false", "-no-color", "tfplan"))
	}
	step(wo1, 1)
	c := apiClient(t, s.URL, s.Token)
	// Each password works, so the secret really went through.
	for user, pw := range map[string]string{"secret-wo": wo1, "secret-legacy": legacy} {
		if err := apiLogin(t, s.URL, user, pw); err != nil {
			t.Errorf("login of %s with the applied password: %v", user, err)
		}
	}
	wo1Plan, err := os.ReadFile(filepath.Join(f.dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	step(wo2, 2)
	if err := apiLogin(t, s.URL, "secret-wo", wo2); err != nil {
		t.Errorf("login with the rotated write-only password: %v", err)
	}

	state, err := os.ReadFile(filepath.Join(f.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(state, &st); err != nil {
		t.Fatal(err)
	}
	token := ""
	for _, r := range st.Resources {
		if r.Type == "identity_third_party_token" && len(r.Instances) == 1 {
			token, _ = r.Instances[0].Attributes["token"].(string)
		}
	}
	if !strings.HasPrefix(token, "eyJ") {
		t.Fatalf("no token in state: %q", token)
	}

	audit, err := c.ListAudit(ctxFor(t, time.Minute), clientAuditAll)
	if err != nil {
		t.Fatal(err)
	}
	auditJSON, _ := json.Marshal(audit)
	trace, err := os.ReadFile(f.logs)
	if err != nil {
		t.Fatal(err)
	}
	if len(trace) < 100_000 {
		t.Fatalf("trace log is only %d bytes; TF_LOG=trace did not take", len(trace))
	}
	sources := map[string][]byte{
		"terraform.tfstate":    state,
		"plan.json (first)":    wo1Plan,
		"plan.json (rotation)": mustRead(t, filepath.Join(f.dir, "plan.json")),
		"TF_LOG=trace":         trace,
		"terraform output":     outputs.Bytes(),
		"server log":           []byte(logs.String()),
		"audit log":            auditJSON,
	}
	if b, err := os.ReadFile(filepath.Join(f.dir, "terraform.tfstate.backup")); err == nil {
		sources["terraform.tfstate.backup"] = b
	}
	// A saved plan is a zip archive whose members are compressed: its raw
	// bytes would not show a secret inside, so each member is read.
	requireZipSearchFindsPlanted(t)
	stateHolds := map[string]bool{"terraform.tfstate": true, "terraform.tfstate.backup": true, "plan.json (first)": true, "plan.json (rotation)": true}
	for i, plan := range savedPlans {
		members := zipMembers(t, plan)
		if len(members) == 0 {
			t.Fatalf("saved plan %d has no members", i+1)
		}
		for name, b := range members {
			key := fmt.Sprintf("saved plan %d: %s", i+1, name)
			sources[key] = b
			stateHolds[key] = true
		}
	}
	// Read every database file raw while the server runs (WAL included), and
	// again after closing it has checkpointed the WAL into the main file.
	live, _ := filepath.Glob(s.DBPath + "*")
	for _, p := range live {
		sources["live database file "+filepath.Base(p)] = mustRead(t, p)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	dbFiles, _ := filepath.Glob(s.DBPath + "*")
	for _, p := range dbFiles {
		sources["database file "+filepath.Base(p)] = mustRead(t, p)
	}
	secrets := map[string]string{"write-only password 1": wo1, "write-only password 2": wo2, "sensitive password": legacy, "token secret": token}
	checked := 0
	for name, src := range sources {
		for what, secret := range secrets {
			writeOnly := strings.HasPrefix(what, "write-only")
			if !writeOnly && stateHolds[name] {
				continue // state and plans hold sensitive values by design
			}
			checked++
			if bytes.Contains(src, []byte(secret)) {
				t.Errorf("%s found in %s", what, name)
			}
		}
	}
	// The sensitive password is in the saved plans' state, so the members
	// really were read (the raw archive does not show it).
	foundInPlan := false
	for name, src := range sources {
		if strings.HasPrefix(name, "saved plan ") && bytes.Contains(src, []byte(legacy)) {
			foundInPlan = true
		}
	}
	if !foundInPlan {
		t.Error("the sensitive password, which a saved plan holds, was found in none of its members: the plan search proves nothing")
	}
	if !bytes.Contains(sources["server log"], []byte("/api/v1/users")) || !bytes.Contains(auditJSON, []byte("user.create")) {
		t.Error("server or audit log is missing the requests, so the scan proves nothing")
	}
	var names []string
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	t.Logf("%d secrets checked across %d sources (%d checks), trace log %d bytes: none leaked; sources: %s", len(secrets), len(sources), checked, len(trace), strings.Join(names, ", "))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// zipMembers returns the uncompressed content of every file in a zip archive
// (a saved plan), by name.
func zipMembers(t *testing.T, archive []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("reading a saved plan as a zip archive: %v", err)
	}
	members := map[string][]byte{}
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatalf("opening %s in a saved plan: %v", zf.Name, err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatalf("reading %s in a saved plan: %v", zf.Name, err)
		}
		members[zf.Name] = b
	}
	return members
}

// requireZipSearchFindsPlanted proves the saved-plan search can fail: a
// secret planted in a compressed member of a plan-shaped archive is invisible
// in the archive's raw bytes, and found once the members are read.
func requireZipSearchFindsPlanted(t *testing.T) {
	t.Helper()
	const planted = "planted-Plaintext-9d1e6b"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "tfstate", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	state := strings.Repeat(`{"attributes":{"username":"padding","email":"padding@example.com"}},`, 50) +
		`{"attributes":{"password":"` + planted + `"}}`
	if _, err := io.WriteString(w, state); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(planted)) {
		t.Fatal("the planted secret shows in the raw archive; the check below would prove nothing")
	}
	found := false
	for _, b := range zipMembers(t, buf.Bytes()) {
		found = found || bytes.Contains(b, []byte(planted))
	}
	if !found {
		t.Fatal("a secret planted in a saved plan's member was not found by the member search")
	}
}
