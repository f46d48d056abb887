package reliability

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/internal/client"
	"github.com/seed/terraform-provider-identity/testserver"
)

// TestIdentitiesRoundTrip moves the quickstart from one server to another
// through the identities file and takes it over with Terraform there:
//
//   - server A gets the quickstart applied; its identities file is uploaded
//     to an empty server B, whose export is then the same document (even the
//     version, since both servers made the same changes);
//   - a copy of the quickstart with import blocks (natural keys, and
//     permission ids looked up on B) plans against B with a fresh state: every
//     resource is imported, and the only changes are the ones the file cannot
//     carry: alice's and bob's passwords (no password_wo_version yet), the
//     release managers' exclusive member mark, and the CI token, created anew
//     because tokens are never exported;
//   - after that apply the passwords work on B and the next plan is empty;
//   - identity-server export -db and import -db give the same documents.
func TestIdentitiesRoundTrip(t *testing.T) {
	// A: the quickstart, applied as the demo does (its own variable defaults,
	// the system user's credentials from the environment).
	a := testserver.Start(t)
	fa := quickstartTF(t, a)
	fa.must(5*time.Minute, "apply", "-auto-approve", "-input=false", "-no-color")
	managed := stateResources(t, fa)

	fileA := getIdentities(t, a)
	vA := fileVersion(t, fileA)
	for _, want := range []string{"username: alice", "name: Release Managers", "principal: group:Acme:Platform", "scope: tenant:acme"} {
		if !strings.Contains(fileA, want) {
			t.Fatalf("A's export lacks %q:\n%s", want, fileA)
		}
	}

	// B: an empty server loads A's file. The file has no ids, and the version
	// counts changes to objects: A had one create per object, through the
	// provider; B has the same creates, in one upload. So B's export is A's
	// document byte for byte, version included.
	b := testserver.Start(t)
	vPut := putIdentities(t, b, fileA)
	fileB := getIdentities(t, b)
	if v := fileVersion(t, fileB); v != vPut {
		t.Errorf("the PUT answered version %d, B's export says %d", vPut, v)
	}
	if stripVersion(fileB) != stripVersion(fileA) {
		t.Fatalf("B's export differs from A's beyond the version:\n%s\nwant:\n%s", fileB, fileA)
	}
	if vPut != vA {
		t.Errorf("B is at version %d after the upload, A at %d: the same objects were created once on each", vPut, vA)
	}
	t.Logf("A's export and B's are identical: %d bytes, version %d", len(fileB), vA)

	// The CLI path: export -db beside the running A serves the same bytes as
	// the HTTP export, and import -db into a fresh database gives B's document.
	cliRoundTrip(t, a, fileA, fileB)

	// Import blocks for every managed resource of A's state, from natural keys.
	imports, creates := importBlocks(t, b, managed)
	if want := []string{"identity_third_party_token.ci"}; !slices.Equal(creates, want) {
		t.Fatalf("resources without an import: %v, want %v", creates, want)
	}

	fb := quickstartTF(t, b)
	var hcl strings.Builder
	hcl.WriteString("# Takes over the identities loaded from another server's identities file.\n")
	for _, addr := range slices.Sorted(maps.Keys(imports)) {
		fmt.Fprintf(&hcl, "\nimport {\n  to = %s\n  id = %q\n}\n", addr, imports[addr])
	}
	if err := os.WriteFile(filepath.Join(fb.dir, "imports.tf"), []byte(hcl.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fb.run(5*time.Minute, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=tfplan"); exitCode(err) != 2 {
		out, errOut, _ := fb.run(5*time.Minute, "plan", "-input=false", "-no-color")
		t.Fatalf("plan against B: %v, want exit code 2 (changes)\n%s\n%s", err, tail(out, 4000), tail(errOut, 4000))
	}
	// Users imported without a password_wo_version get their password once
	// (and, as on any update of a user, updated_at and last_login_at are read
	// back). The file carries a group's member set, not its exclusive mark.
	userUpdate := planDiff{Set: []string{"password_wo_version"}, Unknown: []string{"last_login_at", "updated_at"}}
	checkTakeoverPlan(t, fb.must(time.Minute, "show", "-json", "tfplan"), imports, map[string]planDiff{
		"identity_user.alice":                     userUpdate,
		"identity_user.bob":                       userUpdate,
		"identity_group_members.release_managers": {Set: []string{"exclusive"}},
	}, creates)

	t.Logf("plan against B: %d imports (3 with an in-place update), %d create", len(imports), len(creates))

	fb.must(5*time.Minute, "apply", "-input=false", "-no-color", "tfplan")
	if empty, out := fb.planIsEmpty(5 * time.Minute); !empty {
		t.Errorf("the plan after taking over B is not empty:\n%s", tail(out, 4000))
	}
	// The passwords the first apply set are the quickstart's own defaults.
	for user, password := range map[string]string{"alice": "correct-horse-battery-staple", "bob": "tr0ub4dor&3-but-longer"} {
		if err := apiLogin(t, b.URL, user, password); err != nil {
			t.Errorf("%s cannot sign in on B after the apply: %v", user, err)
		}
	}
	// The take-over changed no identity: B still serves A's document.
	if got := getIdentities(t, b); stripVersion(got) != stripVersion(fileA) {
		t.Errorf("the apply changed B's identities:\n%s\nwant:\n%s", got, fileA)
	}
	if got := len(apiTokens(t, b)); got != 1 {
		t.Errorf("B has %d third-party tokens after the apply, want the CI token alone", got)
	}
}

// quickstartTF is a working directory holding a copy of examples/quickstart,
// with the provider's credentials for s in the environment as the demo sets them.
func quickstartTF(t *testing.T, s *testserver.Server) *tf {
	t.Helper()
	f := newTF(t)
	src := filepath.Join(moduleRoot(t), "examples", "quickstart")
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no quickstart configuration in %s: %v", src, err)
	}
	for _, file := range files {
		if err := os.WriteFile(filepath.Join(f.dir, filepath.Base(file)), mustRead(t, file), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f.env = append(f.env, "TF_INPUT=0", "IDENTITY_ENDPOINT="+s.URL, "IDENTITY_USERNAME=system", "IDENTITY_PASSWORD="+s.SuperuserPassword)
	return f
}

// stateResource is one managed resource instance of a state.
type stateResource struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Type    string         `json:"type"`
	Values  map[string]any `json:"values"`
}

// stateResources lists the managed resource instances of a working directory's state.
func stateResources(t *testing.T, f *tf) []stateResource {
	t.Helper()
	var st struct {
		Values struct {
			RootModule struct {
				Resources []stateResource `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(f.must(time.Minute, "show", "-json")), &st); err != nil {
		t.Fatal(err)
	}
	var out []stateResource
	for _, r := range st.Values.RootModule.Resources {
		if r.Mode == "managed" {
			out = append(out, r)
		}
	}
	return out
}

// importBlocks gives the import id on s of every resource in state, keyed by
// address: natural keys where the provider takes them, and for permissions
// the id found on s by operation, scope and principal. Resources that cannot
// be imported (third-party tokens, whose secret is never exported) are
// returned in creates.
func importBlocks(t *testing.T, s *testserver.Server, state []stateResource) (imports map[string]string, creates []string) {
	t.Helper()
	str := func(r stateResource, key string) string { v, _ := r.Values[key].(string); return v }
	// The old server's ids, as natural keys.
	usernames, groupNames := map[string]string{}, map[string]string{}
	for _, r := range state {
		switch r.Type {
		case "identity_user":
			usernames[str(r, "id")] = str(r, "username")
		case "identity_group":
			groupNames[str(r, "id")] = str(r, "full_name")
		}
	}
	key := func(m map[string]string, id string) string {
		if v, ok := m[id]; ok {
			return v
		}
		t.Fatalf("id %s is not in the state", id)
		return ""
	}
	c := apiClient(t, s.URL, s.Token)
	ctx := ctxFor(t, time.Minute)
	imports = map[string]string{}
	for _, r := range state {
		switch r.Type {
		case "identity_role":
			imports[r.Address] = str(r, "name")
		case "identity_user":
			imports[r.Address] = str(r, "username")
		case "identity_group":
			imports[r.Address] = str(r, "full_name")
		case "identity_group_members":
			imports[r.Address] = key(groupNames, str(r, "group_id"))
		case "identity_group_membership":
			imports[r.Address] = key(groupNames, str(r, "group_id")) + "/" + key(usernames, str(r, "user_id"))
		case "identity_permission":
			f := client.PermissionFilter{Operation: str(r, "operation"), Scope: str(r, "scope"), Role: str(r, "role")}
			if id := str(r, "user_id"); id != "" {
				u, err := c.GetUserByUsername(ctx, key(usernames, id))
				if err != nil {
					t.Fatalf("%s: %v", r.Address, err)
				}
				f.UserID = u.ID
			}
			if id := str(r, "group_id"); id != "" {
				gs, err := c.ListGroups(ctx, client.GroupFilter{FullName: key(groupNames, id)})
				if err != nil || len(gs) != 1 {
					t.Fatalf("%s: group %s on the new server: %v %v", r.Address, key(groupNames, id), gs, err)
				}
				f.GroupID = gs[0].ID
			}
			ps, err := c.ListPermissions(ctx, f)
			if err != nil || len(ps) != 1 {
				t.Fatalf("%s: %+v on the new server: %v %v", r.Address, f, ps, err)
			}
			imports[r.Address] = ps[0].ID
		case "identity_third_party_token":
			creates = append(creates, r.Address)
		default:
			t.Fatalf("%s: no natural key known for %s", r.Address, r.Type)
		}
	}
	return imports, creates
}

// planDiff is what an in-place update changes: the top-level attributes set
// to a new known value, and those left unknown until the apply; both sorted.
type planDiff struct{ Set, Unknown []string }

// checkTakeoverPlan asserts on a saved plan's JSON: every address of imports
// is imported with its id and either changes nothing or, for the addresses
// of updates, is updated in place with exactly that difference; creates are
// created; no other managed resource changes.
func checkTakeoverPlan(t *testing.T, planJSON string, imports map[string]string, updates map[string]planDiff, creates []string) {
	t.Helper()
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Mode    string `json:"mode"`
			Change  struct {
				Actions      []string       `json:"actions"`
				Before       map[string]any `json:"before"`
				After        map[string]any `json:"after"`
				AfterUnknown map[string]any `json:"after_unknown"`
				Importing    *struct {
					ID string `json:"id"`
				} `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(planJSON), &plan); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, rc := range plan.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		seen[rc.Address] = true
		ch := rc.Change
		if slices.Contains(creates, rc.Address) {
			if !slices.Equal(ch.Actions, []string{"create"}) || ch.Importing != nil {
				t.Errorf("%s: %v (importing %v), want a plain create", rc.Address, ch.Actions, ch.Importing)
			}
			continue
		}
		id, ok := imports[rc.Address]
		if !ok {
			t.Errorf("%s: %v, a resource neither imported nor created", rc.Address, ch.Actions)
			continue
		}
		if ch.Importing == nil || ch.Importing.ID != id {
			t.Errorf("%s: importing %v, want id %q", rc.Address, ch.Importing, id)
		}
		want, update := []string{"no-op"}, updates[rc.Address]
		if len(update.Set)+len(update.Unknown) > 0 {
			want = []string{"update"}
		}
		if !slices.Equal(ch.Actions, want) {
			t.Errorf("%s: actions %v, want %v", rc.Address, ch.Actions, want)
		}
		if got := diffOf(ch.Before, ch.After, ch.AfterUnknown); !reflect.DeepEqual(got, update) {
			t.Errorf("%s: changes %+v, want %+v\nbefore: %v\nafter:  %v", rc.Address, got, update, ch.Before, ch.After)
		}
	}
	for _, addr := range slices.Concat(slices.Collect(maps.Keys(imports)), creates) {
		if !seen[addr] {
			t.Errorf("%s is not in the plan", addr)
		}
	}
}

// diffOf compares a planned resource change's before and after, top-level
// attribute by attribute.
func diffOf(before, after, unknown map[string]any) planDiff {
	var d planDiff
	for k, v := range unknown {
		if hasUnknown(v) {
			d.Unknown = append(d.Unknown, k)
		}
	}
	for k := range after {
		if !slices.Contains(d.Unknown, k) && !reflect.DeepEqual(before[k], after[k]) {
			d.Set = append(d.Set, k)
		}
	}
	slices.Sort(d.Set)
	slices.Sort(d.Unknown)
	return d
}

// hasUnknown reports whether an after_unknown value marks anything unknown:
// true, or true anywhere inside a nested object or list.
func hasUnknown(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case map[string]any:
		return slices.ContainsFunc(slices.Collect(maps.Values(v)), hasUnknown)
	case []any:
		return slices.ContainsFunc(v, hasUnknown)
	}
	return false
}

// cliRoundTrip runs identity-server export -db on A's database (beside the
// running server) and import -db into a fresh database, and compares what a
// server on that database serves with B's export.
func cliRoundTrip(t *testing.T, a *testserver.Server, fileA, fileB string) {
	t.Helper()
	bin := binary(t, "./testserver/cmd/identity-server", "identity-server")
	run := func(args ...string) string {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("identity-server %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
			}
			t.Fatal(err)
		}
		return string(out)
	}
	exported := run("export", "-db", a.DBPath)
	if exported != fileA {
		t.Fatalf("identity-server export differs from A's HTTP export:\n%s\nwant:\n%s", exported, fileA)
	}
	file := filepath.Join(t.TempDir(), "identities.yaml")
	if err := os.WriteFile(file, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "restored.db")
	run("import", "-db", db, file)
	c := testserver.Start(t, testserver.Options{DBPath: db})
	if got := getIdentities(t, c); got != fileB {
		t.Errorf("a server on the imported database serves:\n%s\nwant B's export:\n%s", got, fileB)
	}
}

// identitiesRequest sends a request to /api/v1/identities as s's system user
// and returns the body, failing unless the status is 200.
func identitiesRequest(t *testing.T, s *testserver.Server, method, query, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/api/v1/identities"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/yaml")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s /api/v1/identities%s: %d %v\n%s", method, query, res.StatusCode, err, raw)
	}
	return string(raw)
}

func getIdentities(t *testing.T, s *testserver.Server) string {
	t.Helper()
	return identitiesRequest(t, s, http.MethodGet, "", "")
}

// putIdentities uploads a file and returns the version it leaves the server at.
func putIdentities(t *testing.T, s *testserver.Server, file string) int64 {
	t.Helper()
	var res struct {
		Version int64 `json:"version"`
	}
	if err := json.Unmarshal([]byte(identitiesRequest(t, s, http.MethodPut, "", file)), &res); err != nil {
		t.Fatal(err)
	}
	return res.Version
}

var versionLine = regexp.MustCompile(`(?m)^version: (\d+)$`)

func fileVersion(t *testing.T, file string) int64 {
	t.Helper()
	m := versionLine.FindStringSubmatch(file)
	if m == nil {
		t.Fatalf("no version in:\n%s", file)
	}
	v, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func stripVersion(file string) string { return versionLine.ReplaceAllString(file, "") }

func apiTokens(t *testing.T, s *testserver.Server) []client.Token {
	t.Helper()
	ts, err := apiClient(t, s.URL, s.Token).ListTokens(ctxFor(t, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// exitCode is a command's exit code: 0 without an error, -1 when it did not run to an exit.
func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}
