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
		c.Contents = decodeKeys(o.Contents, func(v *s3types.Object) **string { return &v.Key })
		c.CommonPrefixes = decodeKeys(o.CommonPrefixes, func(v *s3types.CommonPrefix) **string { return &v.Prefix })
		return &c
	case *s3.ListObjectVersionsOutput:
		if o.EncodingType != s3types.EncodingTypeUrl {
			return o
		}
		c := *o
		c.EncodingType = ""
		c.Prefix, c.Delimiter, c.KeyMarker, c.NextKeyMarker = unescape(o.Prefix), unescape(o.Delimiter), unescape(o.KeyMarker), unescape(o.NextKeyMarker)
		c.Versions = decodeKeys(o.Versions, func(v *s3types.ObjectVersion) **string { return &v.Key })
		c.DeleteMarkers = decodeKeys(o.DeleteMarkers, func(v *s3types.DeleteMarkerEntry) **string { return &v.Key })
		c.CommonPrefixes = decodeKeys(o.CommonPrefixes, func(v *s3types.CommonPrefix) **string { return &v.Prefix })
		return &c
	case *s3.ListMultipartUploadsOutput:
		if o.EncodingType != s3types.EncodingTypeUrl {
			return o
		}
		c := *o
		c.EncodingType = ""
		c.Prefix, c.Delimiter, c.KeyMarker, c.NextKeyMarker = unescape(o.Prefix), unescape(o.Delimiter), unescape(o.KeyMarker), unescape(o.NextKeyMarker)
		c.Uploads = decodeKeys(o.Uploads, func(v *s3types.MultipartUpload) **string { return &v.Key })
		c.CommonPrefixes = decodeKeys(o.CommonPrefixes, func(v *s3types.CommonPrefix) **string { return &v.Prefix })
		return &c
	}
	return res
}

// decodeKeys returns a copy of items with the key field (key) of each
// decoded.
func decodeKeys[T any](items []T, key func(*T) **string) []T {
	items = slices.Clone(items)
	for i := range items {
		k := key(&items[i])
		*k = unescape(*k)
	}
	return items
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
