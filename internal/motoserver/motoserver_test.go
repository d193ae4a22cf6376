package motoserver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

func TestStartCreateBucketReset(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	client := s3.NewFromConfig(srv.AWSConfig(t, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })

	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("motoserver-test")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("motoserver-test")}); err != nil {
		t.Fatalf("HeadBucket after create: %v", err)
	}

	srv.Reset(t)

	_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("motoserver-test")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadBucket after reset: want NotFound, got %v", err)
	}
}

func TestSharedResets(t *testing.T) {
	ctx := context.Background()
	srv := motoserver.Shared(t)
	client := s3.NewFromConfig(srv.AWSConfig(t, ""), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-test")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	srv2 := motoserver.Shared(t)
	if srv2 != srv {
		t.Fatalf("Shared returned a different server")
	}
	out, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if len(out.Buckets) != 0 {
		t.Fatalf("Shared did not reset: %d buckets", len(out.Buckets))
	}
}

func TestEnv(t *testing.T) {
	srv := motoserver.Shared(t)
	env := srv.Env()
	if len(env) != 5 || env[0] != "AWS_ENDPOINT_URL="+srv.URL() {
		t.Fatalf("unexpected Env: %q", env)
	}
}
