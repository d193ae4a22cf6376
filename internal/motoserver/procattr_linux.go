//go:build linux

package motoserver

import "syscall"

// sysProcAttr puts moto in its own process group (so cleanup can kill the
// whole group) and asks the kernel to SIGKILL it if the test binary dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills moto's whole process group (the pyenv shim execs python,
// which may fork).
func killGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
