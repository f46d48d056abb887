//go:build unix && !linux

package main

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// childProcAttr puts a child in its own process group, so a terminal's Ctrl-C
// reaches only the demo, which then stops the children in order.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// runsBinary reports whether process pid executes bin, as ps(1) sees it.
func runsBinary(pid int, bin string) bool {
	out, err := exec.Command("ps", "-p", strconv.Itoa(pid), "-o", "command=").Output()
	return err == nil && strings.HasPrefix(strings.TrimSpace(string(out)), bin)
}
