//go:build motoprobe

// Probes used to write MOTO_NOTES.md. Run with:
//
//	go test -tags motoprobe -run Probe -v ./internal/motoserver
package motoserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

func describe(err error) string {
	if err == nil {
		return "OK"
	}
	code, status := "", 0
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if code == "" {
		code = err.Error()
	}
	return "HTTP " + itoa(status) + " " + code
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestProbeS3Control(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	c := s3control.NewFromConfig(srv.AWSConfig(t, ""))
	_, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("123456789012")})
	t.Logf("GetPublicAccessBlock (none set): %s", describe(err))
	_, err = c.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String("123456789012"),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false)}})
	t.Logf("PutPublicAccessBlock: %s", describe(err))
	out, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("123456789012")})
	if err == nil {
		b, _ := json.Marshal(out.PublicAccessBlockConfiguration)
		t.Logf("GetPublicAccessBlock: %s", b)
	} else {
		t.Logf("GetPublicAccessBlock: %s", describe(err))
	}
	_, err = c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("111111111111")})
	t.Logf("GetPublicAccessBlock other account: %s", describe(err))

	// Bucket-level PAB interaction: does bucket policy with Principal * get rejected when account PAB BlockPublicPolicy?
	s3c := s3.NewFromConfig(srv.AWSConfig(t, ""), func(o *s3.Options) { o.UsePathStyle = true })
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pabtest")})
	t.Logf("CreateBucket: %s", describe(err))
	_, err = s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pabtest"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pabtest/*"}]}`)})
	t.Logf("PutBucketPolicy public with account PAB BlockPublicPolicy: %s", describe(err))
}

func TestProbeS3GoSDK(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(srv.AWSConfig(t, "eu-west-3"), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest3}})
	t.Logf("CreateBucket eu-west-3: %s", describe(err))
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest3}})
	t.Logf("CreateBucket again: %s", describe(err))
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nope-bucket")})
	var nf *s3types.NotFound
	t.Logf("HeadBucket missing: %s (types.NotFound=%v)", describe(err), errors.As(err, &nf))
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("gobkt")})
	if err == nil {
		t.Logf("GetBucketLocation: %q", loc.LocationConstraint)
	}
	// Client region us-east-1 creating without constraint
	cu := s3.NewFromConfig(srv.AWSConfig(t, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	_, err = cu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt")})
	t.Logf("CreateBucket existing eu-west-3 bucket from us-east-1 w/o constraint: %s", describe(err))
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt2")})
	t.Logf("CreateBucket with eu-west-3 client, no LocationConstraint: %s", describe(err))

	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("gobkt"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String("r"), Status: s3types.ExpirationStatusEnabled,
			Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("media/")},
			Transitions:                    []s3types.Transition{{Days: aws.Int32(0), StorageClass: s3types.TransitionStorageClassIntelligentTiering}},
			NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30), NewerNoncurrentVersions: aws.Int32(2)},
			Expiration:                     &s3types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
			AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
		}}}})
	t.Logf("PutBucketLifecycleConfiguration (Go SDK, default checksums): %s", describe(err))
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("gobkt")})
	if err == nil {
		b, _ := json.Marshal(lc.Rules)
		t.Logf("GetBucketLifecycleConfiguration: %s", b)
	} else {
		t.Logf("GetBucketLifecycleConfiguration: %s", describe(err))
	}
	_, err = c.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: aws.String("gobkt"), Id: aws.String("EntireBucket"), MetricsConfiguration: &s3types.MetricsConfiguration{Id: aws.String("EntireBucket")}})
	t.Logf("PutBucketMetricsConfiguration (eu-west-3 bucket): %s", describe(err))
	mc, err := c.GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: aws.String("gobkt"), Id: aws.String("EntireBucket")})
	if err == nil {
		b, _ := json.Marshal(mc.MetricsConfiguration)
		t.Logf("GetBucketMetricsConfiguration: %s", b)
	} else {
		t.Logf("GetBucketMetricsConfiguration: %s", describe(err))
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("gobkt"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}, BucketKeyEnabled: aws.Bool(true)}}}})
	t.Logf("PutBucketEncryption kms+bucketkey: %s", describe(err))
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("gobkt")})
	if err == nil {
		b, _ := json.Marshal(enc.ServerSideEncryptionConfiguration)
		t.Logf("GetBucketEncryption: %s", b)
	}
	pol := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::gobkt/*\"}]\n}"
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("gobkt"), Policy: aws.String(pol)})
	t.Logf("PutBucketPolicy: %s", describe(err))
	gp, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("gobkt")})
	if err == nil {
		t.Logf("GetBucketPolicy byte-exact: %v", aws.ToString(gp.Policy) == pol)
	}
}

func TestProbeIAMAuth(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	cfg := srv.AWSConfig(t, "")
	ic := iam.NewFromConfig(cfg)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Logf("STS default creds: account=%s arn=%s userid=%s", aws.ToString(who.Account), aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	mustKey := func(user, policy string) (string, string) {
		t.Helper()
		if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
			t.Fatal(err)
		}
		if _, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	}
	adminK, adminS := mustKey("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	appK, appS := mustKey("app", `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::bkt-b/media/*"},
{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bkt-b"}]}`)
	s3a := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"bkt-b", "other-bkt"} {
		if _, err := s3a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	whoApp, err := sts.NewFromConfig(srv.AWSConfigWithCreds(t, "", appK, appS)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Logf("STS app user creds (auth off): account=%s arn=%s", aws.ToString(whoApp.Account), aws.ToString(whoApp.Arn))
	} else {
		t.Logf("STS app user creds: %s", describe(err))
	}

	srv.SetAuth(t, true)
	defer srv.SetAuth(t, false)

	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	t.Logf("auth ON, default fake creds ListBuckets: %s", describe(err))
	_, err = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	t.Logf("auth ON, default fake creds iam ListUsers: %s", describe(err))

	app := s3.NewFromConfig(srv.AWSConfigWithCreds(t, "", appK, appS), func(o *s3.Options) { o.UsePathStyle = true })
	_, err = app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x"), Body: strings.NewReader("hi")})
	t.Logf("app PutObject b/media/x: %s", describe(err))
	_, err = app.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	t.Logf("app GetObject b/media/x: %s", describe(err))
	_, err = app.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	t.Logf("app HeadObject b/media/x: %s", describe(err))
	_, err = app.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt-b"), Prefix: aws.String("media/")})
	t.Logf("app ListObjectsV2 b: %s", describe(err))
	_, err = app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("secret/x"), Body: strings.NewReader("hi")})
	t.Logf("app PutObject b/secret/x: %s", describe(err))
	_, err = app.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	t.Logf("app DeleteObject b/media/x: %s", describe(err))
	_, err = app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("other-bkt"), Key: aws.String("media/x"), Body: strings.NewReader("hi")})
	t.Logf("app PutObject other/media/x: %s", describe(err))
	_, err = app.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other-bkt"), Key: aws.String("media/x")})
	t.Logf("app GetObject other/media/x: %s", describe(err))
	_, err = app.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("other-bkt")})
	t.Logf("app ListObjectsV2 other: %s", describe(err))
	_, err = app.ListBuckets(ctx, &s3.ListBucketsInput{})
	t.Logf("app ListBuckets: %s", describe(err))
	_, err = iam.NewFromConfig(srv.AWSConfigWithCreds(t, "", appK, appS)).ListUsers(ctx, &iam.ListUsersInput{})
	t.Logf("app iam ListUsers: %s", describe(err))
	who2, err := sts.NewFromConfig(srv.AWSConfigWithCreds(t, "", appK, appS)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Logf("app STS (auth on): account=%s arn=%s", aws.ToString(who2.Account), aws.ToString(who2.Arn))
	} else {
		t.Logf("app STS (auth on): %s", describe(err))
	}

	adm := iam.NewFromConfig(srv.AWSConfigWithCreds(t, "", adminK, adminS))
	_, err = adm.ListUsers(ctx, &iam.ListUsersInput{})
	t.Logf("admin ListUsers: %s", describe(err))
	_, err = adm.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}`)})
	t.Logf("admin PutUserPolicy deny CreateAccessKey: %s", describe(err))
	_, err = adm.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("app")})
	t.Logf("admin CreateAccessKey after explicit Deny: %s", describe(err))
	_, err = adm.ListUsers(ctx, &iam.ListUsersInput{})
	t.Logf("admin ListUsers after deny: %s", describe(err))
	_, err = adm.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("app"), AccessKeyId: aws.String(appK), Status: "Inactive"})
	t.Logf("admin UpdateAccessKey app Inactive: %s", describe(err))
	_, err = app.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	t.Logf("app GetObject with Inactive key: %s", describe(err))
	lu, err := adm.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(appK)})
	if err == nil {
		b, _ := json.Marshal(lu.AccessKeyLastUsed)
		t.Logf("GetAccessKeyLastUsed app key after use: %s", b)
	}
	// managed policy document encoding
	pv, err := adm.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mp"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)})
	t.Logf("admin CreatePolicy: %s", describe(err))
	if err == nil {
		v, err := adm.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: pv.Policy.Arn, VersionId: aws.String("v1")})
		if err == nil {
			t.Logf("GetPolicyVersion Document raw: %s", aws.ToString(v.PolicyVersion.Document))
		}
	}
	eb, err := adm.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier")})
	t.Logf("GetPolicy AWSElasticBeanstalkWebTier: %s", describe(err))
	_ = eb
}

func TestProbeListSig(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	cfg := srv.AWSConfig(t, "")
	ic := iam.NewFromConfig(cfg)
	ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})
	ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	k, _ := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})
	s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt-b")})
	srv.SetAuth(t, true)
	c := s3.NewFromConfig(srv.AWSConfigWithCreds(t, "", *k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey), func(o *s3.Options) { o.UsePathStyle = true })
	for _, p := range []string{"", "media", "media/", "a b"} {
		in := &s3.ListObjectsV2Input{Bucket: aws.String("bkt-b")}
		if p != "" {
			in.Prefix = aws.String(p)
		}
		_, err := c.ListObjectsV2(ctx, in)
		t.Logf("ListObjectsV2 prefix=%q: %s", p, describe(err))
	}
	_, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt-b"), Prefix: aws.String("media/")})
	t.Logf("ListObjects(v1) prefix media/: %s", describe(err))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/a b+c.txt"), Body: strings.NewReader("x")})
	t.Logf("PutObject key with space/plus: %s", describe(err))
}
