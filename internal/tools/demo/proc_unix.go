//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

func interrupt(p *os.Process) error { return p.Signal(os.Interrupt) }

func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
