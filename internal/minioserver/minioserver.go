// Package minioserver starts a real MinIO server (an S3-compatible service,
// not AWS) for the tests of `credentials: provided`.
//
// MinIO is built from the Go module proxy at a pinned version (Version) by
// .ci/run, into $HOME/.cache/s3wizard-tools/minio-<Version>/minio, where the
// module and build caches keep later runs fast. Start fails the test (never
// skips) when the binary is missing.
package minioserver

import (
	"net/http"
	"os"
	"os/exec"
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
	return childproc.Tool("S3WIZARD_MINIO", "minio", Module, Version)
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
	hc := &http.Client{Timeout: 2 * time.Second}
	// Ready once the health check says so and the S3 API no longer answers
	// 503 XMinioServerNotInitialized (on a loaded machine the first can
	// come before the second).
	status := func(path string) int {
		resp, err := hc.Get(s.URL + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	childproc.Serve(tb, "minio", s.cmd, s.out, 90*time.Second, func() bool {
		if status("/minio/health/ready") != http.StatusOK {
			return false
		}
		st := status("/")
		return st != 0 && st != http.StatusServiceUnavailable
	})
	return s
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
