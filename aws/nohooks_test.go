//go:build !s3wizard_testhooks

package aws_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestReleaseBuildIgnoresCrashAfter: the crash-injection hook is compiled
// only into the tests' binary (build tag s3wizard_testhooks); a release
// build given S3WIZARD_CRASH_AFTER carries on. Had the hook fired, this test
// process would have exited 137 and the test failed.
func TestReleaseBuildIgnoresCrashAfter(t *testing.T) {
	_, c := motoClients(t)
	t.Setenv("S3WIZARD_CRASH_AFTER", "GetCallerIdentity")
	ctx := context.Background()
	for range 2 {
		if _, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
}
