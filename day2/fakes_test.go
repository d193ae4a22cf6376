package day2_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// The fakes of the day-2 decision tests (issue 21 item 5) embed the aws
// interfaces (the pattern of steps/bucket_fake_test.go): a call they do not
// answer panics. They record every changing call, in order, in one log
// shared by IAM and S3, so a test sees what destroy or rotate-keys did and
// in which order. What crosses the wire is tested against moto elsewhere.

const fakeAccount = "111122223333"

type calls struct {
	mu  sync.Mutex
	log []string
}

func (c *calls) add(call string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, call)
}

func (c *calls) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.log)
}

// fakeIAM is one account's IAM users and their access keys.
type fakeIAM struct {
	aws.IAMAPI
	*calls
	mu   sync.Mutex
	keys map[string][]iamtypes.AccessKeyMetadata // by user
	// failDeactivate makes UpdateAccessKey fail (a crash stand-in).
	failDeactivate bool
	// loseCreate makes CreateAccessKey create the key but lose its
	// answer (a network error: the secret never reaches the wizard).
	loseCreate bool
	made       int // keys made by CreateAccessKey
}

func (f *fakeIAM) CreateAccessKey(_ context.Context, in *iam.CreateAccessKeyInput, _ ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.made++
	id := fmt.Sprintf("AKIAMADEBYCREATE%04d", f.made)
	f.add("iam:CreateAccessKey " + id)
	user := sdk.ToString(in.UserName)
	k := accessKey(user, id, iamtypes.StatusTypeActive)
	k.CreateDate = sdk.Time(time.Now())
	f.keys[user] = append(f.keys[user], k)
	if f.loseCreate {
		f.loseCreate = false
		return nil, errors.New("read tcp: connection reset by peer")
	}
	return &iam.CreateAccessKeyOutput{AccessKey: &iamtypes.AccessKey{UserName: in.UserName, AccessKeyId: sdk.String(id),
		SecretAccessKey: sdk.String("secret-of-" + id), Status: iamtypes.StatusTypeActive, CreateDate: k.CreateDate}}, nil
}

// liveKeys are the IDs of user's keys, with their status.
func (f *fakeIAM) liveKeys(user string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, k := range f.keys[user] {
		out = append(out, sdk.ToString(k.AccessKeyId)+" "+string(k.Status))
	}
	return out
}

func noSuchEntity() error { return &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "not found"} }

func (f *fakeIAM) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys, ok := f.keys[sdk.ToString(in.UserName)]
	if !ok {
		return nil, noSuchEntity()
	}
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: slices.Clone(keys)}, nil
}

func (f *fakeIAM) DeleteAccessKey(_ context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.add("iam:DeleteAccessKey " + sdk.ToString(in.AccessKeyId))
	user := sdk.ToString(in.UserName)
	n := len(f.keys[user])
	f.keys[user] = slices.DeleteFunc(f.keys[user], func(k iamtypes.AccessKeyMetadata) bool {
		return sdk.ToString(k.AccessKeyId) == sdk.ToString(in.AccessKeyId)
	})
	if len(f.keys[user]) == n {
		return nil, noSuchEntity()
	}
	return &iam.DeleteAccessKeyOutput{}, nil
}

func (f *fakeIAM) UpdateAccessKey(_ context.Context, in *iam.UpdateAccessKeyInput, _ ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failDeactivate {
		return nil, &smithy.GenericAPIError{Code: "ServiceFailure", Message: "try again"}
	}
	f.add("iam:UpdateAccessKey " + sdk.ToString(in.AccessKeyId) + " " + string(in.Status))
	for i, k := range f.keys[sdk.ToString(in.UserName)] {
		if sdk.ToString(k.AccessKeyId) == sdk.ToString(in.AccessKeyId) {
			f.keys[sdk.ToString(in.UserName)][i].Status = in.Status
			return &iam.UpdateAccessKeyOutput{}, nil
		}
	}
	return nil, noSuchEntity()
}

func (f *fakeIAM) RemoveUserFromGroup(_ context.Context, in *iam.RemoveUserFromGroupInput, _ ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error) {
	f.add("iam:RemoveUserFromGroup " + sdk.ToString(in.UserName))
	return &iam.RemoveUserFromGroupOutput{}, nil
}

func (f *fakeIAM) DeleteUser(_ context.Context, in *iam.DeleteUserInput, _ ...func(*iam.Options)) (*iam.DeleteUserOutput, error) {
	f.add("iam:DeleteUser " + sdk.ToString(in.UserName))
	return &iam.DeleteUserOutput{}, nil
}

func (f *fakeIAM) DetachGroupPolicy(_ context.Context, in *iam.DetachGroupPolicyInput, _ ...func(*iam.Options)) (*iam.DetachGroupPolicyOutput, error) {
	return &iam.DetachGroupPolicyOutput{}, nil
}

func (f *fakeIAM) DeleteGroup(_ context.Context, in *iam.DeleteGroupInput, _ ...func(*iam.Options)) (*iam.DeleteGroupOutput, error) {
	f.add("iam:DeleteGroup " + sdk.ToString(in.GroupName))
	return &iam.DeleteGroupOutput{}, nil
}

func (f *fakeIAM) ListPolicyVersions(context.Context, *iam.ListPolicyVersionsInput, ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error) {
	return &iam.ListPolicyVersionsOutput{}, nil
}

func (f *fakeIAM) DeletePolicy(_ context.Context, in *iam.DeletePolicyInput, _ ...func(*iam.Options)) (*iam.DeletePolicyOutput, error) {
	f.add("iam:DeletePolicy " + steps.ARNName(sdk.ToString(in.PolicyArn)))
	return &iam.DeletePolicyOutput{}, nil
}

func accessKey(user, id string, status iamtypes.StatusType) iamtypes.AccessKeyMetadata {
	return iamtypes.AccessKeyMetadata{UserName: sdk.String(user), AccessKeyId: sdk.String(id), Status: status, CreateDate: sdk.Time(time.Now().Add(-time.Hour))}
}

// fakeBucket is one bucket: its policy, tags, Block Public Access and
// object versions.
type fakeBucket struct {
	policy  string
	tags    []s3types.Tag
	pab     *s3types.PublicAccessBlockConfiguration
	objects []string
	bodies  map[string][]byte // the objects written by PutObject
}

type fakeS3 struct {
	aws.S3API
	*calls
	mu      sync.Mutex
	buckets map[string]*fakeBucket
}

func notFound() error { return &smithy.GenericAPIError{Code: "NotFound", Message: "not found"} }

func (f *fakeS3) bucket(name *string, call string) (*fakeBucket, func()) {
	f.mu.Lock()
	if call != "" {
		f.add("s3:" + call + " " + sdk.ToString(name))
	}
	return f.buckets[sdk.ToString(name)], f.mu.Unlock
}

func (f *fakeS3) GetBucketCors(_ context.Context, in *s3.GetBucketCorsInput, _ ...func(*s3.Options)) (*s3.GetBucketCorsOutput, error) {
	return nil, notFound()
}

func (f *fakeS3) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil || b.policy == "" {
		return nil, notFound()
	}
	return &s3.GetBucketPolicyOutput{Policy: sdk.String(b.policy)}, nil
}

func (f *fakeS3) PutBucketPolicy(_ context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutBucketPolicy")
	defer unlock()
	b.policy = sdk.ToString(in.Policy)
	return &s3.PutBucketPolicyOutput{}, nil
}

func (f *fakeS3) DeleteBucketPolicy(_ context.Context, in *s3.DeleteBucketPolicyInput, _ ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	b, unlock := f.bucket(in.Bucket, "DeleteBucketPolicy")
	defer unlock()
	b.policy = ""
	return &s3.DeleteBucketPolicyOutput{}, nil
}

func (f *fakeS3) GetBucketTagging(_ context.Context, in *s3.GetBucketTaggingInput, _ ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil || len(b.tags) == 0 {
		return nil, notFound()
	}
	return &s3.GetBucketTaggingOutput{TagSet: slices.Clone(b.tags)}, nil
}

func (f *fakeS3) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput, _ ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutBucketTagging")
	defer unlock()
	b.tags = slices.Clone(in.Tagging.TagSet)
	return &s3.PutBucketTaggingOutput{}, nil
}

func (f *fakeS3) PutPublicAccessBlock(_ context.Context, in *s3.PutPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutPublicAccessBlock")
	defer unlock()
	c := *in.PublicAccessBlockConfiguration
	b.pab = &c
	return &s3.PutPublicAccessBlockOutput{}, nil
}

func (f *fakeS3) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	out := &s3.ListObjectVersionsOutput{}
	for _, k := range b.objects {
		out.Versions = append(out.Versions, s3types.ObjectVersion{Key: sdk.String(k), VersionId: sdk.String("v1")})
	}
	return out, nil
}

func (f *fakeS3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	b, unlock := f.bucket(in.Bucket, "DeleteObjects")
	defer unlock()
	for _, o := range in.Delete.Objects {
		b.objects = slices.DeleteFunc(b.objects, func(k string) bool { return k == sdk.ToString(o.Key) })
		delete(b.bodies, sdk.ToString(o.Key))
	}
	return &s3.DeleteObjectsOutput{}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	b, unlock := f.bucket(in.Bucket, "PutObject")
	defer unlock()
	if b.bodies == nil {
		b.bodies = map[string][]byte{}
	}
	b.bodies[sdk.ToString(in.Key)] = body
	return &s3.PutObjectOutput{VersionId: sdk.String("v1")}, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	body, ok := b.bodies[sdk.ToString(in.Key)]
	if !ok {
		return nil, notFound()
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(body))}, nil
}

func (f *fakeS3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	b, unlock := f.bucket(in.Bucket, "DeleteObject")
	defer unlock()
	delete(b.bodies, sdk.ToString(in.Key))
	return &s3.DeleteObjectOutput{VersionId: sdk.String("v2")}, nil
}

func (f *fakeS3) DeleteBucket(_ context.Context, in *s3.DeleteBucketInput, _ ...func(*s3.Options)) (*s3.DeleteBucketOutput, error) {
	b, unlock := f.bucket(in.Bucket, "DeleteBucket")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	if len(b.objects) > 0 {
		return nil, &smithy.GenericAPIError{Code: "BucketNotEmpty"}
	}
	delete(f.buckets, sdk.ToString(in.Bucket))
	return &s3.DeleteBucketOutput{}, nil
}

// fakeRun is a Run of a in a fresh project directory on the fake clients,
// with its progress file open and seeded by seed.
func fakeRun(t *testing.T, a *config.Answers, cl *aws.Clients, seed func(p *state.Progress)) *steps.Run {
	t.Helper()
	dir := t.TempDir()
	st, err := state.Open(dir, a.Env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Update(func(p *state.Progress) {
		p.SetAnswers(a)
		if seed != nil {
			seed(p)
		}
	}); err != nil {
		t.Fatal(err)
	}
	cl.Region = a.Region
	return &steps.Run{Dir: dir, Answers: a, State: st, AWS: cl, Account: fakeAccount, Now: time.Now, Report: func(steps.Event) {}}
}

// seedEnv writes env's progress in dir as an earlier apply of that env
// would have.
func seedEnv(t *testing.T, dir string, a *config.Answers, seed func(p *state.Progress)) {
	t.Helper()
	p, err := state.Open(dir, a.Env)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Update(func(p *state.Progress) { p.SetAnswers(a); seed(p) }); err != nil {
		t.Fatal(err)
	}
}
