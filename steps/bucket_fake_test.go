package steps_test

import (
	"context"
	"errors"
	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"net/http"
	"slices"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// fakeBucket answers the bucket step's reads; any other call panics.
type fakeBucket struct {
	aws.S3API
	head      int    // HeadBucket's HTTP status (200: exists and ours)
	location  string // GetBucketLocation's answer
	locDenied bool   // GetBucketLocation refused (another account's bucket)
	enforced  bool   // Object Ownership is BucketOwnerEnforced
	// owner, when set, is the account that owns the bucket: HeadBucket
	// with another ExpectedBucketOwner answers 403, as S3 does (moto
	// ignores ExpectedBucketOwner).
	owner string
}

func httpError(status int) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}},
		Err:      errors.New(http.StatusText(status))}}
}

func (f *fakeBucket) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	if f.owner != "" && in.ExpectedBucketOwner != nil && *in.ExpectedBucketOwner != f.owner {
		return nil, httpError(http.StatusForbidden)
	}
	if f.head != http.StatusOK {
		return nil, httpError(f.head)
	}
	return &s3.HeadBucketOutput{}, nil
}

// GetBucketTagging: the bucket is already marked as adopted by this
// project (as after a first apply; the tagging is tested against moto).
func (f *fakeBucket) GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	return &s3.GetBucketTaggingOutput{TagSet: []s3types.Tag{{Key: sdk.String(steps.TagAdoptedBy), Value: sdk.String("mon-app")}}}, nil
}

func (f *fakeBucket) GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	if f.locDenied {
		return nil, httpError(http.StatusForbidden)
	}
	return &s3.GetBucketLocationOutput{LocationConstraint: s3types.BucketLocationConstraint(f.location)}, nil
}

func (f *fakeBucket) GetBucketOwnershipControls(context.Context, *s3.GetBucketOwnershipControlsInput, ...func(*s3.Options)) (*s3.GetBucketOwnershipControlsOutput, error) {
	own := s3types.ObjectOwnershipObjectWriter
	if f.enforced {
		own = s3types.ObjectOwnershipBucketOwnerEnforced
	}
	return &s3.GetBucketOwnershipControlsOutput{OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: own}}}}, nil
}

// ListObjectVersions finds no probe leftovers (the sweep is tested
// against moto).
func (f *fakeBucket) ListObjectVersions(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return &s3.ListObjectVersionsOutput{}, nil
}

// The bucket step's plan: create a free name, adopt our own bucket in the
// right region (fixing its Object Ownership if needed), refuse another
// account's bucket or ours in another region. The real answers of S3 (301
// for another region, 403) are tested against moto; here, the decisions.
func TestBucketPlanDecisions(t *testing.T) {
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	for _, tc := range []struct {
		name    string
		s3      fakeBucket
		actions []string // summaries
		notice  string
		err     string
	}{
		{"free name: create", fakeBucket{head: http.StatusNotFound},
			[]string{"create bucket " + a.Bucket + " in eu-west-3 (ACLs disabled)", "set Object Ownership to BucketOwnerEnforced (ACLs disabled)"}, "", ""},
		{"ours, as wanted: adopt", fakeBucket{head: http.StatusOK, location: "eu-west-3", enforced: true},
			nil, "bucket " + a.Bucket + " already exists in your account: adopting it (destroy keeps it)", ""},
		{"ours with ACLs on: adopt and disable them", fakeBucket{head: http.StatusOK, location: "eu-west-3"},
			[]string{"set Object Ownership to BucketOwnerEnforced (ACLs disabled)"}, "adopting it", ""},
		{"ours in another region: refused", fakeBucket{head: http.StatusMovedPermanently, location: "us-west-2"},
			nil, "", "already exists in your account in us-west-2, not eu-west-3"},
		{"another account's: refused", fakeBucket{head: http.StatusForbidden},
			nil, "", "belongs to another AWS account"},
		{"another account's in another region: refused", fakeBucket{head: http.StatusMovedPermanently, locDenied: true},
			nil, "", "belongs to another AWS account"},
		// Issue 17 item 12: its policy lets our account read it, so HeadBucket
		// alone answers 200; ExpectedBucketOwner makes it a 403.
		{"another account's that grants ours access: refused", fakeBucket{head: http.StatusOK, location: "eu-west-3", enforced: true, owner: "999988887777"},
			nil, "", "belongs to another AWS account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := tc.s3
			r := &steps.Run{Answers: a, AWS: &aws.Clients{S3: &fake, Region: "eu-west-3"}, Account: "111122223333"}
			p, err := steps.Find(steps.All(), "bucket").Plan(context.Background(), r)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("plan: %v, want an error saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantActions(t, p, tc.actions)
			if tc.notice != "" && !slices.ContainsFunc(p.Notices, func(n string) bool { return strings.Contains(n, tc.notice) }) {
				t.Errorf("notices %q lack %q", p.Notices, tc.notice)
			}
		})
	}
}
