package day2_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/steps"
)

const partnerStatement = `{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::mon-app-media-staging/partner/*"}`

const adoptAnswers = "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\niam_user: django-s3-user-staging\naccess_logs: true\n"

// An adopted bucket keeps its own bucket-policy statements (merged by Sid,
// said in the plan); uploads/ expiry warns about the objects already there;
// destroy takes out only the wizard's statements and puts Block Public
// Access back as it was. moto does not enforce Block Public Access: what is
// checked here is the settings the wizard leaves, not their effect.
func TestAdoptedBucketKeepsItsPolicyAndGetsItBack(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, adoptAnswers+"public_prefixes: [media/blog/]\nlifecycle: {uploads_expire_days: 7}\n")
	r := testrun.OnMoto(t, s, a)
	cl := r.AWS.S3In(a.Region)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &a.Bucket,
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(a.Region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &a.Bucket,
		Policy: sdk.String(`{"Version":"2012-10-17","Statement":[` + partnerStatement + `]}`)}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &a.Bucket, Key: sdk.String(fmt.Sprintf("uploads/keep-%d.csv", i)), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}

	plans := testrun.Apply(t, r, "preflight", "bucket", "layout", "public", "protection")
	if n := strings.Join(plans["public"].Notices, "\n"); !strings.Contains(n, "1 statement(s) that are not the wizard's (PartnerRead): kept") {
		t.Errorf("the plan does not say the partner's statement is kept:\n%s", n)
	}
	if w := strings.Join(plans["protection"].Warnings, "\n"); !strings.Contains(w, "already holds 3 object(s) under uploads/") {
		t.Errorf("no warning about the 3 objects under uploads/:\n%s", w)
	}
	live := bucketPolicy(t, cl, a.Bucket)
	for _, want := range []string{"PartnerRead", policy.SidPublicRead} {
		if !strings.Contains(live, want) {
			t.Errorf("live policy lacks %s:\n%s", want, live)
		}
	}
	if p, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), "public")); err != nil || !p.Empty() {
		t.Errorf("second apply of public: %v, %+v", err, p)
	}

	said := destroy(t, r)
	live = bucketPolicy(t, cl, a.Bucket)
	if !strings.Contains(live, "PartnerRead") || strings.Contains(live, policy.SidPublicRead) {
		t.Errorf("after destroy the policy should be the partner's alone:\n%s\n%s", live, said)
	}
	_, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &a.Bucket})
	if !aws.IsNotFound(err) {
		t.Errorf("Block Public Access after destroy: %v, want none as before the wizard\n%s", err, said)
	}
	if _, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &a.Bucket, Key: sdk.String("uploads/keep-0.csv")}); err != nil {
		t.Errorf("the adopted bucket lost its objects: %v", err)
	}
}

func bucketPolicy(t *testing.T, cl aws.S3API, bucket string) string {
	t.Helper()
	out, err := cl.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("bucket policy of %s: %v", bucket, err)
	}
	return *out.Policy
}
