//go:build unix

package state

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes f's exclusive lock without waiting; errBusy when another
// process holds it.
func tryLock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errBusy
	}
	return err
}

// waitLock takes f's exclusive lock, waiting for another process to release
// it. Closing f releases it.
func waitLock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
