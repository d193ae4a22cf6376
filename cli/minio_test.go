package cli_test

import (
	"testing"

	"github.com/s3wizard/s3wizard/internal/minioserver"
)

// TestProvidedCredentialsOnMinIO is `credentials: provided` end to end on a
// real S3-compatible server (MinIO, built from the Go module proxy at a
// pinned version): apply sets up the bucket, layout, bucket policy, env file
// and settings with the keys the user already had, lists what it skips and
// why, and verifies anonymous 200 on the public prefix and 403 elsewhere;
// a second apply changes nothing.
func TestProvidedCredentialsOnMinIO(t *testing.T) {
	srv := minioserver.Start(t)
	providedFlow(t, srv.URL, srv.Env(), minioserver.User, minioserver.Password, srv.Output)
}
