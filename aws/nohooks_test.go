//go:build !s3wizard_testhooks

package aws_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// TestReleaseBuildIgnoresCrashAfter: the crash-injection hook is compiled
// only into the tests' binary (build tag s3wizard_testhooks); a release
// build given S3WIZARD_CRASH_AFTER carries on. Had the hook fired, this test
// process would have exited 137 and the test failed.
func TestReleaseBuildIgnoresCrashAfter(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	t.Setenv("S3WIZARD_CRASH_AFTER", "GetCallerIdentity")
	ctx := context.Background()
	c, err := aws.New(ctx, aws.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
}
