// Package childproc runs the servers the tests start (moto, MinIO) as child
// processes that never outlive the test binary: their own process group,
// killed whole at cleanup, and their output kept for failure messages.
package childproc

import (
	"bytes"
	"sync"
)

// Output is a goroutine-safe sink for a child process's stdout and stderr.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
