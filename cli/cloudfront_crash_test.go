package cli_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const cloudFrontCrashAnswers = stagingAnswers + "static_on_s3: true\npublic_prefixes: [media/blog/]\ncloudfront: true\naccess_logs: false\n"

// A crash right after CloudFront's creates (or the bucket policy that
// names the new distribution) leaves, after the next apply, one
// distribution and one origin access control, both recorded as the
// wizard's (the intent was saved before the call), and a third run plans
// nothing.
func TestCloudFrontCrashAfterCreate(t *testing.T) {
	s := motoserver.Start(t)
	env := s.Env()
	for _, op := range []string{"CreateOriginAccessControl", "CreateDistributionWithTags", "PutBucketPolicy"} {
		t.Run(op, func(t *testing.T) {
			s.Reset(t)
			dir := project(t, cloudFrontCrashAnswers)
			pl := run(t, dir, env, "plan", "--env", "staging", "--answers", "answers.yaml")
			mustOK(t, pl)
			if !strings.Contains(pl.stdout, "cloudfront:"+op) && !strings.Contains(pl.stdout, op) {
				t.Fatalf("plan does not list %s:\n%s", op, pl.stdout)
			}
			crash := apply(t, dir, append(slices.Clone(env), "S3WIZARD_CRASH_AFTER="+op))
			if crash.code != 137 {
				t.Fatalf("apply with a crash after %s: exit %d, want 137\n%s", op, crash.code, crash.stderr)
			}
			mustOK(t, apply(t, dir, env))
			third := run(t, dir, env, "plan", "--env", "staging", "--answers", "answers.yaml")
			mustOK(t, third)
			if !strings.Contains(third.stdout, "\n0 change(s) planned") {
				t.Errorf("third run still plans changes:\n%s", third.stdout)
			}

			s.Use(t)
			cl, err := aws.New(context.Background(), aws.Options{Region: "eu-west-3"})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			ds, err := cl.CloudFront.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(ds.DistributionList.Items); n != 1 {
				t.Errorf("%d distributions after the crash and a rerun, want 1", n)
			}
			oacs, err := cl.CloudFront.ListOriginAccessControls(ctx, &cloudfront.ListOriginAccessControlsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(oacs.OriginAccessControlList.Items); n != 1 {
				t.Errorf("%d origin access controls after the crash and a rerun, want 1", n)
			}
			p, err := state.Open(dir, "staging")
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			for _, o := range []struct{ kind, name string }{{state.KindDistribution, "s3wizard-mon-app-media-staging"}, {state.KindOriginAccessControl, "mon-app-media-staging"}} {
				rec, ok := p.Ownership(o.kind, o.name)
				if !ok || rec.Evidence != state.EvidenceCreated {
					t.Errorf("ownership of %s %s = %+v, %v; want created", o.kind, o.name, rec, ok)
				}
			}
			if len(ds.DistributionList.Items) == 1 && p.Resource(steps.ResCloudFrontID) != sdk.ToString(ds.DistributionList.Items[0].Id) {
				t.Errorf("progress records distribution %q, live is %q", p.Resource(steps.ResCloudFrontID), sdk.ToString(ds.DistributionList.Items[0].Id))
			}
		})
	}
}
