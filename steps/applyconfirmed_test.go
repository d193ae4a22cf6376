package steps_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const confirmedYAML = protAnswersYAML + "public_prefixes: [media/blog/]\nstatic_on_s3: true\n"

// TestApplyConfirmedStopsWhenTheAccountMoved (issue 18 defect 7): apply
// planned, asked, then planned again and applied that second plan, so what
// ran could differ from what was confirmed. Between the confirmation and
// the apply a teammate makes the bucket: the apply stops naming the
// difference, and nothing is changed (no user, no policy, no progress).
func TestApplyConfirmedStopsWhenTheAccountMoved(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, confirmedYAML)
	r := protRun(t, s, a)
	ctx := context.Background()
	sched := engine.NewScheduler(r, steps.All())
	confirmed := sched.Plan(ctx)
	// The person reads the plan; meanwhile the account moves.
	if _, err := r.AWS.S3In(protRegion).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &a.Bucket,
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: protRegion}}); err != nil {
		t.Fatal(err)
	}
	started := false
	results, err := sched.Apply(ctx, engine.Batch[*steps.Run]{Confirmed: confirmed, Start: func() error { started = true; return nil }})
	if !errors.Is(err, engine.ErrPlanStale) || results != nil || started {
		t.Fatalf("apply after the account moved: results %v, started %v, err %v; want ErrPlanStale before anything", results, started, err)
	}
	if !strings.Contains(err.Error(), "[bucket] - create bucket "+a.Bucket) {
		t.Errorf("the error does not name the difference (bucket no longer created):\n%v", err)
	}
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &a.IAMUser}); err == nil {
		t.Error("the IAM user was created although the plan was stale")
	}
	if len(r.State.Keys()) > 0 {
		t.Error("an access key was recorded although the plan was stale")
	}
}

// TestApplyConfirmedAppliesAsConfirmed: when nothing moved, the confirmed
// plan is applied, including the steps that plan again once the steps they
// need have acted (the bucket's settings after the bucket): none of them
// holds a change that was not confirmed, and the account ends as wanted.
func TestApplyConfirmedAppliesAsConfirmed(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, confirmedYAML)
	r := protRun(t, s, a)
	r.KeyPropagation = 5 * time.Second
	ctx := context.Background()
	sched := engine.NewScheduler(r, steps.All())
	results, err := sched.Apply(ctx, engine.Batch[*steps.Run]{Confirmed: sched.Plan(ctx)})
	if err != nil {
		for _, res := range results {
			if res.Err != nil {
				t.Errorf("%s: %v", res.Step.ID, res.Err)
			}
		}
		t.Fatalf("apply of the confirmed plan: %v", err)
	}
	if _, err := r.AWS.S3In(protRegion).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String(a.Bucket)}); err != nil {
		t.Errorf("bucket %s not made: %v", a.Bucket, err)
	}
}

// TestApplyConfirmedStepStopsWhenTheAccountMoved: the TUI confirms step by
// step; the step's plan as shown is applied, or refused when the account
// moved in between (here: the bucket made by someone else meanwhile).
func TestApplyConfirmedStepStopsWhenTheAccountMoved(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, confirmedYAML)
	r := protRun(t, s, a)
	ctx := context.Background()
	protApply(t, r, "preflight")
	sched := engine.NewScheduler(r, steps.All())
	bucket := steps.Find(steps.All(), "bucket")
	shown := sched.Plan(ctx, bucket)
	if shown[0].Err != nil {
		t.Fatal(shown[0].Err)
	}
	if _, err := r.AWS.S3In(protRegion).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &a.Bucket,
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: protRegion}}); err != nil {
		t.Fatal(err)
	}
	_, err := sched.Apply(ctx, engine.Batch[*steps.Run]{Steps: []*steps.Step{bucket}, Confirmed: shown})
	if !errors.Is(err, engine.ErrPlanStale) || !strings.Contains(err.Error(), "- create bucket "+a.Bucket) {
		t.Fatalf("apply of the shown plan after the account moved: %v; want ErrPlanStale naming the bucket", err)
	}
	if st := r.State.Step("bucket").Status; st != state.Pending {
		t.Errorf("the bucket step was recorded %q although nothing was applied", st)
	}
}
