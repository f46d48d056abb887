package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// childProcAttr puts a child in its own process group, so a terminal's Ctrl-C
// reaches only the demo, which then stops the children in order; Pdeathsig
// stops the child should the demo itself be killed outright.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// runsBinary reports whether process pid executes bin (also when bin has since
// been rebuilt, which the kernel marks as " (deleted)").
func runsBinary(pid int, bin string) bool {
	link, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return false
	}
	link = strings.TrimSuffix(link, " (deleted)")
	if resolved, err := filepath.EvalSymlinks(bin); err == nil {
		bin = resolved
	}
	return link == bin
}
