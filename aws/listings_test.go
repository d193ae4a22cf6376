package aws

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// TestURLEncodedListingsDecodeKeys (issue 17.14): every object listing asks
// for URL-encoded keys and hands back decoded keys and markers, without
// changing the answer it got (the read cache may share it). moto ignores
// EncodingType on ListObjectVersions: this covers the decision, and
// cli.TestControlCharacterKeyDoesNotBreakListings the ListObjectsV2 path
// end to end.
func TestURLEncodedListingsDecodeKeys(t *testing.T) {
	stack := middleware.NewStack("test", nil)
	if err := urlEncodedListings(stack); err != nil {
		t.Fatal(err)
	}
	answer := &s3.ListObjectVersionsOutput{
		EncodingType:  s3types.EncodingTypeUrl,
		NextKeyMarker: sdk.String("media/bad%01name.jpg"),
		Versions:      []s3types.ObjectVersion{{Key: sdk.String("media/bad%01name.jpg")}, {Key: sdk.String("media/a+b%2Bc.jpg")}},
		DeleteMarkers: []s3types.DeleteMarkerEntry{{Key: sdk.String("media/x%7F")}},
	}
	var sent any
	mw, ok := stack.Initialize.Get("s3wizardURLKeys")
	if !ok {
		t.Fatal("middleware not added")
	}
	in := &s3.ListObjectVersionsInput{Bucket: sdk.String("b")}
	o, _, err := mw.HandleInitialize(context.Background(), middleware.InitializeInput{Parameters: in},
		middleware.InitializeHandlerFunc(func(ctx context.Context, in middleware.InitializeInput) (middleware.InitializeOutput, middleware.Metadata, error) {
			sent = in.Parameters
			return middleware.InitializeOutput{Result: answer}, middleware.Metadata{}, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	res := o.Result
	if got := sent.(*s3.ListObjectVersionsInput).EncodingType; got != s3types.EncodingTypeUrl {
		t.Errorf("EncodingType sent = %q, want url", got)
	}
	if in.EncodingType != "" {
		t.Error("the caller's input was changed")
	}
	out := res.(*s3.ListObjectVersionsOutput)
	if k := *out.Versions[0].Key; k != "media/bad\x01name.jpg" {
		t.Errorf("key = %q", k)
	}
	if k := *out.Versions[1].Key; k != "media/a b+c.jpg" {
		t.Errorf("key = %q", k)
	}
	if k := *out.DeleteMarkers[0].Key; k != "media/x\x7f" {
		t.Errorf("delete marker = %q", k)
	}
	if m := *out.NextKeyMarker; m != "media/bad\x01name.jpg" {
		t.Errorf("next key marker = %q (the paginator sends it back as KeyMarker)", m)
	}
	if *answer.Versions[0].Key != "media/bad%01name.jpg" {
		t.Error("the answer itself was changed in place")
	}
}
