package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// terraform runs the Terraform CLI against the freshly built provider.
type terraform struct {
	bin         string
	cliConfig   string
	parallelism int
}

// setupTerraform builds the provider into tmp/bin and writes a CLI
// configuration whose dev_overrides point seed/identity at it. With
// dev_overrides and otherwise only the built-in terraform_data, Terraform
// needs no `terraform init` (and init would try the registry, which is
// unreachable here).
func setupTerraform(ctx context.Context, cfg config, tmp string) (*terraform, error) {
	bin, err := exec.LookPath(cfg.terraform)
	if err != nil {
		return nil, fmt.Errorf("terraform not found: %w", err)
	}
	binDir := filepath.Join(tmp, "bin")
	for _, b := range []struct{ out, pkg string }{
		{"terraform-provider-identity", "."},
		{"terraform-provider-benchnoop", "./internal/tools/bench/noopprovider"},
	} {
		build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(binDir, b.out), b.pkg)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("go build %s: %w", b.pkg, err)
		}
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/seed/identity", filepath.ToSlash(binDir),
		"registry.terraform.io/seed/benchnoop", filepath.ToSlash(binDir))
	cliConfig := filepath.Join(tmp, "terraform.rc")
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	return &terraform{bin: bin, cliConfig: cliConfig, parallelism: cfg.parallelism}, nil
}

// tfRun is one timed Terraform command.
type tfRun struct {
	elapsed  time.Duration
	requests int64 // requests the server saw while it ran (when counted)
	conns    int64 // connections the server accepted while it ran
	changes  bool  // plan found changes (exit code 2 of -detailed-exitcode)
}

// run runs `terraform <args>` in dir with the server's endpoint and token in
// the environment, and fails with Terraform's own output when it fails.
func (t *terraform) run(ctx context.Context, dir string, srv *benchServer, args ...string) (tfRun, error) {
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"TF_CLI_CONFIG_FILE="+t.cliConfig, "TF_LOG=", "TF_PLUGIN_CACHE_DIR=")
	if srv != nil {
		cmd.Env = append(cmd.Env, "IDENTITY_ENDPOINT="+srv.URL, "IDENTITY_TOKEN="+srv.Token)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	var before, beforeConns int64
	if srv != nil {
		before, beforeConns = srv.Requests(), srv.conns.Load()
	}
	t0 := time.Now()
	err := cmd.Run()
	r := tfRun{elapsed: time.Since(t0)}
	if srv != nil {
		r.requests = srv.Requests() - before
		r.conns = srv.conns.Load() - beforeConns
	}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 2 && contains(args, "-detailed-exitcode") {
		r.changes = true
		err = nil
	}
	if err != nil {
		tail := out.String()
		if len(tail) > 4000 {
			tail = "..." + tail[len(tail)-4000:]
		}
		return r, fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), dir, err, tail)
	}
	return r, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (t *terraform) par() string { return "-parallelism=" + strconv.Itoa(t.parallelism) }

func (t *terraform) apply(ctx context.Context, dir string, srv *benchServer) (tfRun, error) {
	return t.run(ctx, dir, srv, "apply", "-auto-approve", "-input=false", "-no-color", t.par())
}

// plan refreshes every resource and must find nothing to change.
func (t *terraform) plan(ctx context.Context, dir string, srv *benchServer) (tfRun, error) {
	r, err := t.run(ctx, dir, srv, "plan", "-input=false", "-no-color", "-detailed-exitcode", t.par())
	if err == nil && r.changes {
		err = fmt.Errorf("terraform plan in %s found changes right after apply", dir)
	}
	return r, err
}

func (t *terraform) destroy(ctx context.Context, dir string, srv *benchServer) (tfRun, error) {
	return t.run(ctx, dir, srv, "destroy", "-auto-approve", "-input=false", "-no-color", t.par())
}

// version returns the Terraform version string.
func terraformVersion(ctx context.Context, bin string) string {
	cmd := exec.CommandContext(ctx, bin, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	var v struct {
		Version  string `json:"terraform_version"`
		Platform string `json:"platform"`
	}
	if json.Unmarshal(out, &v) != nil {
		return "unknown"
	}
	return v.Version + " " + v.Platform
}

// writeConfig writes main.tf into a fresh folder dir.
func writeConfig(dir, hcl string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600)
}

const providerBlock = `terraform {
  required_providers {
    identity = { source = "seed/identity" }
  }
}

provider "identity" {}
`
