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
	"net"
	"os/exec"
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
	return childproc.Tool("S3WIZARD_VERSITYGW", "versitygw", Module, Version)
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
	childproc.Serve(tb, "versitygw", s.cmd, s.out, 60*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return s
}

// Output is what the server logged.
func (s *Server) Output() string { return s.out.String() }
