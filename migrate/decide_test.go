package migrate_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/migrate"
)

// headOnly answers List and Head from fixed values and records PutObject:
// it is not an S3 emulation, only the answers this decision reads.
type headOnly struct {
	head *s3.HeadObjectOutput
	// listed is the ETag the listing gives (nil: none).
	listed      *string
	puts, heads int
}

func (h *headOnly) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return &s3.ListObjectsV2Output{Contents: []s3types.Object{{Key: sdk.String("media/a.jpg"), Size: h.head.ContentLength, ETag: h.listed}}}, nil
}

func (h *headOnly) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	h.heads++
	return h.head, nil
}

func (h *headOnly) PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	h.puts++
	return &s3.PutObjectOutput{}, nil
}

// TestSkipDecisionOnAWSShapes covers what moto cannot show: moto 5.2 does
// not return x-amz-checksum-sha256 on HeadObject (only on GetObject) and
// does not implement SSE-KMS ETags, which on AWS are not the content's MD5.
// Real S3 answers are modelled here by their documented fields.
func TestSkipDecisionOnAWSShapes(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.jpg"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	const (
		helloSHA = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
		helloMD5 = `"5d41402abc4b2a76b9719d911017c592"`
		kmsETag  = `"0a1b2c3d4e5f60718293a4b5c6d7e8f9"` // opaque, not the MD5
	)
	cases := []struct {
		name   string
		listed *string
		head   s3.HeadObjectOutput
		skip   bool
		heads  int
	}{
		// The listing's ETag is the MD5 (single part, not KMS): no HEAD.
		{"listed ETag is the file's MD5", sdk.String(helloMD5), s3.HeadObjectOutput{}, true, 0},
		// Under SSE-KMS the listed ETag is opaque: the HEAD's SHA-256 decides.
		{"listed opaque ETag, SHA-256 matches", sdk.String(kmsETag), s3.HeadObjectOutput{ChecksumSHA256: sdk.String(helloSHA), ETag: sdk.String(kmsETag), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms}, true, 1},
		{"listed opaque ETag, no checksum", sdk.String(kmsETag), s3.HeadObjectOutput{ETag: sdk.String(kmsETag), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms}, false, 1},

		{"our upload under SSE-KMS: SHA-256 matches", nil, s3.HeadObjectOutput{ChecksumSHA256: sdk.String(helloSHA), ETag: sdk.String(kmsETag), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms}, true, 1},
		{"SHA-256 differs", nil, s3.HeadObjectOutput{ChecksumSHA256: sdk.String("AAAAul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="), ETag: sdk.String(helloMD5)}, false, 1},
		{"another tool's upload, SSE-S3: ETag is the MD5", nil, s3.HeadObjectOutput{ETag: sdk.String(helloMD5), ServerSideEncryption: s3types.ServerSideEncryptionAes256}, true, 1},
		{"another tool's upload under SSE-KMS: ETag says nothing", nil, s3.HeadObjectOutput{ETag: sdk.String(helloMD5), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms}, false, 1},
		{"multipart ETag", sdk.String(`"5d41402abc4b2a76b9719d911017c592-2"`), s3.HeadObjectOutput{ETag: sdk.String(`"5d41402abc4b2a76b9719d911017c592-2"`)}, false, 1},
	}
	for _, c := range cases {
		c.head.ContentLength = sdk.Int64(5)
		api := &headOnly{head: &c.head, listed: c.listed}
		res, err := migrate.Run(context.Background(), api, migrate.Options{Root: root, Bucket: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if skipped := len(res.Skipped) == 1 && api.puts == 0; skipped != c.skip {
			t.Errorf("%s: skipped=%v (puts %d), want %v", c.name, skipped, api.puts, c.skip)
		}
		if api.heads != c.heads {
			t.Errorf("%s: %d HEAD requests, want %d", c.name, api.heads, c.heads)
		}
	}
}
