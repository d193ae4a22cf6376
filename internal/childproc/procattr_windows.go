//go:build windows

package childproc

import "syscall"

// SysProcAttr: Windows has no process groups to set up here.
func SysProcAttr() *syscall.SysProcAttr { return nil }

// KillGroup: the process itself is killed by stop.
func KillGroup(int) {}
