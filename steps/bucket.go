package steps

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
)

// bucketStep creates (or adopts) the media bucket with ACLs disabled.
func bucketStep() *Step {
	return &Step{
		ID:    "bucket",
		Title: "Create the S3 bucket",
		Guide: "French guide §4.1",
		Why:   "One bucket per environment (staging first, then prod), in the region closest to your users. Its name is global across all of AWS.",
		Departures: []string{
			"The guide leaves Object Ownership at its default; the wizard sets BucketOwnerEnforced explicitly (ACLs disabled, the default since April 2023), so no upload can carry an ACL.",
		},
		Keys:  []string{"bucket", "region"},
		Needs: []string{"preflight"},
		Plan:  planBucket,
		Verify: func(ctx context.Context, r *Run) []Check {
			a := r.Answers
			cl := r.AWS.S3In(a.Region)
			var checks []Check
			// The three reads go out together.
			region := async(func() (string, error) { return bucketRegion(ctx, cl, a.Bucket) })
			ownership := async(func() (*s3.GetBucketOwnershipControlsOutput, error) {
				if compatible(a) {
					return nil, nil // AWS-only: not asked of a provider
				}
				return cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &a.Bucket})
			})
			if _, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &a.Bucket}); err != nil {
				return []Check{Fail(CheckBucketExists, "bucket exists", aws.Explain(err).Error())}
			}
			checks = append(checks, Pass(CheckBucketExists, "bucket exists", a.Bucket))
			if reg, err := region(); r.Refused(err) != "" {
				checks = append(checks, Skip(CheckBucketRegion, "bucket region", skippedLine("bucket region check", r.Refused(err))))
			} else if err != nil {
				checks = append(checks, Fail(CheckBucketRegion, "bucket region", aws.Explain(err).Error()))
			} else if reg != a.Region {
				checks = append(checks, Fail(CheckBucketRegion, "bucket region", fmt.Sprintf("bucket is in %s, configured %s", reg, a.Region)))
			} else {
				checks = append(checks, Pass(CheckBucketRegion, "bucket region", reg))
			}
			if compatible(a) {
				return append(checks, Skip(CheckBucketACLsDisabled, "ACLs disabled (BucketOwnerEnforced)", "an AWS-only setting: skipped on an S3-compatible provider"))
			}
			own, err := ownership()
			if err != nil || !ownerEnforced(own) {
				checks = append(checks, Fail(CheckBucketACLsDisabled, "ACLs disabled (BucketOwnerEnforced)", "object ownership is not BucketOwnerEnforced"))
			} else {
				checks = append(checks, Pass(CheckBucketACLsDisabled, "ACLs disabled (BucketOwnerEnforced)", ""))
			}
			return checks
		},
	}
}

// LogBucketResource names the env's access-log bucket once it is set up
// (created or adopted); "" while access logs were never on.
const LogBucketResource = "log_bucket"

// bucketState is what HeadBucket says about a name.
type bucketState int

const (
	bucketFree bucketState = iota
	bucketOurs
	bucketTaken
)

func headBucket(ctx context.Context, cl aws.S3API, name string) (bucketState, error) {
	_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &name})
	switch {
	case err == nil:
		return bucketOurs, nil
	case aws.IsNotFound(err):
		return bucketFree, nil
	case aws.Status(err) == 403:
		return bucketTaken, nil
	case aws.Status(err) == 301:
		// Ours or not, it lives in another region; GetBucketLocation tells.
		return bucketOurs, nil
	}
	return bucketFree, err
}

// BucketAvailability is the live availability check the TUI runs as the
// user types: what to say ("" when the name is free) and whether the name
// can be used in region (a bucket already ours there is adopted). It
// decides as preflight and the bucket step do: r identified (whoseBucket
// names the account as the expected owner), and r.Answers' app and env
// read against the bucket's tags (ForeignOwner: another project's bucket,
// or one another project adopted, blocks with its owner named).
func BucketAvailability(ctx context.Context, r *Run, name, region string) (string, bool, error) {
	cl := r.AWS.S3In(region)
	st, reg, err := whoseBucket(ctx, r, cl, name)
	if err != nil {
		return "", false, err
	}
	switch st {
	case bucketTaken:
		return fmt.Sprintf("%s is taken by another AWS account (bucket names are global): try %s-2", name, name), false, nil
	case bucketOurs:
		if reg != region {
			return fmt.Sprintf("%s is already yours but in %s, not %s: choose region %s, or another name", name, reg, region, reg), false, nil
		}
		tags, err := BucketTags(ctx, r, cl, name)
		if err != nil {
			return "", false, fmt.Errorf("read the tags of bucket %s: %w", name, err)
		}
		if owner := ForeignOwner(r.Answers, tags); owner != "" {
			return ForeignError("bucket "+name, r.Answers, owner).Error(), false, nil
		}
		if TaggedOurs(r.Answers, tags) {
			return fmt.Sprintf("%s already exists in your account in %s, tagged for this project's env %s: the wizard's, used as it is", name, reg, r.Answers.Env), true, nil
		}
		return fmt.Sprintf("%s already exists in your account in %s: it would be adopted (its objects kept; destroy keeps it)", name, reg), true, nil
	}
	return "", true, nil
}

// whoseBucket tells whether name is free, ours (and in which region) or
// another account's. Both the plan and the TUI's live check use it. With
// the account known, HeadBucket names it as the expected owner: another
// account's bucket that grants ours access (its policy) answers 403 then,
// instead of passing for ours.
func whoseBucket(ctx context.Context, r *Run, cl aws.S3API, name string) (bucketState, string, error) {
	// The location is asked alongside: most names looked up are ours or free,
	// and a second round trip costs more than a read answered NoSuchBucket.
	location := async(func() (string, error) { return bucketRegion(ctx, cl, name) })
	in := &s3.HeadBucketInput{Bucket: &name}
	if acct, _ := r.Identity(); acct != "" && !compatible(r.Answers) {
		in.ExpectedBucketOwner = &acct
	}
	_, headErr := cl.HeadBucket(ctx, in)
	reg, locErr := location()
	if headErr != nil && aws.Status(headErr) != http.StatusMovedPermanently {
		return decideBucket(headErr, "", nil)
	}
	return decideBucket(headErr, reg, locErr)
}

// decideBucket is whoseBucket's decision, from HeadBucket's error and, when
// the bucket exists, GetBucketLocation's answer. A bucket in another region
// answers HeadBucket with a 301 redirect whoever owns it: only its owner may
// read its location, so AccessDenied there means another account's bucket.
func decideBucket(headErr error, locRegion string, locErr error) (bucketState, string, error) {
	switch {
	case headErr == nil:
	case aws.IsNotFound(headErr):
		return bucketFree, "", nil
	case aws.Status(headErr) == http.StatusForbidden:
		return bucketTaken, "", nil
	case aws.Status(headErr) == http.StatusMovedPermanently:
		if aws.IsAccessDenied(locErr) {
			return bucketTaken, "", nil
		}
	default:
		return bucketFree, "", headErr
	}
	if locErr != nil {
		return bucketOurs, "", fmt.Errorf("read region: %w", locErr)
	}
	return bucketOurs, locRegion, nil
}

func planBucket(ctx context.Context, r *Run) (*Plan, error) {
	a := r.Answers
	p := &Plan{}
	for _, w := range config.BucketNameWarnings(a.Bucket) {
		p.Warn("%s", w)
	}
	cl := r.AWS.S3In(a.Region)
	// Read with the lookup; used only if the bucket is ours.
	ownership := async(func() (*s3.GetBucketOwnershipControlsOutput, error) {
		if compatible(a) {
			return nil, nil // AWS-only: not asked of a provider
		}
		return cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &a.Bucket})
	})
	// Probe leftovers too (swept only if the bucket is ours).
	leftovers := async(func() ([]types.ObjectIdentifier, error) { return probeLeftovers(ctx, r, cl) })
	st, reg, err := whoseBucket(ctx, r, cl, a.Bucket)
	if st == bucketOurs && r.planRefusal(p, err, "location", "bucket region check") {
		// A provider that does not answer GetBucketLocation: its bucket
		// is taken to be where the answers say.
		reg, err = a.Region, nil
	}
	if err != nil && !r.Offline {
		return nil, fmt.Errorf("check bucket %s: %w", a.Bucket, err)
	}
	switch st {
	case bucketTaken:
		return nil, bucketTakenError(r)
	case bucketOurs:
		if err := planExistingBucket(ctx, r, p, reg, ownership, leftovers); err != nil {
			return nil, err
		}
	default:
		p.Add(createMediaBucketAction(r))
		if !compatible(a) {
			p.Add(putOwnership(r))
		}
	}
	return p, nil
}

// planExistingBucket plans for the bucket found in this account (in
// region reg): refused in another region or when another project's;
// otherwise claimed or adopted, ACLs disabled, and the probes an
// interrupted verification left swept.
func planExistingBucket(ctx context.Context, r *Run, p *Plan, reg string,
	ownership func() (*s3.GetBucketOwnershipControlsOutput, error), leftovers func() ([]types.ObjectIdentifier, error)) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	if reg != a.Region {
		return fmt.Errorf("bucket %s already exists in your account in %s, not %s: set region: %s, or choose another bucket name", a.Bucket, reg, a.Region, reg)
	}
	if err := planBucketOwner(ctx, r, p, cl, a.Bucket, "bucket"); err != nil {
		return err
	}
	p.SetResource("bucket_arn", "arn:aws:s3:::"+a.Bucket)
	if compatible(a) {
		return nil
	}
	own, err := ownership()
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read object ownership of %s: %w", a.Bucket, err)
	}
	if !ownerEnforced(own) {
		p.Add(putOwnership(r))
	}
	// Probes of a verification cut short by a crash. Swept here, before
	// any step of this run can have a probe of its own in flight.
	// Best effort: a listing refused (a missing s3:ListBucketVersions,
	// or moto's signature check of this listing when it enforces IAM)
	// must not stop the run.
	probes, err := leftovers()
	if err != nil {
		p.Warn("could not look for leftovers of interrupted verifications (%s…) in %s: %s", probeMark, a.Bucket, text.FirstLine(aws.Explain(err).Error()))
	}
	if len(probes) > 0 {
		p.Add(&Action{
			Summary: fmt.Sprintf("delete %d leftover(s) of verification probes (%s…) that an interrupted run left", len(probes), probeMark),
			Calls:   []string{"s3:DeleteObjects"},
			Do:      func(ctx context.Context) error { return sweepProbes(ctx, cl, a.Bucket, probes) },
		})
	}
	return nil
}

// createMediaBucketAction creates the media bucket and records it.
func createMediaBucketAction(r *Run) *Action {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	return &Action{
		Summary: fmt.Sprintf("create bucket %s in %s%s", a.Bucket, a.Region, map[bool]string{true: "", false: " (ACLs disabled)"}[compatible(a)]),
		Calls:   []string{"s3:CreateBucket"},
		Do: func(ctx context.Context) error {
			// destroy deletes only what the wizard created: the intent
			// is saved before CreateBucket (see createOwned).
			if err := createOwnedBucket(ctx, r, cl, a.Bucket); err != nil {
				return err
			}
			r.State.SetResource("bucket_arn", "arn:aws:s3:::"+a.Bucket)
			return nil
		},
	}
}

func putOwnership(r *Run) *Action {
	a := r.Answers
	return &Action{
		Summary: "set Object Ownership to BucketOwnerEnforced (ACLs disabled)",
		Calls:   []string{"s3:PutBucketOwnershipControls"},
		Do: func(ctx context.Context) error {
			_, err := r.AWS.S3In(a.Region).PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
				Bucket: &a.Bucket,
				OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{
					{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced},
				}},
			})
			return err
		},
	}
}

func ownerEnforced(o *s3.GetBucketOwnershipControlsOutput) bool {
	if o == nil || o.OwnershipControls == nil {
		return false
	}
	for _, r := range o.OwnershipControls.Rules {
		if r.ObjectOwnership == types.ObjectOwnershipBucketOwnerEnforced {
			return true
		}
	}
	return false
}

func bucketRegion(ctx context.Context, cl aws.S3API, name string) (string, error) {
	out, err := cl.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &name})
	if err != nil {
		return "", err
	}
	if out.LocationConstraint == "" {
		return "us-east-1", nil // AWS's historical answer for us-east-1
	}
	if out.LocationConstraint == "EU" {
		return "eu-west-1", nil
	}
	return string(out.LocationConstraint), nil
}

// createBucket creates a bucket with ACLs disabled in region; created is
// false when it was already ours (BucketAlreadyOwnedByYou is success).
func createBucket(ctx context.Context, cl aws.S3API, name, region string, provided bool) (created bool, err error) {
	in := &s3.CreateBucketInput{Bucket: &name, ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}
	if provided {
		// An AWS-only header that providers refuse (issue 20); no upload
		// carries an ACL anyway.
		in.ObjectOwnership = ""
	}
	// us-east-1 is the one region that refuses a LocationConstraint.
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
	}
	_, err = cl.CreateBucket(ctx, in)
	if aws.IsAlreadyExists(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// A new bucket can be unknown for a moment to the calls that configure
	// it, and the steps that do run as soon as this one ends.
	err = s3.NewBucketExistsWaiter(cl, func(o *s3.BucketExistsWaiterOptions) { o.MinDelay = time.Second }).
		Wait(ctx, &s3.HeadBucketInput{Bucket: &name}, 2*time.Minute)
	if err != nil {
		return true, fmt.Errorf("wait for new bucket %s: %w", name, err)
	}
	return true, nil
}

// planBucketOwner decides whose an existing bucket (the media or the log
// bucket, what) is: another project's tags stop the plan; a pending intent
// or this env's tags make it the wizard's (tagged if it is not yet, e.g.
// after a crash between CreateBucket and PutBucketTagging); anything else
// is adopted: never given the project's tags, only TagAdoptedBy, so that
// another project cannot adopt it too (destroy removes that mark).
func planBucketOwner(ctx context.Context, r *Run, p *Plan, cl aws.S3API, name, what string) error {
	a := r.Answers
	tags, err := BucketTags(ctx, r, cl, name)
	if err != nil && !r.Offline {
		return fmt.Errorf("read the tags of %s %s: %w", what, name, err)
	}
	if owner := ForeignOwner(a, tags); owner != "" {
		return ForeignError(what+" "+name, a, owner)
	}
	if !claimCreated(r, p, state.KindBucket, name, "arn:aws:s3:::"+name, what+" "+name, tags) {
		p.Notice("%s %s already exists in your account: adopting it (destroy keeps it)", what, name)
		if !compatible(a) && tags[TagAdoptedBy] != a.App {
			p.Add(&Action{Summary: fmt.Sprintf("tag %s %s with %s=%s (another project may not adopt it too; its other tags are kept)", what, name, TagAdoptedBy, a.App), Calls: []string{"s3:GetBucketTagging", "s3:PutBucketTagging"},
				Do: func(ctx context.Context) error {
					return RetagBucket(ctx, r, cl, name, map[string]string{TagAdoptedBy: a.App}, nil)
				}})
		}
		return nil
	}
	if !compatible(a) && !TaggedOurs(a, tags) {
		p.Add(&Action{Summary: fmt.Sprintf("tag %s %s with %s=%s, %s=%s", what, name, TagProject, a.App, TagEnv, a.Env), Calls: []string{"s3:GetBucketTagging", "s3:PutBucketTagging"},
			Do: func(ctx context.Context) error { return tagBucket(ctx, r, cl, name) }})
	}
	return nil
}

// createOwnedBucket creates bucket name for this env (createOwned) and tags
// it. A BucketAlreadyOwnedByYou answer after the intent was recorded is the
// SDK's retry of a CreateBucket whose reply was lost: the bucket is this
// env's unless another project's tags say otherwise.
func createOwnedBucket(ctx context.Context, r *Run, cl aws.S3API, name string) error {
	a := r.Answers
	err := createOwned(r, state.KindBucket, name, "arn:aws:s3:::"+name, func() (bool, error) {
		created, err := createBucket(ctx, cl, name, a.Region, compatible(a))
		if err != nil || created {
			return created, err
		}
		tags, err := BucketTags(ctx, r, cl, name)
		if err != nil {
			return false, fmt.Errorf("%s already existed when created: read its tags: %w", name, err)
		}
		if owner := ForeignOwner(a, tags); owner != "" {
			return false, ForeignError("bucket "+name, a, owner)
		}
		return true, nil
	})
	if err != nil || compatible(a) {
		return err
	}
	return tagBucket(ctx, r, cl, name)
}

// BucketTags reads a bucket's tags (none: empty). An S3-compatible
// provider's buckets are not tagged: ownership there rests on the record.
func BucketTags(ctx context.Context, r *Run, cl aws.S3API, name string) (map[string]string, error) {
	if compatible(r.Answers) {
		return map[string]string{}, nil
	}
	out, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &name})
	if aws.IsNotFound(err) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return s3TagMap(out.TagSet), nil
}

// tagBucket adds the owner tags to a bucket's tag set. PutBucketTagging
// replaces the whole set: the bucket's other tags are read and kept.
func tagBucket(ctx context.Context, r *Run, cl aws.S3API, name string) error {
	return RetagBucket(ctx, r, cl, name, ownerTags(r.Answers), nil)
}

// RetagBucket sets the tags add and removes the keys drop on a bucket,
// keeping its other tags (PutBucketTagging replaces the whole set). Nothing
// is sent when nothing changes.
func RetagBucket(ctx context.Context, r *Run, cl aws.S3API, name string, add map[string]string, drop []string) error {
	tags, err := BucketTags(ctx, r, cl, name)
	if err != nil {
		return fmt.Errorf("read the tags of %s: %w", name, err)
	}
	before := maps.Clone(tags)
	maps.Copy(tags, add)
	for _, k := range drop {
		delete(tags, k)
	}
	switch {
	case maps.Equal(before, tags):
		return nil
	case len(tags) == 0:
		_, err := cl.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: &name})
		return err
	}
	var set []types.Tag
	for _, k := range sortedKeys(tags) {
		set = append(set, types.Tag{Key: sdk.String(k), Value: sdk.String(tags[k])})
	}
	_, err = cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &name, Tagging: &types.Tagging{TagSet: set}})
	return err
}

// bucketTakenError refuses a bucket name another AWS account owns.
func bucketTakenError(r *Run) error {
	a := r.Answers
	return fmt.Errorf("bucket %s belongs to another AWS account (bucket names are global across AWS): choose another name, e.g. %s-%s", a.Bucket, a.Bucket, r.AccountID()[max(0, len(r.AccountID())-4):])
}

// refuseForeignBucket stops preflight, so the whole run, when the bucket is
// another account's: the IAM steps do not wait for the bucket step, and
// would otherwise make a user, a policy and a key for a bucket that is not
// ours (their probes going to it).
func refuseForeignBucket(ctx context.Context, r *Run) error {
	a := r.Answers
	if r.AWS == nil || a == nil || a.Bucket == "" {
		return nil
	}
	st, _, err := whoseBucket(ctx, r, r.AWS.S3In(a.Region), a.Bucket)
	switch {
	case err != nil || st == bucketFree:
		return nil // the bucket step reads it again and reports
	case st == bucketOurs:
		return refuseOtherProjectsBucket(ctx, r)
	}
	return bucketTakenError(r)
}
