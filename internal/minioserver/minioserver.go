// Package minioserver starts a real MinIO server (an S3-compatible service,
// not AWS) for the tests of `credentials: provided`.
//
// MinIO is built from the Go module proxy at a pinned version (Version) by
// .ci/run, into $HOME/.cache/s3wizard-tools/minio-<Version>/minio, where the
// module and build caches keep later runs fast. Start fails the test (never
// skips) when the binary is missing.
package minioserver

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/internal/childproc"
)

// Module and Version pin the MinIO server; .ci/run installs the same.
const (
	Module  = "github.com/minio/minio"
	Version = "v0.0.0-20260212201848-7aac2a2c5b7c"
)

// Root credentials of the test server (the "keys the user already has").
const (
	User     = "s3wizard-minio"
	Password = "s3wizard-minio-secret"
)

// Server is a running MinIO bound to 127.0.0.1.
type Server struct {
	URL string
	cmd *exec.Cmd
	out *childproc.Output
}

// Binary finds the MinIO server: $S3WIZARD_MINIO, the .ci/run install
// location, then `minio` on PATH.
func Binary() (string, error) {
	var tried []string
	if p := os.Getenv("S3WIZARD_MINIO"); p != "" {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "s3wizard-tools", "minio-"+Version, "minio")
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
		tried = append(tried, p)
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	tried = append(tried, "minio on PATH", "$S3WIZARD_MINIO")
	return "", fmt.Errorf("no MinIO server (tried %v): run .ci/run, or GOBIN=$HOME/.cache/s3wizard-tools/minio-%s go install %s@%s", tried, Version, Module, Version)
}

// Start runs a fresh MinIO with an empty data directory, in region
// us-east-1 (MinIO's default); it is stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartIn(tb, "us-east-1")
}

// StartIn is Start with the server in region (MINIO_REGION): it creates
// buckets there and refuses requests signed for any other region, like a
// provider's region (fr-par at Scaleway).
func StartIn(tb testing.TB, region string) *Server {
	tb.Helper()
	bin, err := Binary()
	if err != nil {
		tb.Fatal(err)
	}
	port, err := childproc.FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	cport, err := childproc.FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), out: &childproc.Output{}}
	s.cmd = exec.Command(bin, "server", "--quiet", "--address", "127.0.0.1:"+strconv.Itoa(port),
		"--console-address", "127.0.0.1:"+strconv.Itoa(cport), tb.TempDir())
	s.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+User, "MINIO_ROOT_PASSWORD="+Password,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_REGION="+region)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = childproc.SysProcAttr()
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start minio %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		childproc.KillGroup(s.cmd.Process.Pid)
		<-done
	})
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-done:
			tb.Fatalf("minio exited before serving:\n%s", s.out.String())
		default:
		}
		if resp, err := hc.Get(s.URL + "/minio/health/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("minio did not answer on %s within 90s:\n%s", s.URL, s.out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Env points an SDK or the wizard at the server with the root keys.
func (s *Server) Env() []string {
	return []string{"AWS_ENDPOINT_URL=" + s.URL, "AWS_ACCESS_KEY_ID=" + User, "AWS_SECRET_ACCESS_KEY=" + Password,
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
}

// Use points this test process's AWS SDK at the server with the root keys
// (childproc.UseEnv).
func (s *Server) Use(tb testing.TB) {
	tb.Helper()
	childproc.UseEnv(tb, s.Env())
}

// Output is what MinIO logged.
func (s *Server) Output() string { return s.out.String() }
