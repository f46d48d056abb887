package reliability

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/testserver"
)

// badCase is one invalid resource: its type, the valid attributes around it,
// and the one bad attribute line, which the diagnostic must point at.
type badCase struct {
	name, typ string
	base      string // valid attributes, one per line; %[1]s is a unique suffix
	bad       string // the invalid attribute line ("" when the base itself is wrong)
	apply     bool   // refused only by the server, at apply (see RELIABILITY.md for which and why)
}

func badCases() []badCase {
	mib := strings.Repeat("x", 1<<20)
	user := "username = \"ok%[1]s\"\n  email = \"ok%[1]s@example.com\""
	userNoEmail := "username = \"ok%[1]s\""
	userNoName := "email = \"ok%[1]s@example.com\""
	many := make([]string, 65)
	for i := range many {
		many[i] = fmt.Sprintf("k%d = \"v\"", i)
	}
	role := "name = \"r%[1]s\""
	roleLevel := "level = 500"
	group := "name = \"G%[1]s\""
	perm := "operation = \"VIEW_PROJECT\"\n  scope = \"project:web\""
	permOp := "scope = \"project:web\"\n  role = \"guest\""
	permScope := "operation = \"VIEW_PROJECT\"\n  role = \"guest\""
	uuid := "00000000-0000-4000-8000-000000000001"
	return []badCase{
		{"email without at", "identity_user", userNoEmail, `email = "not-an-email"`, false},
		{"email without domain dot", "identity_user", userNoEmail, `email = "a@localhost"`, false},
		{"email with display name", "identity_user", userNoEmail, `email = "Ann <ann@example.com>"`, false},
		{"empty email", "identity_user", userNoEmail, `email = ""`, false},
		{"email with header injection", "identity_user", userNoEmail, `email = "a@example.com\nBcc: b@example.com"`, false},
		{"email with space", "identity_user", userNoEmail, `email = "a b@example.com"`, false},
		{"255-character email", "identity_user", userNoEmail, `email = "` + strings.Repeat("e", 243) + `@example.com"`, false},
		{"empty username", "identity_user", userNoName, `username = ""`, false},
		{"username with space", "identity_user", userNoName, `username = "has space"`, false},
		{"emoji username", "identity_user", userNoName, `username = "rocket🚀"`, false},
		{"SQL in username", "identity_user", userNoName, `username = "x'; DROP TABLE users;--"`, false},
		{"65-character username", "identity_user", userNoName, `username = "` + strings.Repeat("u", 65) + `"`, false},
		{"1 MiB username", "identity_user", userNoName, `username = "` + mib + `"`, false},
		{"control character in first name", "identity_user", user, `first_name = "Bob\u0007"`, false},
		{"escape sequence in last name", "identity_user", user, `last_name = "\u001b[31mred"`, false},
		{"129-character last name", "identity_user", user, `last_name = "` + strings.Repeat("l", 129) + `"`, false},
		{"1 MiB organization", "identity_user", user, `organization = "` + mib + `"`, false},
		{"bad attribute key", "identity_user", user, `attributes = { "1bad" = "v" }`, false},
		{"NUL in attribute value", "identity_user", user, `attributes = { team = "a\u0000b" }`, false},
		{"65 attributes", "identity_user", user, "attributes = { " + strings.Join(many, ", ") + " }", false},
		{"short write-only password", "identity_user", user, `password_wo = "short"`, false},
		{"129-character write-only password", "identity_user", user, `password_wo = "` + strings.Repeat("p", 129) + `"`, false},
		{"short sensitive password", "identity_user", user, `password = "short"`, false},
		{"both password kinds", "identity_user", user + "\n  password = \"long-enough-1\"", `password_wo = "long-enough-2"`, false},
		{"password version without password", "identity_user", user, `password_wo_version = 1`, false},
		{"role name with capitals", "identity_user", user, `role = "Root"`, false},
		{"role name with SQL", "identity_user", user, `role = "guest' OR '1'='1"`, false},
		{"unknown role for a user", "identity_user", user, `role = "no-such-role"`, true},
		{"upper-case role name", "identity_role", roleLevel, `name = "Admin2"`, false},
		{"empty role name", "identity_role", roleLevel, `name = ""`, false},
		{"role name with slash", "identity_role", roleLevel, `name = "a/b"`, false},
		{"negative level", "identity_role", role, `level = -1`, false},
		{"level 1001", "identity_role", role, `level = 1001`, false},
		{"1,025-character role description", "identity_role", role + "\n  " + roleLevel, `description = "` + strings.Repeat("d", 1025) + `"`, false},
		{"control character in role description", "identity_role", role + "\n  " + roleLevel, `description = "a\u001bb"`, false},
		{"empty group name", "identity_group", "", `name = ""`, false},
		{"colon in group name", "identity_group", "", `name = "a:b"`, false},
		{"group name with leading space", "identity_group", "", `name = " lead"`, false},
		{"emoji group name", "identity_group", "", `name = "🚀"`, false},
		{"colon in organization", "identity_group", group, `organization = "x:y"`, false},
		{"1 MiB group description", "identity_group", group, `description = "` + mib + `"`, false},
		{"unknown operation", "identity_permission", permOp, `operation = "DROP_TABLE"`, false},
		{"lower-case operation", "identity_permission", permOp, `operation = "view_project"`, false},
		{"unknown scope kind", "identity_permission", permScope, `scope = "galaxy:far"`, false},
		{"scope without key", "identity_permission", permScope, `scope = "project:"`, false},
		{"scope key with SQL", "identity_permission", permScope, `scope = "project:' OR 1=1"`, false},
		{"SUPER_ADMIN on a project", "identity_permission", "operation = \"SUPER_ADMIN\"\n  role = \"guest\"", `scope = "project:web"`, false},
		{"VIEW_PROJECT on an inventory", "identity_permission", permScope, `scope = "inventory:db"`, false},
		{"both principals", "identity_permission", perm + "\n  role = \"guest\"", `user_id = "` + uuid + `"`, false},
		{"no principal", "identity_permission", "operation = \"VIEW_PROJECT\"", `scope = "project:web"`, false},
		{"principal role with capitals", "identity_permission", perm, `role = "Bad Role"`, false},
		{"unknown scope operation pair", "identity_permission", permScope, `scope = "global:x"`, false},
		{"token without role", "identity_third_party_token", "", `role = ""`, false},
		{"expired token", "identity_third_party_token", `role = "guest"`, `expires_at = "2001-01-01T00:00:00Z"`, true},
		{"token expiry not a time", "identity_third_party_token", `role = "guest"`, `expires_at = "tomorrow"`, false},
		{"control character in token description", "identity_third_party_token", `role = "guest"`, `description = "a\u0007b"`, false},
		{"token of an unknown role", "identity_third_party_token", "", `role = "no-such-role"`, true},
		{"membership group not an id", "identity_group_membership", `user_id = "` + uuid + `"`, `group_id = "admins"`, false},
		{"membership user not an id", "identity_group_membership", `group_id = "` + uuid + `"`, `user_id = "alice"`, false},
		{"member set with a non-id", "identity_group_members", `group_id = "` + uuid + `"`, `user_ids = ["alice"]`, false},
	}
}

// diagnostic is what terraform validate -json and apply -json report.
type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
	Range    *struct {
		Start struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
}

// TestBadInput_InvalidConfigurations writes 60 invalid resources into one
// configuration. Everything that can be checked without the server must be
// refused by terraform validate (so at plan time, before any request), with
// an error whose range is the bad attribute's own line; the rest (roles that
// do not exist) must fail at apply with an error on that resource naming the
// attribute, and create nothing.
func TestBadInput_InvalidConfigurations(t *testing.T) {
	f := newTF(t)
	s := testserver.Start(t)
	// Terraform reaches the server only through this proxy, which counts
	// every request (reads included), so "no request" is exact.
	p := newCountingProxy(t, s.URL, nil)
	cases := badCases()
	noPrincipal := -1
	for i, c := range cases {
		if c.name == "no principal" {
			noPrincipal = i
		}
	}
	var hcl strings.Builder
	hcl.WriteString("terraform {\n  required_providers {\n    identity = { source = \"seed/identity\" }\n  }\n}\n\n")
	hcl.WriteString(providerBlock(p.URL, s.Token))
	line := strings.Count(hcl.String(), "\n") + 1
	badLine := map[string]int{}
	var applyCases []badCase
	for i, c := range cases {
		if c.apply {
			applyCases = append(applyCases, c)
			continue
		}
		name := fmt.Sprintf("c%02d", i)
		block := fmt.Sprintf("resource %q %q {\n", c.typ, name)
		if c.base != "" {
			block += "  " + strings.ReplaceAll(c.base, "%[1]s", name) + "\n"
		}
		badLine[c.typ+"."+name] = line + strings.Count(block, "\n")
		block += "  " + c.bad + "\n}\n\n"
		hcl.WriteString(block)
		line += strings.Count(block, "\n")
	}
	if err := os.WriteFile(filepath.Join(f.dir, "main.tf"), []byte(hcl.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, _ := f.run(3*time.Minute, "validate", "-json", "-no-color")
	var v struct {
		Diagnostics []diagnostic `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("validate -json: %v\n%s", err, tail(out, 2000))
	}
	hit := map[int]bool{}
	for _, d := range v.Diagnostics {
		if d.Severity == "error" && d.Range != nil {
			hit[d.Range.Start.Line] = true
		}
	}
	// With no principal there is no bad attribute; the error is on the block.
	for addr, l := range badLine {
		if strings.HasSuffix(addr, fmt.Sprintf(".c%02d", noPrincipal)) {
			for b := l - 3; b < l; b++ {
				hit[l] = hit[l] || hit[b]
			}
		}
	}
	var addrs []string
	for a := range badLine {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	missed := 0
	for i, c := range cases {
		addr := fmt.Sprintf("%s.c%02d", c.typ, i)
		if l, ok := badLine[addr]; ok && !hit[l] {
			missed++
			t.Errorf("%s (%s): no plan-time error on its bad attribute (line %d: %.80s)", c.name, addr, l, c.bad)
		}
	}
	if n := p.received.Load(); n != 0 {
		t.Errorf("validation sent %d request(s) to the server, want none", n)
	}

	// The server-only cases, applied for real.
	f2 := newTF(t)
	var body strings.Builder
	body.WriteString(providerBlock(p.URL, s.Token))
	for i, c := range applyCases {
		name := fmt.Sprintf("a%02d", i)
		fmt.Fprintf(&body, "resource %q %q {\n", c.typ, name)
		if c.base != "" {
			body.WriteString("  " + strings.ReplaceAll(c.base, "%[1]s", name) + "\n")
		}
		body.WriteString("  " + c.bad + "\n}\n\n")
	}
	f2.write(body.String())
	applyOut, applyErr, err := f2.run(3*time.Minute, "apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("apply of server-only invalid resources succeeded:\n%s", tail(applyOut, 2000))
	}
	folded := strings.Join(strings.Fields(applyErr), " ")
	for i, c := range applyCases {
		addr := fmt.Sprintf("%s.a%02d", c.typ, i)
		field, _, _ := strings.Cut(c.bad, " =")
		field = strings.TrimSuffix(strings.TrimSuffix(field, "_ids"), "_id") // "group admins", "user alice"
		if !strings.Contains(folded, "with "+addr+",") || !strings.Contains(folded, field) {
			t.Errorf("%s: apply error does not name %s and %s:\n%s", c.name, addr, field, tail(applyErr, 2000))
		}
	}
	db := openDB(t, s.DBPath)
	if n := dbCount(t, db, `SELECT count(*) FROM users WHERE NOT is_system`) + dbCount(t, db, `SELECT count(*) FROM tokens`); n != 0 {
		t.Errorf("%d objects created from invalid configurations", n)
	}
	// The same proxy saw the apply: a count of zero above is not a proxy
	// that counts nothing.
	if p.received.Load() == 0 {
		t.Error("the proxy counted no request of the apply either; the validation check proves nothing")
	}
	t.Logf("%d invalid configurations: %d refused at plan time on the bad attribute's line, %d by the server at apply; %d missed; %d requests in all, none before the apply",
		len(cases), len(badLine)-missed, len(applyCases), missed, p.received.Load())
}
