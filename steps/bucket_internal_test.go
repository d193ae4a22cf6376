package steps

import (
	"net/http"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/internal/awstest"
)

// decideBucket is the one decision behind planBucket and the TUI's live
// BucketAvailability. moto answers HeadBucket from another region with 200
// (not AWS's 301) and never denies GetBucketLocation to another account, so
// the 301 + AccessDenied answer is built here.
func TestDecideBucket(t *testing.T) {
	cases := []struct {
		name      string
		headErr   error
		locRegion string
		locErr    error
		want      bucketState
		region    string
		wantErr   bool
	}{
		{"free", awstest.S3HTTPError(http.StatusNotFound, ""), "", nil, bucketFree, "", false},
		{"403: another account's", awstest.S3HTTPError(http.StatusForbidden, ""), "", nil, bucketTaken, "", false},
		{"ours here", nil, "eu-west-3", nil, bucketOurs, "eu-west-3", false},
		{"301, location readable: ours elsewhere", awstest.S3HTTPError(http.StatusMovedPermanently, "us-west-2"), "us-west-2", nil, bucketOurs, "us-west-2", false},
		{"301, location AccessDenied: another account's", awstest.S3HTTPError(http.StatusMovedPermanently, "us-west-2"), "", apiErr("AccessDenied"), bucketTaken, "", false},
		{"200, location unreadable: an error, not someone else's", nil, "", apiErr("AccessDenied"), bucketOurs, "", true},
		{"other HeadBucket error", awstest.S3HTTPError(http.StatusInternalServerError, ""), "", nil, bucketFree, "", true},
	}
	for _, c := range cases {
		st, reg, err := decideBucket(c.headErr, c.locRegion, c.locErr)
		if st != c.want || reg != c.region || (err != nil) != c.wantErr {
			t.Errorf("%s: got %v %q %v, want %v %q err=%v", c.name, st, reg, err, c.want, c.region, c.wantErr)
		}
	}
}

// apiErr is an AWS answer with that error code (also used by the go1.25-only
// retry tests: declared here, so a Go 1.24 toolchain builds this file).
func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }
