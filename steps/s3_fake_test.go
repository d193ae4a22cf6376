package steps_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/s3wizard/s3wizard/aws"
)

// fakeS3 holds the settings of a few buckets of the caller's account, as
// the decision tests need them: each Get answers what is set (404 when
// nothing is), each Put or Delete is recorded in log ("PutBucketPolicy
// bucket") and stored, so that a second plan sees what the first one did.
// Anything else panics (the embedded nil interface).
type fakeS3 struct {
	aws.S3API
	log     callLog
	mu      sync.Mutex
	buckets map[string]*fakeBucketState
}

type fakeBucketState struct {
	region    string
	tags      []s3types.Tag
	enforced  bool // Object Ownership is BucketOwnerEnforced
	pab       *s3types.PublicAccessBlockConfiguration
	policy    string
	cors      []s3types.CORSRule
	sse       *s3types.ServerSideEncryptionRule
	lifecycle []s3types.LifecycleRule
	logging   *s3types.LoggingEnabled
	versioned bool
	objects   []string
}

func newFakeS3(buckets map[string]*fakeBucketState) *fakeS3 {
	if buckets == nil {
		buckets = map[string]*fakeBucketState{}
	}
	return &fakeS3{buckets: buckets}
}

// bucket returns the state of name (nil: no such bucket) under the lock,
// recording call when it changes something.
func (f *fakeS3) bucket(name *string, call string) (*fakeBucketState, func()) {
	f.mu.Lock()
	if call != "" {
		f.log.add(call + " " + sdk.ToString(name))
	}
	return f.buckets[sdk.ToString(name)], f.mu.Unlock
}

func notFound() error { return httpError(http.StatusNotFound) }

func (f *fakeS3) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	return &s3.HeadBucketOutput{}, nil
}

func (f *fakeS3) GetBucketLocation(_ context.Context, in *s3.GetBucketLocationInput, _ ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	return &s3.GetBucketLocationOutput{LocationConstraint: s3types.BucketLocationConstraint(b.region)}, nil
}

func (f *fakeS3) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log.add("CreateBucket " + sdk.ToString(in.Bucket))
	f.buckets[sdk.ToString(in.Bucket)] = &fakeBucketState{region: string(in.CreateBucketConfiguration.LocationConstraint),
		enforced: in.ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced}
	return &s3.CreateBucketOutput{}, nil
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
	if b == nil {
		return nil, notFound()
	}
	b.tags = slices.Clone(in.Tagging.TagSet)
	return &s3.PutBucketTaggingOutput{}, nil
}

func (f *fakeS3) GetBucketOwnershipControls(_ context.Context, in *s3.GetBucketOwnershipControlsInput, _ ...func(*s3.Options)) (*s3.GetBucketOwnershipControlsOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	own := s3types.ObjectOwnershipObjectWriter
	if b.enforced {
		own = s3types.ObjectOwnershipBucketOwnerEnforced
	}
	return &s3.GetBucketOwnershipControlsOutput{OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: own}}}}, nil
}

func (f *fakeS3) PutBucketOwnershipControls(_ context.Context, in *s3.PutBucketOwnershipControlsInput, _ ...func(*s3.Options)) (*s3.PutBucketOwnershipControlsOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutBucketOwnershipControls")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	b.enforced = in.OwnershipControls.Rules[0].ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced
	return &s3.PutBucketOwnershipControlsOutput{}, nil
}

func (f *fakeS3) GetPublicAccessBlock(_ context.Context, in *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil || b.pab == nil {
		return nil, notFound()
	}
	c := *b.pab
	return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &c}, nil
}

func (f *fakeS3) PutPublicAccessBlock(_ context.Context, in *s3.PutPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutPublicAccessBlock")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	c := *in.PublicAccessBlockConfiguration
	b.pab = &c
	return &s3.PutPublicAccessBlockOutput{}, nil
}

func (f *fakeS3) DeletePublicAccessBlock(_ context.Context, in *s3.DeletePublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.DeletePublicAccessBlockOutput, error) {
	b, unlock := f.bucket(in.Bucket, "DeletePublicAccessBlock")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	b.pab = nil
	return &s3.DeletePublicAccessBlockOutput{}, nil
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
	if b == nil {
		return nil, notFound()
	}
	b.policy = sdk.ToString(in.Policy)
	return &s3.PutBucketPolicyOutput{}, nil
}

func (f *fakeS3) DeleteBucketPolicy(_ context.Context, in *s3.DeleteBucketPolicyInput, _ ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	b, unlock := f.bucket(in.Bucket, "DeleteBucketPolicy")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	b.policy = ""
	return &s3.DeleteBucketPolicyOutput{}, nil
}

func (f *fakeS3) GetBucketCors(_ context.Context, in *s3.GetBucketCorsInput, _ ...func(*s3.Options)) (*s3.GetBucketCorsOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil || len(b.cors) == 0 {
		return nil, notFound()
	}
	return &s3.GetBucketCorsOutput{CORSRules: slices.Clone(b.cors)}, nil
}

func (f *fakeS3) GetBucketEncryption(_ context.Context, in *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil || b.sse == nil {
		return nil, notFound()
	}
	return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{*b.sse}}}, nil
}

func (f *fakeS3) PutBucketEncryption(_ context.Context, in *s3.PutBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutBucketEncryption")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	rule := in.ServerSideEncryptionConfiguration.Rules[0]
	b.sse = &rule
	return &s3.PutBucketEncryptionOutput{}, nil
}

func (f *fakeS3) GetBucketLifecycleConfiguration(_ context.Context, in *s3.GetBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil || len(b.lifecycle) == 0 {
		return nil, notFound()
	}
	return &s3.GetBucketLifecycleConfigurationOutput{Rules: slices.Clone(b.lifecycle)}, nil
}

func (f *fakeS3) PutBucketLifecycleConfiguration(_ context.Context, in *s3.PutBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutBucketLifecycleConfiguration")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	b.lifecycle = slices.Clone(in.LifecycleConfiguration.Rules)
	return &s3.PutBucketLifecycleConfigurationOutput{}, nil
}

func (f *fakeS3) GetBucketLogging(_ context.Context, in *s3.GetBucketLoggingInput, _ ...func(*s3.Options)) (*s3.GetBucketLoggingOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	return &s3.GetBucketLoggingOutput{LoggingEnabled: b.logging}, nil
}

func (f *fakeS3) PutBucketLogging(_ context.Context, in *s3.PutBucketLoggingInput, _ ...func(*s3.Options)) (*s3.PutBucketLoggingOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutBucketLogging")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	b.logging = in.BucketLoggingStatus.LoggingEnabled
	return &s3.PutBucketLoggingOutput{}, nil
}

func (f *fakeS3) GetBucketVersioning(_ context.Context, in *s3.GetBucketVersioningInput, _ ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	out := &s3.GetBucketVersioningOutput{}
	if b.versioned {
		out.Status = s3types.BucketVersioningStatusEnabled
	}
	return out, nil
}

func (f *fakeS3) PutBucketVersioning(_ context.Context, in *s3.PutBucketVersioningInput, _ ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutBucketVersioning")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	b.versioned = in.VersioningConfiguration.Status == s3types.BucketVersioningStatusEnabled
	return &s3.PutBucketVersioningOutput{}, nil
}

func (f *fakeS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	if !slices.Contains(b.objects, sdk.ToString(in.Key)) {
		return nil, notFound()
	}
	return &s3.HeadObjectOutput{}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, unlock := f.bucket(in.Bucket, "PutObject "+sdk.ToString(in.Key))
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	b.objects = append(b.objects, sdk.ToString(in.Key))
	return &s3.PutObjectOutput{}, nil
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	b, unlock := f.bucket(in.Bucket, "")
	defer unlock()
	if b == nil {
		return nil, notFound()
	}
	out := &s3.ListObjectsV2Output{}
	for _, k := range b.objects {
		if strings.HasPrefix(k, sdk.ToString(in.Prefix)) {
			out.Contents = append(out.Contents, s3types.Object{Key: sdk.String(k)})
		}
	}
	return out, nil
}

// fakeAccountPAB is S3 Control: the account has no Block Public Access.
type fakeAccountPAB struct{ aws.S3ControlAPI }

func (fakeAccountPAB) GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error) {
	return nil, notFound()
}
