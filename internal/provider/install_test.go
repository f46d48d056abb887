package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seed/terraform-provider-identity/internal/client"
	"github.com/seed/terraform-provider-identity/testserver"
)

// `make install` puts the provider in Terraform's implied local mirror, and a
// configuration that requires seed/identity then initialises with a plain
// `terraform init` (lock file included) and plans: no dev_overrides, no CLI
// configuration, no registry. HOME is a fresh folder, and every proxy points
// at a closed port, so any attempt to reach the network fails the test.
func TestAccInstall_localMirror(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run: it builds the provider and runs terraform")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = "terraform"
	}
	tf, err := exec.LookPath(tf)
	if err != nil {
		t.Fatalf("terraform: %v", err)
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not on PATH")
	}
	t.Parallel()
	const version = "0.0.1-dev"
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// The Go caches stay where they are, so the build needs neither the
	// network nor a cold compile.
	goEnv, err := exec.CommandContext(ctx, "go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	caches := strings.Fields(string(goEnv))
	if len(caches) != 3 {
		t.Fatalf("go env printed %q", goEnv)
	}
	env := isolatedEnv(home,
		"GOCACHE="+caches[0], "GOMODCACHE="+caches[1], "GOPATH="+caches[2], "GOFLAGS=-buildvcs=false", "GOPROXY=off")

	run := func(dir string, extraEnv []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...) //nolint:gosec // make and terraform with the test's own arguments
		cmd.Dir = dir
		cmd.Env = append(env, extraEnv...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}

	run(repo, nil, "make", "--no-print-directory", "install")
	binary := filepath.Join(home, ".terraform.d", "plugins", "registry.terraform.io", "seed", "identity", version,
		runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-identity_v"+version)
	if info, err := os.Stat(binary); err != nil || info.Mode()&0o111 == 0 {
		t.Fatalf("make install did not place an executable at %s: %v", binary, err)
	}

	srv := testserver.Start(t)
	work := t.TempDir()
	cliConfig := filepath.Join(work, "empty.tfrc")
	files := map[string]string{
		cliConfig: "",
		filepath.Join(work, "main.tf"): fmt.Sprintf(`terraform {
  required_providers {
    identity = {
      source  = "seed/identity"
      version = %q
    }
  }
}

provider "identity" {
  endpoint = %q
  token    = %q
}

data "identity_role" "operator" {
  name = "operator"
}

resource "identity_group" "installed" {
  name        = "installed"
  description = "operator level ${data.identity_role.operator.level}"
}

# With the real binary Terraform runs one provider process per block, so
# this also shows an alias signed in with an ephemeral token.
ephemeral "identity_token" "auditor" {
  role = "auditor"
  ttl  = "5m"
}

provider "identity" {
  alias    = "auditor"
  endpoint = %q
  token    = ephemeral.identity_token.auditor.token
}

data "identity_role" "seen_by_auditor" {
  provider = identity.auditor
  name     = "auditor"
}
`, version, srv.URL, srv.Token, srv.URL),
	}
	for name, body := range files {
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tfEnv := []string{"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}

	out := run(work, tfEnv, tf, "init", "-input=false", "-no-color")
	if !strings.Contains(out, "Installing seed/identity v"+version) {
		t.Errorf("terraform init did not install seed/identity %s:\n%s", version, out)
	}
	lock, err := os.ReadFile(filepath.Join(work, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatalf("terraform init wrote no lock file: %v", err)
	}
	if !strings.Contains(string(lock), `provider "registry.terraform.io/seed/identity"`) || !strings.Contains(string(lock), `version     = "`+version+`"`) {
		t.Errorf("lock file does not pin seed/identity %s:\n%s", version, lock)
	}

	out = run(work, tfEnv, tf, "plan", "-input=false", "-no-color")
	if !regexp.MustCompile(`\+ description\s+= "operator level 10"`).MatchString(out) || !strings.Contains(out, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Errorf("terraform plan did not plan the group from the server's data:\n%s", out)
	}
	if !strings.Contains(out, "data.identity_role.seen_by_auditor: Read complete") || jwtPattern.MatchString(out) {
		t.Errorf("the auditor alias did not read through its ephemeral token, or a secret was shown:\n%s", out)
	}
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: srv.Token, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if left, err := c.ListTokens(ctx); err != nil || len(left) != 0 {
		t.Errorf("after the plan: %d token(s) left on the server (%v), want the ephemeral token revoked", len(left), err)
	}
}

// isolatedEnv is this process's environment with HOME replaced, Terraform's
// own settings and CLI configuration removed, every proxy pointing at a
// closed port, and extra appended.
func isolatedEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "HOME", strings.HasPrefix(k, "TF_"), strings.HasPrefix(k, "GO"),
			strings.EqualFold(k, "http_proxy"), strings.EqualFold(k, "https_proxy"), strings.EqualFold(k, "no_proxy"),
			k == "XDG_DATA_HOME", k == "XDG_CONFIG_HOME", k == "XDG_CACHE_HOME", k == "MAKEFLAGS", k == "MAKELEVEL":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home,
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost")
	return append(env, extra...)
}
