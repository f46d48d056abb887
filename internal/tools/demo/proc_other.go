//go:build !unix

package main

import (
	"os"
	"syscall"
)

// Without POSIX signals children cannot be asked to stop gracefully; they are
// ended outright, and earlier runs' processes are not looked for.

func childProcAttr() *syscall.SysProcAttr { return nil }

func interrupt(p *os.Process) error { return p.Kill() }

func terminate(p *os.Process) error { return p.Kill() }

func processAlive(int) bool { return false }

func runsBinary(int, string) bool { return false }
