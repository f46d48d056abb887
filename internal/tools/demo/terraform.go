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

// lookTerraform resolves the binary to use: the one asked for, else terraform,
// else tofu.
func lookTerraform(name string) (string, error) {
	if name != "" {
		path, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("%s not found: %w", name, err)
		}
		return path, nil
	}
	for _, candidate := range []string{"terraform", "tofu"} {
		if path, err := exec.LookPath(candidate); err == nil {
			return path, nil
		}
	}
	return "", errors.New("neither terraform nor tofu is on PATH: install Terraform 1.11+ (https://developer.hashicorp.com/terraform/install) or OpenTofu 1.11+, or name the binary with -terraform / TERRAFORM")
}

// terraformVersion asks the binary for its version; OpenTofu answers with the
// same JSON shape and says so in its plain-text banner.
func terraformVersion(ctx context.Context, path string) (version string, isTofu bool, err error) {
	cmd := exec.CommandContext(ctx, path, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", false, fmt.Errorf("running %s version: %w", path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		return "", false, fmt.Errorf("%s version -json printed no version", path)
	}
	isTofu = strings.Contains(strings.ToLower(filepath.Base(path)), "tofu")
	return v.Version, isTofu, nil
}

// atLeast reports whether a version like "1.11.4" or "1.12.0-beta1" is at least major.minor.
func atLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	gotMajor, err1 := strconv.Atoi(parts[0])
	gotMinor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return gotMajor > major || (gotMajor == major && gotMinor >= minor)
}

// writeCLIConfig writes the demo's own CLI configuration: dev_overrides send
// seed/identity to the freshly built provider, so no registry and no
// `terraform init` are involved (init would try the registry and fail offline).
func (d *demo) writeCLIConfig(providerDir string) (string, error) {
	var b strings.Builder
	b.WriteString("# Written by internal/tools/demo on every run.\n")
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	fmt.Fprintf(&b, "    %q = %q\n", "registry.terraform.io/seed/identity", filepath.ToSlash(providerDir))
	if d.tfName == "OpenTofu" {
		// OpenTofu resolves "seed/identity" against its own registry host.
		fmt.Fprintf(&b, "    %q = %q\n", "registry.opentofu.org/seed/identity", filepath.ToSlash(providerDir))
	}
	b.WriteString("  }\n  direct {}\n}\n")
	path := filepath.Join(d.dir, "terraform.rc")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return "", err
	}
	d.info("wrote %s (dev_overrides for seed/identity → %s)", d.rel(path), d.rel(providerDir))
	return path, nil
}

// terraformEnv is the caller's environment with the demo's CLI configuration
// and provider credentials; any IDENTITY_* of the caller's own is dropped so it
// cannot point the provider elsewhere.
func terraformEnv(cliConfig, endpoint, password string) []string {
	var env []string
	for _, kv := range os.Environ() {
		key, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(key, "IDENTITY_"),
			key == "TF_CLI_CONFIG_FILE", key == "TF_DATA_DIR", key == "TF_WORKSPACE":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"IDENTITY_ENDPOINT="+endpoint,
		"IDENTITY_USERNAME=system",
		"IDENTITY_PASSWORD="+password,
	)
}

// terraformCmd runs in the demo's working copy. On cancellation it gets one
// interrupt, so it can stop cleanly and save state, and is killed only if it
// has not finished a minute later.
func (d *demo) terraformCmd(ctx context.Context, env []string, args ...string) *exec.Cmd {
	full := append([]string{"-chdir=" + d.work}, args...)
	if !d.color {
		full = append(full, "-no-color")
	}
	cmd := exec.CommandContext(ctx, d.tf, full...)
	cmd.Env = env
	cmd.SysProcAttr = childProcAttr()
	cmd.Cancel = func() error { return interrupt(cmd.Process) }
	cmd.WaitDelay = time.Minute
	return cmd
}

func (d *demo) terraform(ctx context.Context, env []string, args ...string) error {
	cmd := d.terraformCmd(ctx, env, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// planIsEmpty runs a plan and prints it only when it is not empty.
func (d *demo) planIsEmpty(ctx context.Context, env []string) error {
	var out bytes.Buffer
	cmd := d.terraformCmd(ctx, env, "plan", "-detailed-exitcode", "-input=false", lockTimeout)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err == nil {
		return nil
	}
	_, _ = os.Stdout.Write(out.Bytes())
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() == 2 {
		return fmt.Errorf("%s still plans changes right after apply (shown above): the provider does not converge", d.tfName)
	}
	return fmt.Errorf("%s plan failed: %w", strings.ToLower(d.tfName), err)
}
