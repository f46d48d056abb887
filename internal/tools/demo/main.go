// Command demo runs the quickstart end to end on one machine: it builds the
// provider and the identity server, starts the server on a free loopback port
// with its data under .demo/, applies examples/quickstart with Terraform using
// a dev_overrides CLI configuration that points at the provider just built,
// shows what was created and stops the server again.
//
// Everything it keeps between runs lives in .demo/ (git-ignored): the binaries,
// the SQLite database, the Terraform state, the generated superuser password
// and signing key. A second run therefore finds nothing to change.
//
// Run it from the repository: make demo, or go run ./internal/tools/demo.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const modulePath = "github.com/seed/terraform-provider-identity"

// lockTimeout lets a run wait for the state lock of an earlier run's
// Terraform that is still winding down (after the demo was killed outright).
const lockTimeout = "-lock-timeout=60s"

type options struct {
	dir       string
	example   string
	terraform string
	destroy   bool
}

func main() {
	var opts options
	flag.StringVar(&opts.dir, "dir", ".demo", "folder for the demo's binaries, database and Terraform state (relative to the repository root)")
	flag.StringVar(&opts.example, "example", filepath.Join("examples", "quickstart"), "Terraform configuration to apply (relative to the repository root)")
	flag.StringVar(&opts.terraform, "terraform", os.Getenv("TERRAFORM"), "Terraform or OpenTofu binary (default: terraform, else tofu, from PATH)")
	flag.BoolVar(&opts.destroy, "destroy", false, "destroy what the demo created instead of applying it")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "demo: unexpected arguments: %s\n", strings.Join(flag.Args(), " "))
		os.Exit(2)
	}

	// Interrupts are handled here, not by the children: Terraform and the server
	// run in their own process groups so that Terraform can finish what it is
	// doing (against a server that is still up) before the server is stopped.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err := run(ctx, opts)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case interrupted:
		fmt.Fprintln(os.Stderr, "\ndemo: interrupted; the server is stopped and the state of what was applied is kept for the next run")
		os.Exit(130)
	case err != nil:
		fmt.Fprintf(os.Stderr, "\ndemo: %v\n", err)
		os.Exit(1)
	}
}

// demo holds what every step needs.
type demo struct {
	root     string // repository root
	dir      string // absolute path of the demo folder
	work     string // Terraform working directory: a copy of the example
	tf       string // Terraform or OpenTofu binary
	tfName   string // "Terraform" or "OpenTofu", for messages
	color    bool
	out      io.Writer
	password string
}

func run(ctx context.Context, opts options) error {
	d := &demo{out: os.Stdout, color: useColor()}

	root, err := findRoot()
	if err != nil {
		return err
	}
	d.root = root
	d.dir = absUnder(root, opts.dir)
	d.work = filepath.Join(d.dir, "quickstart")
	example := absUnder(root, opts.example)

	d.step("Checking prerequisites")
	if err := d.findTerraform(ctx, opts.terraform); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(d.dir, "bin"), 0o700); err != nil {
		return err
	}
	// The state holds the CI token and the database password hashes: owner only.
	if err := os.Chmod(d.dir, 0o700); err != nil { //nolint:gosec // a directory needs its x bit
		return err
	}
	release, err := acquireLock(filepath.Join(d.dir, "demo.pid"))
	if err != nil {
		return err
	}
	defer release()

	d.step("Building the provider and the identity server")
	providerBin := filepath.Join(d.dir, "bin", exe("terraform-provider-identity"))
	serverBin := filepath.Join(d.dir, "bin", exe("identity-server"))
	if err := d.goBuild(ctx, providerBin, "."); err != nil {
		return fmt.Errorf("building the provider: %w", err)
	}
	if err := d.goBuild(ctx, serverBin, "./testserver/cmd/identity-server"); err != nil {
		return fmt.Errorf("building the server: %w", err)
	}
	d.info("built %s", d.rel(providerBin))
	d.info("built %s", d.rel(serverBin))

	d.step("Preparing " + d.rel(d.dir))
	password, err := d.secret("superuser-password", newPassword)
	if err != nil {
		return err
	}
	d.password = password
	signingKey, err := d.secret("signing-key", newSigningKey)
	if err != nil {
		return err
	}
	cliConfig, err := d.writeCLIConfig(filepath.Dir(providerBin))
	if err != nil {
		return err
	}
	if err := syncExample(example, d.work); err != nil {
		return fmt.Errorf("copying %s: %w", d.rel(example), err)
	}
	d.info("%s is a copy of %s; the Terraform state stays there between runs", d.rel(d.work), d.rel(example))
	db := filepath.Join(d.dir, "identity.db")
	if err := d.matchDatabaseToState(db); err != nil {
		return err
	}
	stopStaleServer(filepath.Join(d.dir, "server.pid"), serverBin, d)

	d.step("Starting the identity server")
	srv, err := startServer(ctx, serverConfig{
		bin:        serverBin,
		db:         db,
		logPath:    filepath.Join(d.dir, "server.log"),
		pidPath:    filepath.Join(d.dir, "server.pid"),
		password:   password,
		signingKey: signingKey,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.stop(); err != nil {
			d.info("stopping the server: %v", err)
		}
	}()
	d.info("listening on %s (database %s, log %s)", srv.url, d.rel(db), d.rel(srv.logPath))

	tfEnv := terraformEnv(cliConfig, srv.url, password)
	if opts.destroy {
		d.step(d.tfName + " destroy")
		if err := d.terraform(ctx, tfEnv, "destroy", "-auto-approve", "-input=false", lockTimeout); err != nil {
			return fmt.Errorf("%s destroy failed: %w (the server's log is %s)", strings.ToLower(d.tfName), err, d.rel(srv.logPath))
		}
	} else {
		d.step(d.tfName + " apply of " + d.rel(example))
		d.info("%s warns that provider development overrides are in effect: expected, it uses the provider just built", d.tfName)
		if err := d.terraform(ctx, tfEnv, "apply", "-auto-approve", "-input=false", lockTimeout); err != nil {
			return fmt.Errorf("%s apply failed: %w (the server's log is %s)", strings.ToLower(d.tfName), err, d.rel(srv.logPath))
		}

		d.step("Checking that a new plan finds nothing to change")
		if err := d.planIsEmpty(ctx, tfEnv); err != nil {
			return err
		}
		d.info("no changes: the server matches the configuration")

		d.step(d.tfName + " outputs")
		if err := d.terraform(ctx, tfEnv, "output"); err != nil {
			return fmt.Errorf("%s output failed: %w", strings.ToLower(d.tfName), err)
		}
	}

	d.step("What the server holds (read back over its API)")
	if err := showServer(ctx, d.out, srv.url, password); err != nil {
		return fmt.Errorf("reading back from the server: %w", err)
	}

	d.step("Stopping the server")
	if err := srv.stop(); err != nil {
		return fmt.Errorf("stopping the server: %w", err)
	}
	d.info("stopped; nothing is left running")
	d.done(db, opts.destroy)
	return nil
}

// findTerraform picks the binary, checks it runs and is recent enough for
// write-only attributes.
func (d *demo) findTerraform(ctx context.Context, name string) error {
	path, err := lookTerraform(name)
	if err != nil {
		return err
	}
	v, isTofu, err := terraformVersion(ctx, path)
	if err != nil {
		return err
	}
	d.tf = path
	d.tfName = "Terraform"
	if isTofu {
		d.tfName = "OpenTofu"
	}
	if !atLeast(v, 1, 11) {
		return fmt.Errorf("%s %s at %s is too old: the provider's write-only attributes need %s 1.11 or newer", d.tfName, v, path, d.tfName)
	}
	d.info("%s %s (%s)", d.tfName, v, path)
	return nil
}

// matchDatabaseToState starts from an empty database when there is no state:
// objects the state does not know would otherwise make creates fail with 409.
func (d *demo) matchDatabaseToState(db string) error {
	if exists(filepath.Join(d.work, "terraform.tfstate")) || !exists(db) {
		return nil
	}
	d.info("no Terraform state but an old database: starting with a fresh database")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

func (d *demo) done(db string, destroyed bool) {
	if destroyed {
		fmt.Fprintf(d.out, "\nDestroyed. `make demo` applies the quickstart again.\n")
		return
	}
	fmt.Fprintf(d.out, "\nDone. Run `make demo` again: %s finds nothing to change.\n", d.tfName)
	fmt.Fprintf(d.out, "Look around with the server on the demo's data:\n")
	fmt.Fprintf(d.out, "  IDENTITY_SUPERUSER_PASSWORD=\"$(cat %s)\" IDENTITY_SIGNING_KEY=\"$(cat %s)\" \\\n",
		d.rel(filepath.Join(d.dir, "superuser-password")), d.rel(filepath.Join(d.dir, "signing-key")))
	fmt.Fprintf(d.out, "    %s -listen 127.0.0.1:8080 -db %s\n", d.rel(filepath.Join(d.dir, "bin", exe("identity-server"))), d.rel(db))
	fmt.Fprintf(d.out, "Remove what the demo created: make demo DEMOARGS=-destroy; start over from scratch: rm -rf %s\n", d.rel(d.dir))
}

func (d *demo) step(title string) {
	if d.color {
		fmt.Fprintf(d.out, "\n\033[1m==> %s\033[0m\n", title)
		return
	}
	fmt.Fprintf(d.out, "\n==> %s\n", title)
}

func (d *demo) info(format string, args ...any) {
	fmt.Fprintf(d.out, "    "+format+"\n", args...)
}

// rel shortens a path under the repository root for messages.
func (d *demo) rel(path string) string {
	if r, err := filepath.Rel(d.root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// findRoot walks up from the working directory to this module's go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module "+modulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run the demo inside the %s repository (no go.mod for it above the working directory)", modulePath)
		}
		dir = parent
	}
}

func absUnder(root, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(root, path)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// useColor follows the usual conventions: a terminal, no NO_COLOR, not CI.
func useColor() bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("CI") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := os.Stdout.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// waitOrCancel sleeps for d unless ctx ends first.
func waitOrCancel(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
