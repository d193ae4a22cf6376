package day2

import (
	"net/http"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/internal/awstest"
)

// Decision logic of doctor's HeadBucket. moto answers HeadBucket from
// another region with 200 and the bucket's region (TestDoctorNamesTheBucketsRegion
// covers that); real AWS answers 301 or 400 with x-amz-bucket-region, which
// moto cannot produce, so that answer is built here.
func TestHeadBucketChecksRegionFromErrorHeader(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusBadRequest} {
		checks, stop := headBucketChecks("b-media", "us-east-1", "", awstest.S3HTTPError(status, "eu-west-3"), true)
		if stop || len(checks) != 1 {
			t.Fatalf("%d: checks %+v stop %v", status, checks, stop)
		}
		c := checks[0]
		if c.OK || c.Detail != "bucket is in eu-west-3, AWS_S3_REGION_NAME is us-east-1: signed URLs will fail; set it to eu-west-3" {
			t.Errorf("%d: %+v", status, c)
		}
	}
	// A 403 in the configured region is a missing permission.
	checks, _ := headBucketChecks("b-media", "eu-west-3", "", awstest.S3HTTPError(http.StatusForbidden, "eu-west-3"), true)
	if len(checks) != 1 || checks[0].OK || !strings.Contains(checks[0].Detail, "s3:ListBucket") {
		t.Errorf("403: %+v", checks)
	}
	// 404: a typo, and nothing more to check.
	checks, stop := headBucketChecks("b-media", "eu-west-3", "", awstest.S3HTTPError(http.StatusNotFound, ""), true)
	if !stop || len(checks) != 1 || !strings.Contains(checks[0].Detail, "typo") {
		t.Errorf("404: %+v %v", checks, stop)
	}
}
