package steps

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
)

const mfaDeleteManualStep = "MFA Delete (optional): only the account's root user can enable it, with the CLI or API and an MFA device: `aws s3api put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa \"arn:aws:iam::%s:mfa/root-account-mfa-device CODE\"`. AWS refuses lifecycle rules on a bucket with MFA Delete, so the wizard's lifecycle rules (uploads/, noncurrent versions, incomplete uploads) must be removed first: weigh it before enabling."

func planVersioning(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	const label = "versioning"
	if a.Versioning {
		if reason := r.refusal(refusedVersioning); reason != "" {
			p.Notice("%s", skippedLine(label, reason))
			return nil
		}
	}
	out, err := cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &a.Bucket})
	if a.Versioning && r.planRefusal(p, err, refusedVersioning, label) || !a.Versioning && providerRefusal(a, err) != "" {
		return nil
	}
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read versioning of %s: %w", a.Bucket, err)
	}
	var status types.BucketVersioningStatus
	var mfa types.MFADeleteStatus
	if err == nil {
		status, mfa = out.Status, out.MFADelete
	}
	planMFADelete(r, p, mfa)
	if !a.Versioning {
		if status == types.BucketVersioningStatusEnabled {
			p.Warn("versioning: false, but versioning is on for %s: a bucket's versioning can only be suspended, never removed; the wizard leaves it on (suspend it in the console if you really mean it — existing versions stay and are billed)", a.Bucket)
		} else {
			p.Warn("versioning is off: an overwrite or delete by the app cannot be undone")
		}
		return nil
	}
	if status == types.BucketVersioningStatusEnabled {
		return nil
	}
	bucket := a.Bucket
	p.Add(&Action{Summary: "turn on versioning of " + bucket, Calls: []string{"s3:PutBucketVersioning"},
		Do: r.orRefused(func(ctx context.Context) error {
			_, err := cl.PutBucketVersioning(conflict.In(ctx), &s3.PutBucketVersioningInput{Bucket: &bucket,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
			return err
		}, "protection", refusedVersioning, label)})
	return nil
}

// planMFADelete says what MFA Delete (live status mfa) means for the
// bucket, and lists enabling it as a manual step when it is off.
func planMFADelete(r *Run, p *Plan, mfa types.MFADeleteStatus) {
	a := r.Answers
	switch {
	case compatible(a):
		// MFA Delete is an AWS root-account setting (ProviderSkips).
	case mfa == types.MFADeleteStatusEnabled:
		p.Warn("MFA Delete is enabled on %s: AWS refuses lifecycle rules on such a bucket, so the lifecycle rules below will fail until root disables MFA Delete", a.Bucket)
	default:
		p.Notice("MFA Delete is not enabled: only the root user can enable it (CLI/API only, not the console) and it cannot be combined with lifecycle rules; it is listed as a manual step in the hand-off document")
		// Recorded when the step is applied: a plan changes nothing, not
		// even the progress file.
		p.AddManual(mfaDeleteManualStep, a.Bucket, r.AccountID())
	}
}
