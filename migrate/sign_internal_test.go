package migrate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/internal/minioserver"
)

// TestUploadSignsWithItsOwnHash: the SHA-256 upload computes is the one
// SigV4 signs, so the SDK does not read each file a second time to hash it.
// A real MinIO (which checks the signed payload hash against the body)
// refuses a PUT signed with another body's hash: had signedWith not reached
// the signer, the SDK would have hashed the body itself and the PUT would
// pass. moto does not check the payload hash, hence MinIO.
func TestUploadSignsWithItsOwnHash(t *testing.T) {
	srv := minioserver.Start(t)
	srv.Use(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "sign-test"
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	body := []byte("the file's bytes")
	put := func(key string, sum [32]byte) error {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: sdk.String(key),
			Body: bytes.NewReader(body), ContentLength: sdk.Int64(int64(len(body)))}, signedWith(sum[:]))
		return err
	}
	if err := put("right", sha256.Sum256(body)); err != nil {
		t.Fatalf("PUT signed with the body's own hash: %v", err)
	}
	err = put("wrong", sha256.Sum256([]byte("another body")))
	if err == nil {
		t.Fatal("PUT signed with another body's hash was accepted: the SDK hashed the body itself, signedWith did not reach the signer")
	}
	if !strings.Contains(err.Error(), "SHA256") && !strings.Contains(err.Error(), "Sha256") {
		t.Fatalf("want a payload-hash mismatch, got %v", err)
	}
}
