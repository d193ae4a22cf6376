package aws

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/s3wizard/s3wizard/provider"
)

// ProfileRefusal is the answer to an S3 operation the provider's profile
// says it does not implement: the call is never sent, and the steps treat
// it as the provider's refusal (code NotImplemented, like the provider's
// own 501).
type ProfileRefusal struct {
	Op      string
	Profile *provider.Profile
}

func (e *ProfileRefusal) Error() string {
	return fmt.Sprintf("NotImplemented: %s: %s", e.Op, e.ErrorMessage())
}

// ErrorCode, ErrorMessage and ErrorFault make it a smithy.APIError.
func (e *ProfileRefusal) ErrorCode() string { return "NotImplemented" }
func (e *ProfileRefusal) ErrorMessage() string {
	return fmt.Sprintf("%s does not implement %s, by its documentation (%s); not sent", e.Profile.Name, e.Op, e.Profile.DocFor(e.Op))
}
func (e *ProfileRefusal) ErrorFault() smithy.ErrorFault { return smithy.FaultServer }

// providerRequests makes the clients' requests ones the provider accepts
// (credentials: provided): the SDK's flexible checksums only where an
// operation requires one, and, for a provider that refuses x-amz-checksum-*
// headers, those replaced by Content-MD5 (which S3 accepts everywhere).
func providerRequests(cfg *sdk.Config, p *provider.Profile) {
	cfg.RequestChecksumCalculation = sdk.RequestChecksumCalculationWhenRequired
	cfg.ResponseChecksumValidation = sdk.ResponseChecksumValidationWhenRequired
	if p.ChecksumHeaders() {
		return
	}
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		if _, ok := stack.Finalize.Get("Signing"); !ok {
			return nil // a presigned URL: no body, no checksum header
		}
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("s3wizardContentMD5", contentMD5), "Signing", middleware.Before)
	})
}

// contentMD5 replaces a request's x-amz-checksum-* headers by Content-MD5
// of its (seekable, small: a bucket configuration or a DeleteObjects list)
// body.
func contentMD5(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return next.HandleFinalize(ctx, in)
	}
	had := false
	for name := range req.Header {
		l := strings.ToLower(name)
		if strings.HasPrefix(l, "x-amz-checksum-") || l == "x-amz-sdk-checksum-algorithm" {
			req.Header.Del(name)
			had = true
		}
	}
	if had && req.Header.Get("Content-MD5") == "" {
		if s := req.GetStream(); s != nil {
			b, err := io.ReadAll(s)
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("read the request body for Content-MD5: %w", err)
			}
			sum := md5.Sum(b)
			req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			r, err := req.SetStream(bytes.NewReader(b))
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			in.Request = r
		}
	}
	return next.HandleFinalize(ctx, in)
}

// versionsByListing answers ListObjectVersions at a provider that has no
// object versioning and does not implement it (R2): every object is its own
// one version (no version ID: a plain delete removes it for good), listed
// by ListObjectsV2; KeyMarker pages as StartAfter.
func (c *Clients) versionsByListing(ctx context.Context, in *s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error) {
	l := &s3.ListObjectsV2Input{Bucket: in.Bucket, Prefix: in.Prefix, Delimiter: in.Delimiter, MaxKeys: in.MaxKeys, StartAfter: in.KeyMarker}
	page, err := c.S3.ListObjectsV2(ctx, l)
	if err != nil {
		return nil, err
	}
	out := &s3.ListObjectVersionsOutput{Name: in.Bucket, Prefix: in.Prefix, IsTruncated: page.IsTruncated, CommonPrefixes: page.CommonPrefixes}
	for _, o := range page.Contents {
		out.Versions = append(out.Versions, types.ObjectVersion{Key: o.Key, ETag: o.ETag, Size: o.Size, LastModified: o.LastModified, IsLatest: sdk.Bool(true), StorageClass: types.ObjectVersionStorageClass(o.StorageClass)})
	}
	if sdk.ToBool(page.IsTruncated) && len(page.Contents) > 0 {
		out.NextKeyMarker = page.Contents[len(page.Contents)-1].Key
	}
	return out, nil
}
