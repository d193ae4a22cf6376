package aws_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/aws"
)

// TestReadCacheGivesEachAnswerBackOnce: what a plan read is not asked again
// by the check right after it, once; a second read (a check waiting for
// AWS) asks AWS again, and so do a failed read, an object's body and the
// app's own keys.
func TestReadCacheGivesEachAnswerBackOnce(t *testing.T) {
	_, c := motoClients(t)
	ctx := context.Background()
	bucket := "readcache-test"
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: sdk.String("k"), Body: bytes.NewReader([]byte("body"))}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var asked []string
	watch := func(ctx context.Context) context.Context {
		return aws.WithObserver(ctx, func(call string) { mu.Lock(); asked = append(asked, call); mu.Unlock() })
	}
	reads := aws.NewReadCache()
	plan := watch(aws.Recording(ctx, reads))
	if _, err := c.S3.GetBucketVersioning(plan, &s3.GetBucketVersioningInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.GetObject(plan, &s3.GetObjectInput{Bucket: &bucket, Key: sdk.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.HeadBucket(plan, &s3.HeadBucketInput{Bucket: sdk.String("readcache-missing")}); err == nil {
		t.Fatal("HeadBucket of a missing bucket succeeded")
	}
	app, err := c.WithCredentials(ctx, "AKIAAPPKEY", "appsecret")
	if err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	asked = nil
	mu.Unlock()
	check := watch(aws.Replaying(ctx, reads))
	for range 2 {
		if _, err := c.S3.GetBucketVersioning(check, &s3.GetBucketVersioningInput{Bucket: &bucket}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.S3.GetObject(check, &s3.GetObjectInput{Bucket: &bucket, Key: sdk.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	_, _ = c.S3.HeadBucket(check, &s3.HeadBucketInput{Bucket: sdk.String("readcache-missing")})
	if _, err := app.S3.GetBucketVersioning(check, &s3.GetBucketVersioningInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	want := "s3:GetBucketVersioning s3:GetObject s3:HeadBucket s3:GetBucketVersioning"
	if got := strings.Join(asked, " "); got != want {
		t.Errorf("the check asked AWS for %q; want %q (the versioning read once from the plan, then anew; the body, the failed read and the app's keys always asked)", got, want)
	}
}
