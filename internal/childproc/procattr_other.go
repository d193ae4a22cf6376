//go:build unix && !linux

package childproc

import "syscall"

// SysProcAttr puts the child in its own process group so cleanup can kill the
// whole group.
func SysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// KillGroup kills the child's whole process group (a pyenv shim execs python,
// which may fork).
func KillGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
