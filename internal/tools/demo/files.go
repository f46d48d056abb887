package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// exe adds the platform's executable suffix.
func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

func (d *demo) goBuild(ctx context.Context, out, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = d.root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// secret reads a value kept in the demo folder, creating it on the first run:
// the server must see the same superuser password and signing key every time
// for the state and the tokens in it to stay valid.
func (d *demo) secret(name string, generate func() (string, error)) (string, error) {
	path := filepath.Join(d.dir, name)
	data, err := os.ReadFile(path)
	if err == nil {
		if v := strings.TrimSpace(string(data)); v != "" {
			return v, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	v, err := generate()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", err
	}
	d.info("generated %s (kept for later runs)", d.rel(path))
	return v, nil
}

func newPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newSigningKey returns 256 random bits, hex encoded, as the server expects.
func newSigningKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// terraformLocal are the names Terraform writes into a working directory;
// they belong to the demo's copy and are neither copied nor removed.
var terraformLocal = map[string]bool{
	".terraform":                   true,
	".terraform.lock.hcl":          true,
	".terraform.tfstate.lock.info": true,
	"terraform.tfstate":            true,
	"terraform.tfstate.backup":     true,
	"terraform.tfstate.d":          true,
}

// syncExample makes dst an exact copy of the configuration in src while
// keeping Terraform's own files (the state above all) in dst.
func syncExample(src, dst string) error {
	if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", src)
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dst)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if terraformLocal[e.Name()] || strings.HasSuffix(e.Name(), ".tfstate") {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return filepath.WalkDir(src, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		if terraformLocal[entry.Name()] || strings.HasSuffix(entry.Name(), ".tfstate") {
			if entry.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if entry.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
