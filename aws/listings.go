package aws

import (
	"context"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// urlEncodedListings makes every object listing of the wizard's S3 clients
// ask S3 for URL-encoded keys (EncodingType=url) and hands the caller the
// keys decoded. XML 1.0 cannot carry most control characters: one object
// named with one (a key S3 accepts) made every plain listing of the bucket
// undecodable, so destroy could never empty it.
func urlEncodedListings(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("s3wizardURLKeys",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			switch p := in.Parameters.(type) {
			case *s3.ListObjectsV2Input:
				c := *p
				c.EncodingType = s3types.EncodingTypeUrl
				in.Parameters = &c
			case *s3.ListObjectVersionsInput:
				c := *p
				c.EncodingType = s3types.EncodingTypeUrl
				in.Parameters = &c
			case *s3.ListMultipartUploadsInput:
				c := *p
				c.EncodingType = s3types.EncodingTypeUrl
				in.Parameters = &c
			default:
				return next.HandleInitialize(ctx, in)
			}
			out, md, err := next.HandleInitialize(ctx, in)
			if err == nil {
				out.Result = decodeListing(out.Result)
			}
			return out, md, err
		}), middleware.Before)
}

// decodeListing returns a copy of a listing's output with its keys,
// prefixes and markers URL-decoded (the output may be shared by the read
// cache: it is never changed in place).
func decodeListing(res any) any {
	switch o := res.(type) {
	case *s3.ListObjectsV2Output:
		if o.EncodingType != s3types.EncodingTypeUrl {
			return o
		}
		c := *o
		c.EncodingType = ""
		c.Prefix, c.Delimiter, c.StartAfter = unescape(o.Prefix), unescape(o.Delimiter), unescape(o.StartAfter)
		c.Contents = slices.Clone(o.Contents)
		for i := range c.Contents {
			c.Contents[i].Key = unescape(c.Contents[i].Key)
		}
		c.CommonPrefixes = decodePrefixes(o.CommonPrefixes)
		return &c
	case *s3.ListObjectVersionsOutput:
		if o.EncodingType != s3types.EncodingTypeUrl {
			return o
		}
		c := *o
		c.EncodingType = ""
		c.Prefix, c.Delimiter, c.KeyMarker, c.NextKeyMarker = unescape(o.Prefix), unescape(o.Delimiter), unescape(o.KeyMarker), unescape(o.NextKeyMarker)
		c.Versions = slices.Clone(o.Versions)
		for i := range c.Versions {
			c.Versions[i].Key = unescape(c.Versions[i].Key)
		}
		c.DeleteMarkers = slices.Clone(o.DeleteMarkers)
		for i := range c.DeleteMarkers {
			c.DeleteMarkers[i].Key = unescape(c.DeleteMarkers[i].Key)
		}
		c.CommonPrefixes = decodePrefixes(o.CommonPrefixes)
		return &c
	case *s3.ListMultipartUploadsOutput:
		if o.EncodingType != s3types.EncodingTypeUrl {
			return o
		}
		c := *o
		c.EncodingType = ""
		c.Prefix, c.Delimiter, c.KeyMarker, c.NextKeyMarker = unescape(o.Prefix), unescape(o.Delimiter), unescape(o.KeyMarker), unescape(o.NextKeyMarker)
		c.Uploads = slices.Clone(o.Uploads)
		for i := range c.Uploads {
			c.Uploads[i].Key = unescape(c.Uploads[i].Key)
		}
		c.CommonPrefixes = decodePrefixes(o.CommonPrefixes)
		return &c
	}
	return res
}

func decodePrefixes(ps []s3types.CommonPrefix) []s3types.CommonPrefix {
	ps = slices.Clone(ps)
	for i := range ps {
		ps[i].Prefix = unescape(ps[i].Prefix)
	}
	return ps
}

// unescape decodes one URL-encoded value as S3 encodes it (a space may be
// "+"); a value that does not decode is kept as it is.
func unescape(s *string) *string {
	if s == nil {
		return nil
	}
	v, err := url.QueryUnescape(*s)
	if err != nil {
		return s
	}
	return &v
}
