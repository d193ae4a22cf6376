//go:build unix && !linux

package motoserver

import "syscall"

// sysProcAttr puts moto in its own process group so cleanup can kill the
// whole group.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills moto's whole process group (the pyenv shim execs python,
// which may fork).
func killGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
