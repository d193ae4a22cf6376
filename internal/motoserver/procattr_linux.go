//go:build linux

package motoserver

import "syscall"

// sysProcAttr puts moto in its own process group (so cleanup can kill the
// whole group) and asks the kernel to SIGKILL it if the test binary dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
