//go:build unix

package envfile

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFOEnvFileRefused (issue 17.13): a named pipe as the env file is
// refused at once, never read (the read would wait forever).
func TestFIFOEnvFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 3)
	go func() {
		_, err := Read(path)
		done <- err
		done <- Check(path)
		_, err = Merge(path, map[string]string{"A": "1"}, nil)
		done <- err
	}()
	for i := 0; i < 3; i++ {
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), "named pipe") {
				t.Errorf("call %d: %v, want a refusal naming the pipe", i, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("reading a FIFO env file blocked")
		}
	}
}
