package steps

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
)

// protectionStep sets encryption, versioning, lifecycle rules and server access
// logs on the media bucket: four resources, one file each
// (protection_encryption.go, protection_versioning.go,
// protection_lifecycle.go, protection_logs.go); this file holds the step,
// its plan and its verification.
func protectionStep() *Step {
	return &Step{
		// On an S3-compatible provider: what it supports (providerRefusal);
		// access logs are AWS-only (ProviderSkips).
		ID:    "protection",
		Title: "Protection and cost: encryption, versioning, lifecycle, access logs",
		Guide: "French guide §9.3–9.4 and §8.3",
		Why:   "Encryption at rest, versioning against accidental overwrites and deletes, lifecycle rules so temporary uploads, old versions and unfinished multipart uploads do not pile up on the bill, and server access logs for audits.",
		Departures: []string{
			"The guide presents default encryption as an option to tick; since January 2023 SSE-S3 applies to every new object anyway. The wizard sets it explicitly, and with SSE-KMS enables S3 Bucket Keys (far fewer KMS requests, so a far smaller KMS bill).",
			"The guide suggests Glacier for old media; Glacier Flexible Retrieval and Deep Archive objects must be restored before they can be read, which breaks media links. The wizard offers only Intelligent-Tiering and Glacier Instant Retrieval.",
			"The guide grants the log-delivery group through ACLs; with ACLs disabled (BucketOwnerEnforced) that is impossible. The wizard writes a bucket policy for logging.s3.amazonaws.com limited by aws:SourceArn and aws:SourceAccount, keeps the log bucket on SSE-S3 (server access logs cannot be delivered to an SSE-KMS bucket) and expires old logs.",
			"MFA Delete cannot be combined with lifecycle rules and only root can enable it (CLI/API only): the wizard explains it and leaves it as a documented manual step.",
		},
		Keys:   []string{"encryption", "kms_key_id", "versioning", "lifecycle", "access_logs"},
		Needs:  []string{"bucket"},
		Plan:   planProtection,
		Verify: verifyProtection,
	}
}

func planProtection(ctx context.Context, r *Run) (*Plan, error) {
	a := r.Answers
	// The media bucket's settings are distinct subresources: they can be
	// written concurrently; the log bucket's settings wait for the bucket
	// and logging for its policy (Action.After). Their reads are
	// independent too: they go out together.
	p := &Plan{Concurrent: true}
	if err := planParts(p,
		func(p *Plan) error { return planEncryption(ctx, r, p) },
		func(p *Plan) error { return planVersioning(ctx, r, p) },
		func(p *Plan) error {
			return planLifecycle(ctx, r, p, a.Bucket, WantedLifecycleRules(a), "lifecycle rules on "+a.Bucket)
		},
		func(p *Plan) error {
			if compatible(a) {
				return nil // AWS-only (ProviderSkips)
			}
			return planAccessLogs(ctx, r, p)
		},
	); err != nil {
		return nil, err
	}
	if p.Empty() {
		p.Notice("encryption, versioning, lifecycle rules and access logs are as wanted")
	}
	return p, nil
}

// ---- verification ---------------------------------------------------------

func verifyProtection(ctx context.Context, r *Run) []Check {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	// Every setting is read at once; the checks below take the answers.
	encryption := async(func() (*types.ServerSideEncryptionRule, error) { return liveEncryption(ctx, cl, a.Bucket) })
	versioning := async(func() (*s3.GetBucketVersioningOutput, error) {
		return cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &a.Bucket})
	})
	lifecycle := async(func() (lifecycleRules, error) {
		ours, foreign, err := LiveLifecycle(ctx, cl, a.Bucket)
		return lifecycleRules{ours, foreign}, err
	})
	logBucket := LogBucketName(a.Bucket)
	var logging func() (*s3.GetBucketLoggingOutput, error)
	var logBucketChecks func() ([]Check, error)
	if a.AccessLogs {
		logging = async(func() (*s3.GetBucketLoggingOutput, error) {
			return cl.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: &a.Bucket})
		})
		logBucketChecks = async(func() ([]Check, error) { return verifyLogBucket(ctx, r, cl, logBucket), nil })
	}

	checks := []Check{encryptionCheck(r, encryption)}
	if a.Versioning {
		checks = append(checks, versioningCheck(r, versioning))
	}
	checks = append(checks, lifecycleChecks(r, lifecycle)...)
	if !a.AccessLogs {
		return checks
	}
	checks = append(checks, accessLoggingCheck(logBucket, logging))
	logChecks, _ := logBucketChecks()
	return append(checks, logChecks...)
}

func encryptionCheck(r *Run, encryption func() (*types.ServerSideEncryptionRule, error)) Check {
	a := r.Answers
	name := "default encryption " + a.Encryption
	if reason := r.refusal(refusedEncryption); reason != "" {
		return Skip(CheckEncryption, name, skippedLine("default encryption "+DescribeEncryption(a), reason))
	}
	live, err := encryption()
	switch {
	case err != nil:
		return Fail(CheckEncryption, name, aws.Explain(err).Error())
	case !sameEncryption(live, WantedEncryption(a), kmsKeyARN(r)):
		return Fail(CheckEncryption, name, "the bucket's default encryption differs from the wanted one: run apply")
	}
	return Pass(CheckEncryption, name, DescribeEncryption(a))
}

func versioningCheck(r *Run, versioning func() (*s3.GetBucketVersioningOutput, error)) Check {
	out, err := versioning()
	reason := r.refusal(refusedVersioning)
	switch {
	case reason != "":
		return Skip(CheckVersioning, "versioning enabled", skippedLine("versioning", reason))
	case err != nil:
		return Fail(CheckVersioning, "versioning enabled", aws.Explain(err).Error())
	case out.Status != types.BucketVersioningStatusEnabled:
		return Fail(CheckVersioning, "versioning enabled", fmt.Sprintf("versioning is %q", out.Status))
	}
	return Pass(CheckVersioning, "versioning enabled", string(out.Status))
}

// lifecycleChecks checks the wizard's lifecycle rules; on an S3-compatible
// provider, the rules it cannot take are listed as skipped.
func lifecycleChecks(r *Run, lifecycle func() (lifecycleRules, error)) []Check {
	a := r.Answers
	var checks []Check
	want := WantedLifecycleRules(a)
	if compatible(a) {
		var skipped []string
		want, skipped = r.providerRules(want)
		for _, line := range skipped {
			checks = append(checks, Skip(CheckLifecycle, "lifecycle rules", line))
		}
	}
	if reason := r.refusal(refusedLifecycle); reason != "" {
		return append(checks, Skip(CheckLifecycle, "lifecycle rules", skippedLine("lifecycle rules", reason)))
	}
	lc, err := lifecycle()
	switch {
	case err != nil:
		return append(checks, Fail(CheckLifecycle, "lifecycle rules", aws.Explain(err).Error()))
	case !sameRules(lc.ours, want):
		return append(checks, Fail(CheckLifecycle, "lifecycle rules", "live: "+describeRules(lc.ours)+"; wanted: "+describeRules(want)))
	}
	return append(checks, Pass(CheckLifecycle, "lifecycle rules", describeRules(want)))
}

func accessLoggingCheck(logBucket string, logging func() (*s3.GetBucketLoggingOutput, error)) Check {
	out, err := logging()
	switch {
	case err != nil:
		return Fail(CheckAccessLogging, "server access logging", aws.Explain(err).Error())
	case out.LoggingEnabled == nil:
		return Fail(CheckAccessLogging, "server access logging", "logging is off")
	case sdk.ToString(out.LoggingEnabled.TargetBucket) != logBucket || sdk.ToString(out.LoggingEnabled.TargetPrefix) != logPrefix:
		return Fail(CheckAccessLogging, "server access logging", fmt.Sprintf("logs go to %s/%s, not %s/%s", sdk.ToString(out.LoggingEnabled.TargetBucket), sdk.ToString(out.LoggingEnabled.TargetPrefix), logBucket, logPrefix))
	}
	return Pass(CheckAccessLogging, "server access logging", logBucket+"/"+logPrefix)
}
