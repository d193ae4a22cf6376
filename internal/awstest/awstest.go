// Package awstest builds, for unit tests, the AWS answers moto cannot
// produce (it is never a fake server: only the error values the SDK would
// return).
package awstest

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3HTTPError is the SDK's error for an S3 answer with that HTTP status and,
// when bucketRegion is set, its x-amz-bucket-region header (a bucket in
// another region: 301 or 400 on AWS).
func S3HTTPError(status int, bucketRegion string) error {
	resp := &http.Response{StatusCode: status, Header: http.Header{}}
	if bucketRegion != "" {
		resp.Header.Set("x-amz-bucket-region", bucketRegion)
	}
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: resp}, Err: errors.New(http.StatusText(status))}}
}
