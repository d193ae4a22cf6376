//go:build unix && !linux

package motoserver

import "syscall"

// sysProcAttr puts moto in its own process group so cleanup can kill the
// whole group.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
