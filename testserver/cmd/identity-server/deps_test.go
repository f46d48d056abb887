package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// testOnly tells whether a package is test-only code that the production
// binary must not link: the testing packages, httptest, and the throwaway
// PostgreSQL clusters of pgtest.
func testOnly(path string) bool {
	return path == "testing" || strings.HasPrefix(path, "testing/") || path == "net/http/httptest" ||
		strings.HasSuffix(path, "/testserver/internal/pgtest")
}

// TestNoTestOnlyDependencies keeps the standalone server free of test-only
// code: the server core lives in package server, and package testserver
// (Start, PostgresURL, TemporaryPostgres) is for tests and tools only.
func TestNoTestOnlyDependencies(t *testing.T) {
	// go test puts its own GOROOT/bin first on PATH, so this is the same go.
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list the dependencies with: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, ".").Output() //nolint:gosec // the go command found above
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("go list -deps: %v\n%s", err, exitErr.Stderr)
		}
		t.Fatalf("go list -deps: %v", err)
	}
	var deps []string
	importers := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		deps = append(deps, fields[0])
		for _, imp := range fields[1:] {
			importers[imp] = append(importers[imp], fields[0])
		}
	}
	if len(importers["net/http"]) == 0 {
		t.Fatalf("go list -deps did not list the server's packages:\n%s", out)
	}
	for _, dep := range deps {
		if testOnly(dep) {
			t.Errorf("identity-server links the test-only package %s (imported by %s)", dep, strings.Join(importers[dep], ", "))
		}
	}
}
