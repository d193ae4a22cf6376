package childproc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Tool finds a server binary the tests build from the Go module proxy:
// $envVar, then .ci/run's install location
// $HOME/.cache/s3wizard-tools/<name>-<version>/<name>, then name on PATH.
func Tool(envVar, name, module, version string) (string, error) {
	if p := os.Getenv(envVar); p != "" {
		return p, nil
	}
	var tried []string
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "s3wizard-tools", name+"-"+version, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
		tried = append(tried, p)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	tried = append(tried, name+" on PATH", "$"+envVar)
	return "", fmt.Errorf("no %s (tried %v): run .ci/run, or GOBIN=$HOME/.cache/s3wizard-tools/%s-%s go install %s@%s", name, tried, name, version, module, version)
}

// Serve starts cmd (its output into out) in its own process group, killed
// whole when the test ends, and waits until ready reports true (polled
// every 200 ms for at most wait); it fails the test if the process exits
// first or never gets ready.
func Serve(tb testing.TB, name string, cmd *exec.Cmd, out *Output, wait time.Duration, ready func() bool) {
	tb.Helper()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = SysProcAttr()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s %s: %v", name, cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		KillGroup(cmd.Process.Pid)
		<-done
	})
	deadline := time.Now().Add(wait)
	for {
		select {
		case <-done:
			tb.Fatalf("%s exited before serving:\n%s", name, out.String())
		default:
		}
		if ready() {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not get ready within %s:\n%s", name, wait, out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
