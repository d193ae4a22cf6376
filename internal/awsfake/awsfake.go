// Package awsfake holds in-memory fakes of the wizard's AWS interfaces
// (aws.S3API, aws.IAMAPI) for the decision tests of steps and day2: the
// settings of a few buckets and the access keys of IAM users, answering the
// calls the wizard's decisions make and recording, in order, each call that
// changes something. Each fake embeds its interface, so a call it does not
// answer panics: a decision that starts calling something new is caught.
// It is never a server: what crosses the wire, and how AWS answers, is
// tested against moto.
package awsfake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/awstest"
)

// Log is the changing calls the fakes received, in order, one line each:
// "service:Operation subject" (s3:PutBucketPolicy bucket, s3:PutObject
// bucket/key, iam:DeleteAccessKey AKIA…). Fakes sharing a Log record one
// order across services.
type Log struct {
	mu    sync.Mutex
	calls []string
}

// Add records a call.
func (l *Log) Add(call string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call)
}

// All returns the calls recorded so far.
func (l *Log) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

// Since returns the calls recorded after the first n.
func (l *Log) Since(n int) []string { return l.All()[n:] }

// Len is how many calls were recorded.
func (l *Log) Len() int { return len(l.All()) }

// Only returns the calls that start with prefix.
func (l *Log) Only(prefix string) []string {
	var out []string
	for _, c := range l.All() {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// ---- S3 -----------------------------------------------------------------

// Bucket is what the S3 fake knows of one bucket; a nil or empty field is a
// setting the bucket does not have (its Get answers 404).
type Bucket struct {
	Region    string
	Tags      []s3types.Tag
	Enforced  bool // Object Ownership is BucketOwnerEnforced (ACLs disabled)
	PAB       *s3types.PublicAccessBlockConfiguration
	Policy    string
	CORS      []s3types.CORSRule
	SSE       *s3types.ServerSideEncryptionRule
	Lifecycle []s3types.LifecycleRule
	Logging   *s3types.LoggingEnabled
	Versioned bool
	Objects   map[string][]byte // by key
}

// S3 is the buckets of the caller's account. A Put or Delete is recorded
// in Log and stored, so a second plan sees what the first one did.
type S3 struct {
	aws.S3API
	Log     *Log
	mu      sync.Mutex
	Buckets map[string]*Bucket
}

// NewS3 is an S3 holding buckets (nil: none), recording into log (nil: a
// log of its own).
func NewS3(log *Log, buckets map[string]*Bucket) *S3 {
	if log == nil {
		log = &Log{}
	}
	if buckets == nil {
		buckets = map[string]*Bucket{}
	}
	return &S3{Log: log, Buckets: buckets}
}

// NotFound is S3's 404 (no such bucket, or no such setting).
func NotFound() error { return awstest.S3HTTPError(http.StatusNotFound, "") }

// bucket returns the state of name under the lock (nil: no such bucket),
// recording op when it is a change.
func (f *S3) bucket(op string, name, key *string) (*Bucket, func()) {
	f.mu.Lock()
	if !aws.IsReadOnly(op) {
		subject := sdk.ToString(name)
		if key != nil {
			subject += "/" + *key
		}
		f.Log.Add("s3:" + op + " " + subject)
	}
	return f.Buckets[sdk.ToString(name)], f.mu.Unlock
}

func (f *S3) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	b, unlock := f.bucket("HeadBucket", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	return &s3.HeadBucketOutput{}, nil
}

func (f *S3) GetBucketLocation(_ context.Context, in *s3.GetBucketLocationInput, _ ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	b, unlock := f.bucket("GetBucketLocation", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	return &s3.GetBucketLocationOutput{LocationConstraint: s3types.BucketLocationConstraint(b.Region)}, nil
}

func (f *S3) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	_, unlock := f.bucket("CreateBucket", in.Bucket, nil)
	defer unlock()
	b := &Bucket{Enforced: in.ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced}
	if c := in.CreateBucketConfiguration; c != nil {
		b.Region = string(c.LocationConstraint)
	}
	f.Buckets[sdk.ToString(in.Bucket)] = b
	return &s3.CreateBucketOutput{}, nil
}

func (f *S3) DeleteBucket(_ context.Context, in *s3.DeleteBucketInput, _ ...func(*s3.Options)) (*s3.DeleteBucketOutput, error) {
	b, unlock := f.bucket("DeleteBucket", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	if len(b.Objects) > 0 {
		return nil, &smithy.GenericAPIError{Code: "BucketNotEmpty", Message: "the bucket is not empty"}
	}
	delete(f.Buckets, sdk.ToString(in.Bucket))
	return &s3.DeleteBucketOutput{}, nil
}

func (f *S3) GetBucketTagging(_ context.Context, in *s3.GetBucketTaggingInput, _ ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	b, unlock := f.bucket("GetBucketTagging", in.Bucket, nil)
	defer unlock()
	if b == nil || len(b.Tags) == 0 {
		return nil, NotFound()
	}
	return &s3.GetBucketTaggingOutput{TagSet: slices.Clone(b.Tags)}, nil
}

func (f *S3) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput, _ ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	b, unlock := f.bucket("PutBucketTagging", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Tags = slices.Clone(in.Tagging.TagSet)
	return &s3.PutBucketTaggingOutput{}, nil
}

func (f *S3) DeleteBucketTagging(_ context.Context, in *s3.DeleteBucketTaggingInput, _ ...func(*s3.Options)) (*s3.DeleteBucketTaggingOutput, error) {
	b, unlock := f.bucket("DeleteBucketTagging", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Tags = nil
	return &s3.DeleteBucketTaggingOutput{}, nil
}

func (f *S3) GetBucketOwnershipControls(_ context.Context, in *s3.GetBucketOwnershipControlsInput, _ ...func(*s3.Options)) (*s3.GetBucketOwnershipControlsOutput, error) {
	b, unlock := f.bucket("GetBucketOwnershipControls", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	own := s3types.ObjectOwnershipObjectWriter
	if b.Enforced {
		own = s3types.ObjectOwnershipBucketOwnerEnforced
	}
	return &s3.GetBucketOwnershipControlsOutput{OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: own}}}}, nil
}

func (f *S3) PutBucketOwnershipControls(_ context.Context, in *s3.PutBucketOwnershipControlsInput, _ ...func(*s3.Options)) (*s3.PutBucketOwnershipControlsOutput, error) {
	b, unlock := f.bucket("PutBucketOwnershipControls", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Enforced = in.OwnershipControls.Rules[0].ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced
	return &s3.PutBucketOwnershipControlsOutput{}, nil
}

func (f *S3) GetPublicAccessBlock(_ context.Context, in *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	b, unlock := f.bucket("GetPublicAccessBlock", in.Bucket, nil)
	defer unlock()
	if b == nil || b.PAB == nil {
		return nil, NotFound()
	}
	c := *b.PAB
	return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &c}, nil
}

func (f *S3) PutPublicAccessBlock(_ context.Context, in *s3.PutPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	b, unlock := f.bucket("PutPublicAccessBlock", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	c := *in.PublicAccessBlockConfiguration
	b.PAB = &c
	return &s3.PutPublicAccessBlockOutput{}, nil
}

func (f *S3) DeletePublicAccessBlock(_ context.Context, in *s3.DeletePublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.DeletePublicAccessBlockOutput, error) {
	b, unlock := f.bucket("DeletePublicAccessBlock", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.PAB = nil
	return &s3.DeletePublicAccessBlockOutput{}, nil
}

func (f *S3) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	b, unlock := f.bucket("GetBucketPolicy", in.Bucket, nil)
	defer unlock()
	if b == nil || b.Policy == "" {
		return nil, NotFound()
	}
	return &s3.GetBucketPolicyOutput{Policy: sdk.String(b.Policy)}, nil
}

func (f *S3) PutBucketPolicy(_ context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	b, unlock := f.bucket("PutBucketPolicy", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Policy = sdk.ToString(in.Policy)
	return &s3.PutBucketPolicyOutput{}, nil
}

func (f *S3) DeleteBucketPolicy(_ context.Context, in *s3.DeleteBucketPolicyInput, _ ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	b, unlock := f.bucket("DeleteBucketPolicy", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Policy = ""
	return &s3.DeleteBucketPolicyOutput{}, nil
}

func (f *S3) GetBucketCors(_ context.Context, in *s3.GetBucketCorsInput, _ ...func(*s3.Options)) (*s3.GetBucketCorsOutput, error) {
	b, unlock := f.bucket("GetBucketCors", in.Bucket, nil)
	defer unlock()
	if b == nil || len(b.CORS) == 0 {
		return nil, NotFound()
	}
	return &s3.GetBucketCorsOutput{CORSRules: slices.Clone(b.CORS)}, nil
}

func (f *S3) GetBucketEncryption(_ context.Context, in *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	b, unlock := f.bucket("GetBucketEncryption", in.Bucket, nil)
	defer unlock()
	if b == nil || b.SSE == nil {
		return nil, NotFound()
	}
	return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{*b.SSE}}}, nil
}

func (f *S3) PutBucketEncryption(_ context.Context, in *s3.PutBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error) {
	b, unlock := f.bucket("PutBucketEncryption", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	rule := in.ServerSideEncryptionConfiguration.Rules[0]
	b.SSE = &rule
	return &s3.PutBucketEncryptionOutput{}, nil
}

func (f *S3) GetBucketLifecycleConfiguration(_ context.Context, in *s3.GetBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	b, unlock := f.bucket("GetBucketLifecycleConfiguration", in.Bucket, nil)
	defer unlock()
	if b == nil || len(b.Lifecycle) == 0 {
		return nil, NotFound()
	}
	return &s3.GetBucketLifecycleConfigurationOutput{Rules: slices.Clone(b.Lifecycle)}, nil
}

func (f *S3) PutBucketLifecycleConfiguration(_ context.Context, in *s3.PutBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error) {
	b, unlock := f.bucket("PutBucketLifecycleConfiguration", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Lifecycle = slices.Clone(in.LifecycleConfiguration.Rules)
	return &s3.PutBucketLifecycleConfigurationOutput{}, nil
}

func (f *S3) GetBucketLogging(_ context.Context, in *s3.GetBucketLoggingInput, _ ...func(*s3.Options)) (*s3.GetBucketLoggingOutput, error) {
	b, unlock := f.bucket("GetBucketLogging", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	return &s3.GetBucketLoggingOutput{LoggingEnabled: b.Logging}, nil
}

func (f *S3) PutBucketLogging(_ context.Context, in *s3.PutBucketLoggingInput, _ ...func(*s3.Options)) (*s3.PutBucketLoggingOutput, error) {
	b, unlock := f.bucket("PutBucketLogging", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Logging = in.BucketLoggingStatus.LoggingEnabled
	return &s3.PutBucketLoggingOutput{}, nil
}

func (f *S3) GetBucketVersioning(_ context.Context, in *s3.GetBucketVersioningInput, _ ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	b, unlock := f.bucket("GetBucketVersioning", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	out := &s3.GetBucketVersioningOutput{}
	if b.Versioned {
		out.Status = s3types.BucketVersioningStatusEnabled
	}
	return out, nil
}

func (f *S3) PutBucketVersioning(_ context.Context, in *s3.PutBucketVersioningInput, _ ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error) {
	b, unlock := f.bucket("PutBucketVersioning", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	b.Versioned = in.VersioningConfiguration.Status == s3types.BucketVersioningStatusEnabled
	return &s3.PutBucketVersioningOutput{}, nil
}

// The objects have one version each ("v1"), and a delete leaves no marker.

func (f *S3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	b, unlock := f.bucket("HeadObject", in.Bucket, in.Key)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	if _, ok := b.Objects[sdk.ToString(in.Key)]; !ok {
		return nil, NotFound()
	}
	return &s3.HeadObjectOutput{}, nil
}

func (f *S3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	var body []byte
	if in.Body != nil {
		var err error
		if body, err = io.ReadAll(in.Body); err != nil {
			return nil, err
		}
	}
	b, unlock := f.bucket("PutObject", in.Bucket, in.Key)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	if b.Objects == nil {
		b.Objects = map[string][]byte{}
	}
	b.Objects[sdk.ToString(in.Key)] = body
	return &s3.PutObjectOutput{VersionId: sdk.String("v1")}, nil
}

func (f *S3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b, unlock := f.bucket("GetObject", in.Bucket, in.Key)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	body, ok := b.Objects[sdk.ToString(in.Key)]
	if !ok {
		return nil, NotFound()
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(body))}, nil
}

func (f *S3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	b, unlock := f.bucket("DeleteObject", in.Bucket, in.Key)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	delete(b.Objects, sdk.ToString(in.Key))
	return &s3.DeleteObjectOutput{VersionId: sdk.String("v1")}, nil
}

func (f *S3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	b, unlock := f.bucket("DeleteObjects", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	for _, o := range in.Delete.Objects {
		delete(b.Objects, sdk.ToString(o.Key))
	}
	return &s3.DeleteObjectsOutput{}, nil
}

// keys are the bucket's object keys under prefix, sorted.
func (b *Bucket) keys(prefix string) []string {
	var out []string
	for k := range b.Objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (f *S3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	b, unlock := f.bucket("ListObjectsV2", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	out := &s3.ListObjectsV2Output{}
	for _, k := range b.keys(sdk.ToString(in.Prefix)) {
		out.Contents = append(out.Contents, s3types.Object{Key: sdk.String(k)})
	}
	return out, nil
}

func (f *S3) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	b, unlock := f.bucket("ListObjectVersions", in.Bucket, nil)
	defer unlock()
	if b == nil {
		return nil, NotFound()
	}
	out := &s3.ListObjectVersionsOutput{}
	for _, k := range b.keys(sdk.ToString(in.Prefix)) {
		out.Versions = append(out.Versions, s3types.ObjectVersion{Key: sdk.String(k), VersionId: sdk.String("v1")})
	}
	return out, nil
}

// ---- IAM ----------------------------------------------------------------

// IAM is the access keys of IAM users (every user asked about exists), and
// the user, group and policy deletions destroy makes (recorded only).
type IAM struct {
	aws.IAMAPI
	Log  *Log
	mu   sync.Mutex
	Keys map[string][]iamtypes.AccessKeyMetadata // by user name
	// FailDeactivate makes UpdateAccessKey fail (a 500).
	FailDeactivate bool
	// LoseCreate makes the next CreateAccessKey create the key but lose
	// its answer (the connection drops: its secret reaches nobody).
	LoseCreate bool
	made       int
}

// NewIAM is an IAM holding keys (by user), recording into log (nil: a log of
// its own).
func NewIAM(log *Log, keys map[string][]iamtypes.AccessKeyMetadata) *IAM {
	if log == nil {
		log = &Log{}
	}
	if keys == nil {
		keys = map[string][]iamtypes.AccessKeyMetadata{}
	}
	return &IAM{Log: log, Keys: keys}
}

// Key is the metadata of user's access key id.
func Key(user, id string, created time.Time, status iamtypes.StatusType) iamtypes.AccessKeyMetadata {
	return iamtypes.AccessKeyMetadata{UserName: sdk.String(user), AccessKeyId: sdk.String(id), CreateDate: sdk.Time(created), Status: status}
}

// Made is the ID CreateAccessKey gives to the nth key it makes (from 1).
func Made(n int) string { return fmt.Sprintf("AKIAMADEBYCREATE%04d", n) }

// Secret is the secret CreateAccessKey gives to key id.
func Secret(id string) string { return "secret-of-" + id }

// Live are user's keys, "ID Status" each, in creation order.
func (f *IAM) Live(user string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, k := range f.Keys[user] {
		out = append(out, sdk.ToString(k.AccessKeyId)+" "+string(k.Status))
	}
	return out
}

func noSuchEntity() error { return &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "not found"} }

func (f *IAM) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: slices.Clone(f.Keys[sdk.ToString(in.UserName)])}, nil
}

func (f *IAM) CreateAccessKey(_ context.Context, in *iam.CreateAccessKeyInput, _ ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.made++
	id, user, now := Made(f.made), sdk.ToString(in.UserName), time.Now()
	f.Log.Add("iam:CreateAccessKey " + id)
	f.Keys[user] = append(f.Keys[user], Key(user, id, now, iamtypes.StatusTypeActive))
	if f.LoseCreate {
		f.LoseCreate = false
		return nil, errors.New("read tcp: connection reset by peer")
	}
	return &iam.CreateAccessKeyOutput{AccessKey: &iamtypes.AccessKey{UserName: in.UserName, AccessKeyId: sdk.String(id),
		SecretAccessKey: sdk.String(Secret(id)), Status: iamtypes.StatusTypeActive, CreateDate: sdk.Time(now)}}, nil
}

func (f *IAM) UpdateAccessKey(_ context.Context, in *iam.UpdateAccessKeyInput, _ ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.FailDeactivate {
		return nil, &smithy.GenericAPIError{Code: "ServiceFailure", Message: "try again", Fault: smithy.FaultServer}
	}
	f.Log.Add("iam:UpdateAccessKey " + sdk.ToString(in.AccessKeyId) + " " + string(in.Status))
	keys := f.Keys[sdk.ToString(in.UserName)]
	for i := range keys {
		if sdk.ToString(keys[i].AccessKeyId) == sdk.ToString(in.AccessKeyId) {
			keys[i].Status = in.Status
			return &iam.UpdateAccessKeyOutput{}, nil
		}
	}
	return nil, noSuchEntity()
}

func (f *IAM) DeleteAccessKey(_ context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, user := sdk.ToString(in.AccessKeyId), sdk.ToString(in.UserName)
	f.Log.Add("iam:DeleteAccessKey " + id)
	n := len(f.Keys[user])
	f.Keys[user] = slices.DeleteFunc(f.Keys[user], func(k iamtypes.AccessKeyMetadata) bool { return sdk.ToString(k.AccessKeyId) == id })
	if len(f.Keys[user]) == n {
		return nil, noSuchEntity()
	}
	return &iam.DeleteAccessKeyOutput{}, nil
}

func (f *IAM) RemoveUserFromGroup(_ context.Context, in *iam.RemoveUserFromGroupInput, _ ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error) {
	f.Log.Add("iam:RemoveUserFromGroup " + sdk.ToString(in.UserName))
	return &iam.RemoveUserFromGroupOutput{}, nil
}

func (f *IAM) DeleteUser(_ context.Context, in *iam.DeleteUserInput, _ ...func(*iam.Options)) (*iam.DeleteUserOutput, error) {
	f.Log.Add("iam:DeleteUser " + sdk.ToString(in.UserName))
	return &iam.DeleteUserOutput{}, nil
}

// DetachGroupPolicy answers that the policy is not attached.
func (f *IAM) DetachGroupPolicy(context.Context, *iam.DetachGroupPolicyInput, ...func(*iam.Options)) (*iam.DetachGroupPolicyOutput, error) {
	return nil, noSuchEntity()
}

func (f *IAM) DeleteGroup(_ context.Context, in *iam.DeleteGroupInput, _ ...func(*iam.Options)) (*iam.DeleteGroupOutput, error) {
	f.Log.Add("iam:DeleteGroup " + sdk.ToString(in.GroupName))
	return &iam.DeleteGroupOutput{}, nil
}

// ListPolicyVersions lists the default version alone.
func (f *IAM) ListPolicyVersions(context.Context, *iam.ListPolicyVersionsInput, ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error) {
	return &iam.ListPolicyVersionsOutput{Versions: []iamtypes.PolicyVersion{{VersionId: sdk.String("v1"), IsDefaultVersion: true}}}, nil
}

func (f *IAM) DeletePolicy(_ context.Context, in *iam.DeletePolicyInput, _ ...func(*iam.Options)) (*iam.DeletePolicyOutput, error) {
	arn := sdk.ToString(in.PolicyArn)
	f.Log.Add("iam:DeletePolicy " + arn[strings.LastIndex(arn, "/")+1:])
	return &iam.DeletePolicyOutput{}, nil
}
