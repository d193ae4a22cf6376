// Package childproc runs the servers the tests start (moto, MinIO) as child
// processes that never outlive the test binary: their own process group,
// killed whole at cleanup, and their output kept for failure messages.
package childproc

import (
	"bytes"
	"net"
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

// FreePort is a loopback TCP port free at the time of the call, for a
// server a test starts.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
