//go:build motoprobe

// Probes used to write MOTO_NOTES.md, asserting what it records: run them
// after upgrading moto, and a failure names the note that no longer holds.
// Run with:
//
//	go test -tags motoprobe -run Probe -v ./internal/motoserver
package motoserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// expect fails the probe when moto no longer answers what MOTO_NOTES.md
// records: want is "OK" or the start of describe's "HTTP <status> <code>".
func expect(t *testing.T, what string, err error, want string) {
	t.Helper()
	got := describe(err)
	if got != want && !strings.HasPrefix(got, want+":") {
		t.Errorf("%s: moto answered %s; MOTO_NOTES.md records %s", what, got, want)
	}
}

// expectJSON fails the probe when v's JSON is not want.
func expectJSON(t *testing.T, what string, v any, want string) {
	t.Helper()
	if b, _ := json.Marshal(v); string(b) != want {
		t.Errorf("%s: moto answered %s; MOTO_NOTES.md records %s", what, b, want)
	}
}

func TestProbeS3Control(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	c := s3control.NewFromConfig(srv.AWSConfig(t, ""))
	_, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("123456789012")})
	expect(t, "GetPublicAccessBlock (none set)", err, "HTTP 404 NoSuchPublicAccessBlockConfiguration")
	_, err = c.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String("123456789012"),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false)}})
	expect(t, "PutPublicAccessBlock", err, "OK")
	out, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("123456789012")})
	expect(t, "GetPublicAccessBlock after the put", err, "OK")
	if err == nil {
		expectJSON(t, "account-level PAB round-trip", out.PublicAccessBlockConfiguration, `{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":false}`)
	}
	_, err = c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("111111111111")})
	expect(t, "GetPublicAccessBlock other account", err, "HTTP 403 AccessDenied")

	// Bucket-level PAB interaction: does bucket policy with Principal * get rejected when account PAB BlockPublicPolicy?
	s3c := s3.NewFromConfig(srv.AWSConfig(t, ""), func(o *s3.Options) { o.UsePathStyle = true })
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pabtest")})
	expect(t, "CreateBucket", err, "OK")
	_, err = s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pabtest"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pabtest/*"}]}`)})
	expect(t, "PutBucketPolicy public with account PAB BlockPublicPolicy", err, "OK")
}

func TestProbeS3GoSDK(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(srv.AWSConfig(t, "eu-west-3"), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest3}})
	expect(t, "CreateBucket eu-west-3", err, "OK")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest3}})
	expect(t, "CreateBucket again", err, "HTTP 409 BucketAlreadyOwnedByYou")
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nope-bucket")})
	var nf *s3types.NotFound
	expect(t, "HeadBucket missing", err, "HTTP 404 NotFound")
	if !errors.As(err, &nf) {
		t.Errorf("HeadBucket missing: %v is not *types.NotFound", err)
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("gobkt")})
	expect(t, "GetBucketLocation", err, "OK")
	if err == nil && loc.LocationConstraint != "eu-west-3" {
		t.Errorf("GetBucketLocation: %q, want eu-west-3", loc.LocationConstraint)
	}
	// Client region us-east-1 creating without constraint
	cu := s3.NewFromConfig(srv.AWSConfig(t, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	_, err = cu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt")})
	expect(t, "CreateBucket existing eu-west-3 bucket from us-east-1 w/o constraint", err, "HTTP 409 BucketAlreadyOwnedByYou")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gobkt2")})
	expect(t, "CreateBucket with eu-west-3 client, no LocationConstraint", err, "HTTP 400 IllegalLocationConstraintException")

	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("gobkt"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String("r"), Status: s3types.ExpirationStatusEnabled,
			Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("media/")},
			Transitions:                    []s3types.Transition{{Days: aws.Int32(0), StorageClass: s3types.TransitionStorageClassIntelligentTiering}},
			NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30), NewerNoncurrentVersions: aws.Int32(2)},
			Expiration:                     &s3types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
			AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
		}}}})
	expect(t, "PutBucketLifecycleConfiguration (Go SDK, default checksums)", err, "OK")
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("gobkt")})
	expect(t, "GetBucketLifecycleConfiguration", err, "OK")
	if err == nil {
		// NewerNoncurrentVersions is silently dropped (MOTO_NOTES.md).
		expectJSON(t, "lifecycle round-trip", lc.Rules, `[{"Status":"Enabled","AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7},"Expiration":{"Date":null,"Days":null,"ExpiredObjectDeleteMarker":true},"Filter":{"And":null,"ObjectSizeGreaterThan":null,"ObjectSizeLessThan":null,"Prefix":"media/","Tag":null},"ID":"r","NoncurrentVersionExpiration":{"NewerNoncurrentVersions":null,"NoncurrentDays":30},"NoncurrentVersionTransitions":null,"Prefix":null,"Transitions":[{"Date":null,"Days":0,"StorageClass":"INTELLIGENT_TIERING"}]}]`)
	}
	_, err = c.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: aws.String("gobkt"), Id: aws.String("EntireBucket"), MetricsConfiguration: &s3types.MetricsConfiguration{Id: aws.String("EntireBucket")}})
	expect(t, "PutBucketMetricsConfiguration (eu-west-3 bucket)", err, "HTTP 400 IllegalLocationConstraintException")
	mc, err := c.GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: aws.String("gobkt"), Id: aws.String("EntireBucket")})
	// Not implemented: answered as a listing, so an empty configuration.
	expect(t, "GetBucketMetricsConfiguration", err, "OK")
	if err == nil {
		expectJSON(t, "metrics configuration", mc.MetricsConfiguration, `{"Id":null,"Filter":null}`)
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("gobkt"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}, BucketKeyEnabled: aws.Bool(true)}}}})
	expect(t, "PutBucketEncryption kms+bucketkey", err, "OK")
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("gobkt")})
	expect(t, "GetBucketEncryption", err, "OK")
	if err == nil {
		expectJSON(t, "encryption round-trip", enc.ServerSideEncryptionConfiguration, `{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":null},"BlockedEncryptionTypes":null,"BucketKeyEnabled":true}]}`)
	}
	pol := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::gobkt/*\"}]\n}"
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("gobkt"), Policy: aws.String(pol)})
	expect(t, "PutBucketPolicy", err, "OK")
	gp, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("gobkt")})
	expect(t, "GetBucketPolicy", err, "OK")
	if err == nil && aws.ToString(gp.Policy) != pol {
		t.Errorf("GetBucketPolicy is not the policy put, byte for byte:\n%s", aws.ToString(gp.Policy))
	}
}

func TestProbeIAMAuth(t *testing.T) {
	srv := motoserver.Start(t)
	ctx := context.Background()
	cfg := srv.AWSConfig(t, "")
	ic := iam.NewFromConfig(cfg)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	expect(t, "STS default creds", err, "OK")
	if err == nil && (aws.ToString(who.Account) != "123456789012" || aws.ToString(who.Arn) != "arn:aws:sts::123456789012:user/moto") {
		t.Errorf("STS default creds: account %s, arn %s", aws.ToString(who.Account), aws.ToString(who.Arn))
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
	expect(t, "STS app user creds (auth off)", err, "OK")
	if err == nil && aws.ToString(whoApp.Arn) != "arn:aws:iam::123456789012:user/app" {
		t.Errorf("STS app user creds (auth off): arn %s", aws.ToString(whoApp.Arn))
	}

	srv.SetAuth(t, true)
	defer srv.SetAuth(t, false)

	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	expect(t, "auth ON, default fake creds ListBuckets", err, "HTTP 403 InvalidAccessKeyId")
	_, err = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	expect(t, "auth ON, default fake creds iam ListUsers", err, "HTTP 403 UnknownError")

	app := s3.NewFromConfig(srv.AWSConfigWithCreds(t, "", appK, appS), func(o *s3.Options) { o.UsePathStyle = true })
	_, err = app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x"), Body: strings.NewReader("hi")})
	expect(t, "app PutObject b/media/x", err, "OK")
	_, err = app.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	expect(t, "app GetObject b/media/x", err, "OK")
	_, err = app.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	expect(t, "app HeadObject b/media/x", err, "OK")
	_, err = app.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt-b"), Prefix: aws.String("media/")})
	expect(t, "app ListObjectsV2 b", err, "HTTP 403 SignatureDoesNotMatch")
	_, err = app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("secret/x"), Body: strings.NewReader("hi")})
	expect(t, "app PutObject b/secret/x", err, "HTTP 403 AccessDenied")
	_, err = app.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	expect(t, "app DeleteObject b/media/x", err, "OK")
	_, err = app.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("other-bkt"), Key: aws.String("media/x"), Body: strings.NewReader("hi")})
	expect(t, "app PutObject other/media/x", err, "HTTP 403 AccessDenied")
	_, err = app.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other-bkt"), Key: aws.String("media/x")})
	expect(t, "app GetObject other/media/x", err, "HTTP 403 AccessDenied")
	_, err = app.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("other-bkt")})
	expect(t, "app ListObjectsV2 other", err, "HTTP 403 AccessDenied")
	_, err = app.ListBuckets(ctx, &s3.ListBucketsInput{})
	expect(t, "app ListBuckets", err, "HTTP 403 AccessDenied")
	_, err = iam.NewFromConfig(srv.AWSConfigWithCreds(t, "", appK, appS)).ListUsers(ctx, &iam.ListUsersInput{})
	expect(t, "app iam ListUsers", err, "HTTP 403 UnknownError")
	who2, err := sts.NewFromConfig(srv.AWSConfigWithCreds(t, "", appK, appS)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	expect(t, "app STS (auth on)", err, "OK")
	if err == nil && aws.ToString(who2.Arn) != "arn:aws:iam::123456789012:user/app" {
		t.Errorf("app STS (auth on): arn %s", aws.ToString(who2.Arn))
	}

	adm := iam.NewFromConfig(srv.AWSConfigWithCreds(t, "", adminK, adminS))
	_, err = adm.ListUsers(ctx, &iam.ListUsersInput{})
	expect(t, "admin ListUsers", err, "OK")
	_, err = adm.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}`)})
	expect(t, "admin PutUserPolicy deny CreateAccessKey", err, "OK")
	_, err = adm.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("app")})
	expect(t, "admin CreateAccessKey after explicit Deny", err, "HTTP 403 UnknownError")
	_, err = adm.ListUsers(ctx, &iam.ListUsersInput{})
	expect(t, "admin ListUsers after deny", err, "OK")
	_, err = adm.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("app"), AccessKeyId: aws.String(appK), Status: "Inactive"})
	expect(t, "admin UpdateAccessKey app Inactive", err, "OK")
	_, err = app.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/x")})
	expect(t, "app GetObject with Inactive key", err, "HTTP 404 NoSuchKey")
	lu, err := adm.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(appK)})
	expect(t, "GetAccessKeyLastUsed", err, "OK")
	if err == nil && (aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "s3" || lu.AccessKeyLastUsed.LastUsedDate == nil) {
		t.Errorf("GetAccessKeyLastUsed app key after use: service %q, date %v; want s3 and a date", aws.ToString(lu.AccessKeyLastUsed.ServiceName), lu.AccessKeyLastUsed.LastUsedDate)
	}
	// managed policy document encoding
	pv, err := adm.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mp"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)})
	expect(t, "admin CreatePolicy", err, "OK")
	if err == nil {
		v, err := adm.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: pv.Policy.Arn, VersionId: aws.String("v1")})
		expect(t, "GetPolicyVersion", err, "OK")
		// Not URL-encoded, unlike AWS (MOTO_NOTES.md).
		if err == nil && !strings.HasPrefix(aws.ToString(v.PolicyVersion.Document), "{") {
			t.Errorf("GetPolicyVersion Document is encoded: %s", aws.ToString(v.PolicyVersion.Document))
		}
	}
	_, err = adm.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier")})
	expect(t, "GetPolicy AWSElasticBeanstalkWebTier", err, "OK")

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
	for p, want := range map[string]string{"": "OK", "media": "OK", "media/": "HTTP 403 SignatureDoesNotMatch", "a b": "OK"} {
		in := &s3.ListObjectsV2Input{Bucket: aws.String("bkt-b")}
		if p != "" {
			in.Prefix = aws.String(p)
		}
		_, err := c.ListObjectsV2(ctx, in)
		expect(t, fmt.Sprintf("ListObjectsV2 prefix=%q", p), err, want)
	}
	_, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt-b"), Prefix: aws.String("media/")})
	expect(t, "ListObjects(v1) prefix media/", err, "HTTP 403 SignatureDoesNotMatch")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt-b"), Key: aws.String("media/a b+c.txt"), Body: strings.NewReader("x")})
	expect(t, "PutObject key with space/plus", err, "HTTP 403 SignatureDoesNotMatch")
}
