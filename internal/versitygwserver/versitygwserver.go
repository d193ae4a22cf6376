// Package versitygwserver starts a real versitygw (Versity S3 Gateway, an
// S3-compatible server that is not MinIO) with its posix backend, for the
// tests of `credentials: provided` on a second implementation.
//
// versitygw is built from the Go module proxy at a pinned version
// (Version) by .ci/run, into
// $HOME/.cache/s3wizard-tools/versitygw-<Version>/versitygw. Start fails the
// test (never skips) when the binary is missing.
package versitygwserver

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/internal/childproc"
)

// Module and Version pin the server; .ci/run installs the same.
const (
	Module  = "github.com/versity/versitygw/cmd/versitygw"
	Version = "v1.8.0"
)

// Root credentials of the test server.
const (
	User     = "s3wizard-vgw"
	Password = "s3wizard-vgw-secret"
)

// Server is a running versitygw bound to 127.0.0.1.
type Server struct {
	URL string
	cmd *exec.Cmd
	out *childproc.Output
}

// Binary finds the server: $S3WIZARD_VERSITYGW, the .ci/run install
// location, then `versitygw` on PATH.
func Binary() (string, error) {
	if p := os.Getenv("S3WIZARD_VERSITYGW"); p != "" {
		return p, nil
	}
	var tried []string
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "s3wizard-tools", "versitygw-"+Version, "versitygw")
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
		tried = append(tried, p)
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	tried = append(tried, "versitygw on PATH", "$S3WIZARD_VERSITYGW")
	return "", fmt.Errorf("no versitygw (tried %v): run .ci/run, or GOBIN=$HOME/.cache/s3wizard-tools/versitygw-%s go install %s@%s", tried, Version, Module, Version)
}

// Start runs a fresh versitygw (posix backend in an empty directory, with
// a versioning directory) in us-east-1; it is stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := Binary()
	if err != nil {
		tb.Fatal(err)
	}
	port, err := childproc.FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	root, versions := tb.TempDir(), tb.TempDir()
	s := &Server{URL: "http://" + addr, out: &childproc.Output{}}
	s.cmd = exec.Command(bin, "--port", addr, "--access", User, "--secret", Password, "--region", "us-east-1", "--quiet",
		"posix", "--versioning-dir", versions, root)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = childproc.SysProcAttr()
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start versitygw %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		childproc.KillGroup(s.cmd.Process.Pid)
		<-done
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			tb.Fatalf("versitygw exited before serving:\n%s", s.out.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("versitygw did not listen on %s within 60s:\n%s", addr, s.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Output is what the server logged.
func (s *Server) Output() string { return s.out.String() }
