//go:build windows

package motoserver

import "syscall"

// sysProcAttr: Windows has no process groups to set up here.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup: the process itself is killed by stop.
func killGroup(int) {}
