package steps

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/policy"
)

// Lifecycle rule IDs the wizard owns. Rules with other IDs belong to the
// user and are kept as they are when the wizard rewrites the configuration
// (PutBucketLifecycleConfiguration replaces the whole list).
const (
	lifecycleIDPrefix   = "s3wizard-"
	ruleExpireUploads   = "s3wizard-expire-uploads"
	ruleNoncurrent      = "s3wizard-noncurrent-versions"
	ruleAbortMultipart  = "s3wizard-abort-multipart"
	ruleArchiveMedia    = "s3wizard-archive-media"
	ruleExpireLogs      = "s3wizard-expire-logs"
	logPrefix           = "logs/"
	logRetentionDays    = 90
	defaultArchiveDays  = 30
	mfaDeleteManualStep = "MFA Delete (optional): only the account's root user can enable it, with the CLI or API and an MFA device: `aws s3api put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa \"arn:aws:iam::%s:mfa/root-account-mfa-device CODE\"`. AWS refuses lifecycle rules on a bucket with MFA Delete, so the wizard's lifecycle rules (uploads/, noncurrent versions, incomplete uploads) must be removed first: weigh it before enabling."
	kmsUnsignedWarning  = "SSE-KMS: objects encrypted with a KMS key can only be read by signed requests from principals allowed to use the key, so they cannot be served unsigned (anonymous or public URLs answer 400/403)"
	sseS3DefaultNotice  = "SSE-S3 (AES-256) has applied to every new object by default since January 2023; the wizard sets it explicitly so the bucket's intent is visible and audited"
	logBucketSuffix     = config.LogBucketSuffix
	logBucketPolicyNote = "the log bucket's policy lets only logging.s3.amazonaws.com write under logs/, for this bucket and account (aws:SourceArn, aws:SourceAccount): ACL grants to the log-delivery group are impossible with ACLs disabled"
	conflictRetryBudget = 10 * time.Second
)

// LogBucketName is the access-log bucket of a media bucket.
func LogBucketName(bucket string) string { return config.LogBucketName(bucket) }

// Protection sets encryption, versioning, lifecycle rules and server access
// logs on the media bucket.
func Protection() *Step {
	return &Step{
		// AWS-only or provider-specific: see ProviderSkips.
		Enabled: notCompatible,
		ID:      "protection",
		Title:   "Protection and cost: encryption, versioning, lifecycle, access logs",
		Guide:   "French guide §9.3–9.4 and §8.3",
		Why:     "Encryption at rest, versioning against accidental overwrites and deletes, lifecycle rules so temporary uploads, old versions and unfinished multipart uploads do not pile up on the bill, and server access logs for audits.",
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
	// written concurrently. The log-bucket chain is a single ordered action.
	// Their reads are independent too: they go out together.
	p := &Plan{Concurrent: true}
	if err := planParts(p,
		func(p *Plan) error { return planEncryption(ctx, r, p) },
		func(p *Plan) error { return planVersioning(ctx, r, p) },
		func(p *Plan) error {
			return planLifecycle(ctx, r, p, a.Bucket, WantedLifecycleRules(a), "lifecycle rules on "+a.Bucket)
		},
		func(p *Plan) error { return planAccessLogs(ctx, r, p) },
	); err != nil {
		return nil, err
	}
	if p.Empty() {
		p.Notice("encryption, versioning, lifecycle rules and access logs are as wanted")
	}
	return p, nil
}

// ---- encryption -----------------------------------------------------------

// WantedEncryption is the media bucket's default encryption rule.
func WantedEncryption(a *config.Answers) types.ServerSideEncryptionRule {
	if a.Encryption == config.EncSSEKMS {
		rule := types.ServerSideEncryptionRule{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms},
			// Bucket Keys cut KMS requests (and their cost) by orders of magnitude.
			BucketKeyEnabled: sdk.Bool(true),
		}
		if a.KMSKeyID != "" {
			rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = sdk.String(a.KMSKeyID)
		}
		return rule
	}
	return sseS3Rule()
}

func sseS3Rule() types.ServerSideEncryptionRule {
	return types.ServerSideEncryptionRule{
		ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
	}
}

func planEncryption(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	want := WantedEncryption(a)
	if a.Encryption == config.EncSSEKMS {
		if pub := a.PublicReadPrefixes(); len(pub) > 0 {
			p.Notice("%s. The public files (%s) are therefore written SSE-S3: the generated public and static storages ask for ServerSideEncryption AES256 on every upload, which overrides the bucket's default, and the public step proves it. Files put there by other means (console, CLI) get SSE-KMS and answer 403 to anonymous readers: upload them with --sse AES256", kmsUnsignedWarning, strings.Join(pub, ", "))
		} else {
			p.Warn("%s: keep every media file private (signed URLs) while SSE-KMS is on", kmsUnsignedWarning)
		}
		if a.KMSKeyID == "" {
			p.Notice("SSE-KMS without kms_key_id uses the AWS-managed key aws/s3: no key policy to manage, but it cannot be shared with other accounts")
		} else {
			p.Notice("SSE-KMS with key %s and S3 Bucket Keys; the app's policy is granted kms:GenerateDataKey and kms:Decrypt on it, only through %s (kms:ViaService) (the key's own policy must allow this account's IAM policies)", a.KMSKeyID, policy.S3Service(a.Region))
		}
	} else {
		p.Notice("%s", sseS3DefaultNotice)
	}
	live, err := liveEncryption(ctx, cl, a.Bucket)
	if err != nil {
		return fmt.Errorf("read default encryption of %s: %w", a.Bucket, err)
	}
	if sameEncryption(live, want, kmsKeyARN(r)) {
		return nil
	}
	p.Add(putEncryptionAction(cl, a.Bucket, want, encryptionSummary(a)))
	return nil
}

func encryptionSummary(a *config.Answers) string {
	return "default encryption " + DescribeEncryption(a) + " on " + a.Bucket
}

// DescribeEncryption is the wanted default encryption, for people.
func DescribeEncryption(a *config.Answers) string {
	if a.Encryption == config.EncSSEKMS {
		key := a.KMSKeyID
		if key == "" {
			key = "aws/s3"
		}
		return fmt.Sprintf("SSE-KMS (key %s, Bucket Keys on)", key)
	}
	return "SSE-S3 (AES-256)"
}

func putEncryptionAction(cl aws.S3API, bucket string, rule types.ServerSideEncryptionRule, summary string) *Action {
	return &Action{Summary: summary, Calls: []string{"s3:PutBucketEncryption"},
		Do: func(ctx context.Context) error {
			return retryConflict(ctx, func() error {
				_, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &bucket,
					ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}}})
				return err
			})
		}}
}

// liveEncryption returns the bucket's first default-encryption rule (nil:
// none, or the bucket does not exist yet).
func liveEncryption(ctx context.Context, cl aws.S3API, bucket string) (*types.ServerSideEncryptionRule, error) {
	out, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
	if err != nil {
		if aws.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		return nil, nil
	}
	return &out.ServerSideEncryptionConfiguration.Rules[0], nil
}

func sameEncryption(live *types.ServerSideEncryptionRule, want types.ServerSideEncryptionRule, wantKeyARN string) bool {
	if live == nil || live.ApplyServerSideEncryptionByDefault == nil {
		return false
	}
	l, w := live.ApplyServerSideEncryptionByDefault, want.ApplyServerSideEncryptionByDefault
	if l.SSEAlgorithm != w.SSEAlgorithm {
		return false
	}
	if w.SSEAlgorithm != types.ServerSideEncryptionAwsKms {
		return true
	}
	return sdk.ToBool(live.BucketKeyEnabled) == sdk.ToBool(want.BucketKeyEnabled) &&
		sameKMSKey(sdk.ToString(l.KMSMasterKeyID), sdk.ToString(w.KMSMasterKeyID), wantKeyARN)
}

// sameKMSKey compares key references: S3 may hand back the ARN of a key that
// was given by ID.
func sameKMSKey(live, want, wantARN string) bool {
	switch {
	case live == want:
		return true
	case live == "" || want == "":
		return false
	case live == wantARN:
		return true
	}
	return strings.HasSuffix(live, "/"+want) || strings.HasSuffix(want, "/"+live)
}

// ---- versioning -----------------------------------------------------------

func planVersioning(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	out, err := cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &a.Bucket})
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read versioning of %s: %w", a.Bucket, err)
	}
	var status types.BucketVersioningStatus
	var mfa types.MFADeleteStatus
	if err == nil {
		status, mfa = out.Status, out.MFADelete
	}
	if mfa == types.MFADeleteStatusEnabled {
		p.Warn("MFA Delete is enabled on %s: AWS refuses lifecycle rules on such a bucket, so the lifecycle rules below will fail until root disables MFA Delete", a.Bucket)
	} else {
		p.Notice("MFA Delete is not enabled: only the root user can enable it (CLI/API only, not the console) and it cannot be combined with lifecycle rules; it is listed as a manual step in the hand-off document")
		// Recorded when the step is applied: a plan changes nothing, not
		// even the progress file.
		p.AddManual(mfaDeleteManualStep, a.Bucket, r.AccountID())
	}
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
		Do: func(ctx context.Context) error {
			return retryConflict(ctx, func() error {
				_, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
					VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
				return err
			})
		}})
	return nil
}

// ---- lifecycle ------------------------------------------------------------

// WantedLifecycleRules are the wizard's lifecycle rules for the media bucket.
// ExpiredObjectDeleteMarker cannot share a rule with Expiration Days, so
// uploads/ expiry and the version clean-up are separate rules.
func WantedLifecycleRules(a *config.Answers) []types.LifecycleRule {
	l := a.Lifecycle
	var rules []types.LifecycleRule
	if l.UploadsExpireDays > 0 {
		rules = append(rules, types.LifecycleRule{
			ID: sdk.String(ruleExpireUploads), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: sdk.String("uploads/")},
			Expiration: &types.LifecycleExpiration{Days: sdk.Int32(int32(l.UploadsExpireDays))},
		})
	}
	if l.NoncurrentExpireDays > 0 || a.Versioning {
		rule := types.LifecycleRule{
			ID: sdk.String(ruleNoncurrent), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: sdk.String("")},
			// Once every version of a key has expired, only its delete
			// marker is left: remove it too so listings stay fast.
			Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: sdk.Bool(true)},
		}
		if l.NoncurrentExpireDays > 0 {
			rule.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: sdk.Int32(int32(l.NoncurrentExpireDays))}
		}
		rules = append(rules, rule)
	}
	if l.AbortMultipartDays > 0 {
		rules = append(rules, types.LifecycleRule{
			ID: sdk.String(ruleAbortMultipart), Status: types.ExpirationStatusEnabled,
			Filter:                         &types.LifecycleRuleFilter{Prefix: sdk.String("")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: sdk.Int32(int32(l.AbortMultipartDays))},
		})
	}
	if l.ArchiveTier != "" {
		rules = append(rules, types.LifecycleRule{
			ID: sdk.String(ruleArchiveMedia), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: sdk.String("media/")},
			Transitions: []types.Transition{{
				Days:         sdk.Int32(int32(archiveDays(l))),
				StorageClass: types.TransitionStorageClass(l.ArchiveTier),
			}},
		})
	}
	return rules
}

// DescribeLifecycle is the media bucket's wanted lifecycle rules, for people:
// the rules the protection step applies, described the way its check does.
func DescribeLifecycle(a *config.Answers) string { return describeRules(WantedLifecycleRules(a)) }

// AccessLogTarget is where the bucket's server access logs go ("bucket/prefix").
func AccessLogTarget(a *config.Answers) string { return LogBucketName(a.Bucket) + "/" + logPrefix }

func archiveDays(l config.Lifecycle) int {
	if l.ArchiveAfterDays > 0 {
		return l.ArchiveAfterDays
	}
	return defaultArchiveDays
}

func logLifecycleRules() []types.LifecycleRule {
	return []types.LifecycleRule{{
		ID: sdk.String(ruleExpireLogs), Status: types.ExpirationStatusEnabled,
		Filter:     &types.LifecycleRuleFilter{Prefix: sdk.String(logPrefix)},
		Expiration: &types.LifecycleExpiration{Days: sdk.Int32(logRetentionDays)},
	}}
}

// liveLifecycle splits a bucket's lifecycle rules into the wizard's and the
// user's own.
func liveLifecycle(ctx context.Context, cl aws.S3API, bucket string) (ours, foreign []types.LifecycleRule, err error) {
	out, err := cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
	if err != nil {
		if aws.IsNotFound(err) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	for _, rule := range out.Rules {
		if strings.HasPrefix(sdk.ToString(rule.ID), lifecycleIDPrefix) {
			ours = append(ours, rule)
		} else {
			foreign = append(foreign, rule)
		}
	}
	return ours, foreign, nil
}

func planLifecycle(ctx context.Context, r *Run, p *Plan, bucket string, want []types.LifecycleRule, what string) error {
	a := r.Answers
	if bucket == a.Bucket {
		if a.Lifecycle.ArchiveTier != "" {
			p.Notice("media/ moves to %s after %d days: %s", a.Lifecycle.ArchiveTier, archiveDays(a.Lifecycle), archiveNote(a.Lifecycle.ArchiveTier))
		}
		if a.Lifecycle.NoncurrentExpireDays > 0 && !a.Versioning {
			p.Notice("noncurrent_expire_days has no effect while versioning is off")
		}
	}
	cl := r.AWS.S3In(a.Region)
	ours, foreign, err := liveLifecycle(ctx, cl, bucket)
	if err != nil {
		return fmt.Errorf("read lifecycle rules of %s: %w", bucket, err)
	}
	if sameRules(ours, want) {
		return nil
	}
	if len(foreign) > 0 {
		p.Notice("%s has %d lifecycle rule(s) of its own: they are kept as they are", bucket, len(foreign))
	}
	if bucket == a.Bucket && a.Lifecycle.UploadsExpireDays > 0 && !r.Owns(BucketCreatedResource) && !hasRule(ours, ruleExpireUploads) {
		n, more, err := countUploads(ctx, cl, bucket)
		if err != nil && (aws.IsNotFound(err) || r.Offline) {
			n, err = 0, nil // not created yet: nothing under uploads/
		}
		if err != nil {
			return fmt.Errorf("count the objects under uploads/ of %s: %w", bucket, err)
		}
		if n > 0 {
			plus := ""
			if more {
				plus = "+"
			}
			p.Warn("%s existed before the wizard and already holds %d%s object(s) under uploads/: the rule expiring uploads/ after %d days will delete them too; move what must stay out of uploads/ first, or set lifecycle.uploads_expire_days: 0", bucket, n, plus, a.Lifecycle.UploadsExpireDays)
		}
	}
	p.Add(lifecycleAction(cl, bucket, append(append([]types.LifecycleRule{}, foreign...), want...), what+": "+describeRules(want)))
	return nil
}

func lifecycleAction(cl aws.S3API, bucket string, rules []types.LifecycleRule, summary string) *Action {
	if len(rules) == 0 {
		return &Action{Summary: "remove the lifecycle rules of " + bucket, Calls: []string{"s3:DeleteBucketLifecycle"},
			Do: func(ctx context.Context) error {
				return retryConflict(ctx, func() error {
					_, err := cl.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: &bucket})
					return err
				})
			}}
	}
	return &Action{Summary: summary, Calls: []string{"s3:PutBucketLifecycleConfiguration"},
		Do: func(ctx context.Context) error { return putLifecycle(ctx, cl, bucket, rules) }}
}

func putLifecycle(ctx context.Context, cl aws.S3API, bucket string, rules []types.LifecycleRule) error {
	return retryConflict(ctx, func() error {
		_, err := cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: &bucket,
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
		return err
	})
}

func archiveNote(tier string) string {
	if tier == "GLACIER_IR" {
		return "Glacier Instant Retrieval reads in milliseconds (links keep working) but bills at least 90 days and 128 KB per object, and retrievals per GB"
	}
	return "Intelligent-Tiering moves each object between access tiers by itself, with no retrieval fee (a small monitoring fee per object over 128 KB)"
}

func describeRules(rules []types.LifecycleRule) string {
	if len(rules) == 0 {
		return "none"
	}
	var parts []string
	for _, n := range normRules(rules) {
		parts = append(parts, n.String())
	}
	return strings.Join(parts, "; ")
}

// normRule is a lifecycle rule reduced to what the wizard sets, so that a
// live rule (as S3 or an emulator renders it) compares with a wanted one.
type normRule struct {
	ID, Status, Prefix  string
	ExpireDays          int32
	ExpiredDeleteMarker bool
	NoncurrentDays      int32
	AbortDays           int32
	Transitions         string
}

func (n normRule) String() string {
	where := n.Prefix
	if where == "" {
		where = "whole bucket"
	}
	var what []string
	if n.ExpireDays > 0 {
		what = append(what, fmt.Sprintf("expire after %d days", n.ExpireDays))
	}
	if n.NoncurrentDays > 0 {
		what = append(what, fmt.Sprintf("old versions expire after %d days", n.NoncurrentDays))
	}
	if n.ExpiredDeleteMarker {
		what = append(what, "remove expired delete markers")
	}
	if n.AbortDays > 0 {
		what = append(what, fmt.Sprintf("abort incomplete multipart uploads after %d days", n.AbortDays))
	}
	if n.Transitions != "" {
		what = append(what, "move to "+n.Transitions)
	}
	return where + ": " + strings.Join(what, ", ")
}

func normRules(rules []types.LifecycleRule) []normRule {
	out := make([]normRule, 0, len(rules))
	for _, r := range rules {
		n := normRule{ID: sdk.ToString(r.ID), Status: string(r.Status)}
		switch {
		case r.Filter != nil && r.Filter.Prefix != nil:
			n.Prefix = *r.Filter.Prefix
		case r.Filter != nil && r.Filter.And != nil:
			n.Prefix = sdk.ToString(r.Filter.And.Prefix) + " (+tags/sizes)"
		case legacyPrefix(r) != nil:
			n.Prefix = *legacyPrefix(r)
		}
		if e := r.Expiration; e != nil {
			n.ExpireDays = sdk.ToInt32(e.Days)
			n.ExpiredDeleteMarker = sdk.ToBool(e.ExpiredObjectDeleteMarker)
		}
		if r.NoncurrentVersionExpiration != nil {
			n.NoncurrentDays = sdk.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays)
		}
		if r.AbortIncompleteMultipartUpload != nil {
			n.AbortDays = sdk.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation)
		}
		var ts []string
		for _, t := range r.Transitions {
			ts = append(ts, fmt.Sprintf("%s after %d days", t.StorageClass, sdk.ToInt32(t.Days)))
		}
		n.Transitions = strings.Join(ts, ", ")
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sameRules(live, want []types.LifecycleRule) bool {
	return reflect.DeepEqual(normRules(live), normRules(want))
}

// ---- server access logs ---------------------------------------------------

// chainStep is one link of an ordered chain run by a single action.
type chainStep struct {
	summary string
	calls   []string
	do      func(ctx context.Context) error
	// after: the calls this link waits for when it runs as an action of its
	// own (action); a chain run by chainAction is in order anyway.
	after []string
}

// action makes the link an action of its own, which waits only for the
// calls in after; S3's OperationAborted, answered while another setting of
// the same bucket changes, is retried.
func (c chainStep) action(prefix string) *Action {
	return &Action{Summary: prefix + c.summary, Calls: c.calls, After: c.after,
		Do: func(ctx context.Context) error { return retryConflict(ctx, func() error { return c.do(ctx) }) }}
}

// chainAction runs chain as one action, in order (each step may need the one
// before), while the plan's other actions may run concurrently with it.
func chainAction(prefix string, chain []chainStep) *Action {
	var summaries, calls []string
	for _, c := range chain {
		summaries = append(summaries, c.summary)
		calls = append(calls, c.calls...)
	}
	return &Action{Summary: prefix + strings.Join(summaries, ", then "), Calls: calls,
		Do: func(ctx context.Context) error {
			for _, c := range chain {
				if err := c.do(ctx); err != nil {
					return fmt.Errorf("%s: %w", c.summary, err)
				}
			}
			return nil
		}}
}

func planAccessLogs(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	logBucket := LogBucketName(a.Bucket)
	// The log bucket's own reads go out with this one.
	var logReads *logBucketReads
	if a.AccessLogs {
		logReads = readLogBucket(ctx, cl, logBucket, false)
	}
	live, err := cl.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: &a.Bucket})
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read access-log settings of %s: %w", a.Bucket, err)
	}
	var liveTarget, livePrefix string
	if err == nil && live.LoggingEnabled != nil {
		liveTarget, livePrefix = sdk.ToString(live.LoggingEnabled.TargetBucket), sdk.ToString(live.LoggingEnabled.TargetPrefix)
	}

	if !a.AccessLogs {
		if liveTarget == logBucket {
			bucket := a.Bucket
			p.Notice("access_logs: false: logging of %s stops; the log bucket %s and the logs already in it are kept (its lifecycle rule expires them)", bucket, logBucket)
			p.Add(&Action{Summary: "turn off server access logging of " + bucket, Calls: []string{"s3:PutBucketLogging"},
				Do: func(ctx context.Context) error {
					return retryConflict(ctx, func() error {
						_, err := cl.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: &bucket, BucketLoggingStatus: &types.BucketLoggingStatus{}})
						return err
					})
				}})
		}
		return nil
	}
	// The log bucket's name was checked with the answers (config.Validate),
	// before any AWS call.
	p.Notice("server access logs go to %s/%s (same region, SSE-S3, logs expire after %d days); %s", logBucket, logPrefix, logRetentionDays, logBucketPolicyNote)
	if liveTarget != "" && liveTarget != logBucket {
		p.Warn("%s already logs to %s/%s: the wizard points it at %s/%s instead", a.Bucket, liveTarget, livePrefix, logBucket, logPrefix)
	}

	chain, err := planLogBucket(ctx, r, p, logBucket, logReads)
	if err != nil {
		return err
	}
	if liveTarget != logBucket || livePrefix != logPrefix {
		bucket := a.Bucket
		chain = append(chain, chainStep{
			summary: fmt.Sprintf("server access logging of %s into %s/%s", bucket, logBucket, logPrefix),
			calls:   []string{"s3:PutBucketLogging"},
			after:   []string{"s3:CreateBucket", "s3:PutBucketPolicy"},
			do: func(ctx context.Context) error {
				return retryConflict(ctx, func() error {
					_, err := cl.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: &bucket,
						BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{
							TargetBucket: sdk.String(logBucket), TargetPrefix: sdk.String(logPrefix)}}})
					return err
				})
			}})
	}
	// Each link is an action of its own: once the log bucket exists its
	// settings go out together, and logging waits for the policy that lets
	// the logging service write (S3 refuses PutBucketLogging before it).
	for _, c := range chain {
		p.Add(c.action("access logs: "))
	}
	return nil
}

// planLogBucket returns the ordered changes the log bucket needs.
// logBucketReads are the log bucket's reads, sent together; each is used
// only when the bucket exists.
type logBucketReads struct {
	head      func() (bucketState, error)
	region    func() (string, error)
	ownership func() (*s3.GetBucketOwnershipControlsOutput, error)
	pab       func() (*s3.GetPublicAccessBlockOutput, error)
	enc       func() (*types.ServerSideEncryptionRule, error)
	lifecycle func() (lifecycleRules, error)
	policy    func() (*s3.GetBucketPolicyOutput, error)
}

type lifecycleRules struct{ ours, foreign []types.LifecycleRule }

// readLogBucket sends the log bucket's reads; with exists, the bucket is
// known to exist and is not looked up.
func readLogBucket(ctx context.Context, cl aws.S3API, logBucket string, exists bool) *logBucketReads {
	live := &logBucketReads{
		ownership: async(func() (*s3.GetBucketOwnershipControlsOutput, error) {
			return cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &logBucket})
		}),
		pab: async(func() (*s3.GetPublicAccessBlockOutput, error) {
			return cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &logBucket})
		}),
		enc: async(func() (*types.ServerSideEncryptionRule, error) { return liveEncryption(ctx, cl, logBucket) }),
		lifecycle: async(func() (lifecycleRules, error) {
			ours, foreign, err := liveLifecycle(ctx, cl, logBucket)
			return lifecycleRules{ours, foreign}, err
		}),
		policy: async(func() (*s3.GetBucketPolicyOutput, error) {
			return cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &logBucket})
		}),
	}
	if !exists {
		live.head = async(func() (bucketState, error) { return headBucket(ctx, cl, logBucket) })
		live.region = async(func() (string, error) { return bucketRegion(ctx, cl, logBucket) })
	}
	return live
}

func planLogBucket(ctx context.Context, r *Run, p *Plan, logBucket string, live *logBucketReads) ([]chainStep, error) {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	st, err := live.head()
	if err != nil && !r.Offline {
		return nil, fmt.Errorf("check log bucket %s: %w", logBucket, err)
	}
	var chain []chainStep
	afterLogBucket := []string{"s3:CreateBucket"} // its settings wait for it
	exists := false
	switch st {
	case bucketTaken:
		return nil, fmt.Errorf("the log bucket name %s belongs to another AWS account (bucket names are global): choose another bucket name, or set access_logs: false", logBucket)
	case bucketOurs:
		reg, err := live.region()
		if err != nil {
			return nil, fmt.Errorf("read region of log bucket %s: %w", logBucket, err)
		}
		if reg != a.Region {
			return nil, fmt.Errorf("the log bucket %s is in %s, but server access logs must go to a bucket in the same region as %s (%s): delete or rename it, or set access_logs: false", logBucket, reg, a.Bucket, a.Region)
		}
		if r.Owns(LogBucketCreatedResource) {
			claimCreated(r, p, LogBucketCreatedResource, "log bucket "+logBucket)
		} else {
			p.Notice("log bucket %s already exists in %s: adopting it", logBucket, reg)
		}
		exists = true
	default:
		chain = append(chain, chainStep{summary: fmt.Sprintf("create log bucket %s in %s (ACLs disabled)", logBucket, a.Region), calls: []string{"s3:CreateBucket"},
			do: func(ctx context.Context) error {
				// destroy deletes only what the wizard created: the intent
				// is saved before CreateBucket (see createOwned).
				err := createOwned(r, LogBucketCreatedResource, func() (bool, error) {
					return createBucket(ctx, cl, logBucket, a.Region)
				})
				if err != nil {
					return err
				}
				r.State.SetResource("log_bucket", logBucket)
				return nil
			}})
	}

	// Ownership (a created bucket has it from CreateBucket).
	if exists {
		p.SetResource("log_bucket", logBucket)
		own, err := live.ownership()
		if err != nil && !aws.IsNotFound(err) {
			return nil, fmt.Errorf("read object ownership of %s: %w", logBucket, err)
		}
		if !ownerEnforced(own) {
			chain = append(chain, chainStep{after: afterLogBucket, summary: "ACLs disabled on " + logBucket, calls: []string{"s3:PutBucketOwnershipControls"},
				do: func(ctx context.Context) error {
					_, err := cl.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: &logBucket,
						OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
					return err
				}})
		}
	}

	// Block Public Access: all four on; logs are never public.
	pabOK := false
	if exists {
		pab, err := live.pab()
		if err != nil && !aws.IsNotFound(err) {
			return nil, fmt.Errorf("read Block Public Access of %s: %w", logBucket, err)
		}
		pabOK = err == nil && pab.PublicAccessBlockConfiguration != nil && samePAB(*pab.PublicAccessBlockConfiguration, WantedPublicAccessBlock(false))
	}
	if !pabOK {
		chain = append(chain, chainStep{after: afterLogBucket, summary: "Block Public Access all ON on " + logBucket, calls: []string{"s3:PutPublicAccessBlock"},
			do: func(ctx context.Context) error {
				want := WantedPublicAccessBlock(false)
				_, err := cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &logBucket, PublicAccessBlockConfiguration: &want})
				return err
			}})
	}

	// SSE-S3 only: S3 cannot deliver server access logs to an SSE-KMS bucket.
	encOK := false
	if exists {
		enc, err := live.enc()
		if err != nil {
			return nil, fmt.Errorf("read default encryption of %s: %w", logBucket, err)
		}
		encOK = sameEncryption(enc, sseS3Rule(), "")
		if !encOK && enc != nil && enc.ApplyServerSideEncryptionByDefault != nil && enc.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
			p.Warn("log bucket %s uses %s: server access logs cannot be delivered to an SSE-KMS bucket; the wizard switches it to SSE-S3", logBucket, enc.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
		}
	}
	if !encOK {
		chain = append(chain, chainStep{after: afterLogBucket, summary: "SSE-S3 on " + logBucket, calls: []string{"s3:PutBucketEncryption"},
			do: func(ctx context.Context) error {
				_, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &logBucket,
					ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{sseS3Rule()}}})
				return err
			}})
	}

	// Old logs expire.
	wantRules := logLifecycleRules()
	var foreign []types.LifecycleRule
	lcOK := false
	if exists {
		lc, err := live.lifecycle()
		if err != nil {
			return nil, fmt.Errorf("read lifecycle rules of %s: %w", logBucket, err)
		}
		foreign, lcOK = lc.foreign, sameRules(lc.ours, wantRules)
	}
	if !lcOK {
		rules := append(append([]types.LifecycleRule{}, foreign...), wantRules...)
		chain = append(chain, chainStep{after: afterLogBucket, summary: fmt.Sprintf("expire logs in %s after %d days", logBucket, logRetentionDays), calls: []string{"s3:PutBucketLifecycleConfiguration"},
			do: func(ctx context.Context) error { return putLifecycle(ctx, cl, logBucket, rules) }})
	}

	// The policy that lets the logging service write: it must be in place
	// before PutBucketLogging, which S3 refuses otherwise.
	// An adopted log bucket keeps the statements that are not the wizard's.
	want := LogBucketPolicy(r)
	var livePol string
	if exists {
		out, err := live.policy()
		if err != nil && !aws.IsNotFound(err) {
			return nil, fmt.Errorf("read bucket policy of %s: %w", logBucket, err)
		}
		if err == nil {
			livePol = sdk.ToString(out.Policy)
		}
	}
	merged, err := policy.MergeBySid(livePol, &want)
	if err != nil {
		return nil, fmt.Errorf("bucket policy of %s: %w", logBucket, err)
	}
	if len(merged.Foreign) > 0 {
		p.Notice("the bucket policy of %s has %d statement(s) that are not the wizard's (%s): kept as they are", logBucket, len(merged.Foreign), policy.DescribeSids(merged.Foreign))
	}
	doc := merged.JSON
	if err := checkPolicy(ctx, r, p, policy.BucketResource, "bucket policy of "+logBucket, doc, logBucket); err != nil {
		return nil, err
	}
	if livePol == "" || !policy.Equal(livePol, doc) {
		chain = append(chain, chainStep{after: afterLogBucket, summary: "bucket policy of " + logBucket + " allowing logging.s3.amazonaws.com", calls: []string{"s3:PutBucketPolicy"},
			do: func(ctx context.Context) error {
				_, err := putBucketPolicy(ctx, cl, &s3.PutBucketPolicyInput{Bucket: &logBucket, Policy: sdk.String(doc)})
				return err
			}})
	}
	return chain, nil
}

// LogBucketPolicy is the wanted policy of the log bucket. The deny of
// non-TLS requests is left out on an endpoint without TLS, where it would
// lock every client out.
func LogBucketPolicy(r *Run) policy.Document {
	return policy.LogDelivery(LogBucketName(r.Answers.Bucket), r.Answers.Bucket, r.AccountID(), r.AWS.TLS())
}

// retryConflict retries S3's OperationAborted ("a conflicting conditional
// operation is currently in progress"), which S3 may answer when several
// settings of one bucket change at once, as they do here and in the other
// steps running alongside.
func retryConflict(ctx context.Context, fn func() error) error {
	return retryWhile(ctx, conflictRetryBudget, isConflict, fn)
}

// isConflict reports S3's OperationAborted (409).
func isConflict(err error) bool { return aws.Code(err) == "OperationAborted" }

// ---- verification ---------------------------------------------------------

func verifyProtection(ctx context.Context, r *Run) []Check {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	var checks []Check
	// Every setting is read at once; the checks below take the answers.
	encryption := async(func() (*types.ServerSideEncryptionRule, error) { return liveEncryption(ctx, cl, a.Bucket) })
	versioning := async(func() (*s3.GetBucketVersioningOutput, error) {
		return cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &a.Bucket})
	})
	lifecycle := async(func() (lifecycleRules, error) {
		ours, foreign, err := liveLifecycle(ctx, cl, a.Bucket)
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

	name := "default encryption " + a.Encryption
	if live, err := encryption(); err != nil {
		checks = append(checks, Fail(CheckEncryption, name, aws.Explain(err).Error()))
	} else if !sameEncryption(live, WantedEncryption(a), kmsKeyARN(r)) {
		checks = append(checks, Fail(CheckEncryption, name, "the bucket's default encryption differs from the wanted one: run apply"))
	} else {
		checks = append(checks, Pass(CheckEncryption, name, DescribeEncryption(a)))
	}

	if a.Versioning {
		out, err := versioning()
		switch {
		case err != nil:
			checks = append(checks, Fail(CheckVersioning, "versioning enabled", aws.Explain(err).Error()))
		case out.Status != types.BucketVersioningStatusEnabled:
			checks = append(checks, Fail(CheckVersioning, "versioning enabled", fmt.Sprintf("versioning is %q", out.Status)))
		default:
			checks = append(checks, Pass(CheckVersioning, "versioning enabled", string(out.Status)))
		}
	}

	want := WantedLifecycleRules(a)
	if lc, err := lifecycle(); err != nil {
		checks = append(checks, Fail(CheckLifecycle, "lifecycle rules", aws.Explain(err).Error()))
	} else if !sameRules(lc.ours, want) {
		checks = append(checks, Fail(CheckLifecycle, "lifecycle rules", "live: "+describeRules(lc.ours)+"; wanted: "+describeRules(want)))
	} else {
		checks = append(checks, Pass(CheckLifecycle, "lifecycle rules", describeRules(want)))
	}

	if !a.AccessLogs {
		return checks
	}
	out, err := logging()
	switch {
	case err != nil:
		checks = append(checks, Fail(CheckAccessLogging, "server access logging", aws.Explain(err).Error()))
	case out.LoggingEnabled == nil:
		checks = append(checks, Fail(CheckAccessLogging, "server access logging", "logging is off"))
	case sdk.ToString(out.LoggingEnabled.TargetBucket) != logBucket || sdk.ToString(out.LoggingEnabled.TargetPrefix) != logPrefix:
		checks = append(checks, Fail(CheckAccessLogging, "server access logging", fmt.Sprintf("logs go to %s/%s, not %s/%s", sdk.ToString(out.LoggingEnabled.TargetBucket), sdk.ToString(out.LoggingEnabled.TargetPrefix), logBucket, logPrefix)))
	default:
		checks = append(checks, Pass(CheckAccessLogging, "server access logging", logBucket+"/"+logPrefix))
	}
	logChecks, _ := logBucketChecks()
	return append(checks, logChecks...)
}

func verifyLogBucket(ctx context.Context, r *Run, cl aws.S3API, logBucket string) []Check {
	var checks []Check
	check := func(id CheckID, name string, ok bool, err error, detail string) {
		switch {
		case err != nil:
			checks = append(checks, Fail(id, name, aws.Explain(err).Error()))
		case !ok:
			checks = append(checks, Fail(id, name, detail))
		default:
			checks = append(checks, Pass(id, name, ""))
		}
	}
	live := readLogBucket(ctx, cl, logBucket, true)
	own, err := live.ownership()
	check(CheckLogBucketACLs, "log bucket: ACLs disabled", err == nil && ownerEnforced(own), err, "object ownership is not BucketOwnerEnforced")
	pab, err := live.pab()
	check(CheckLogBucketPAB, "log bucket: Block Public Access all ON", err == nil && pab.PublicAccessBlockConfiguration != nil && samePAB(*pab.PublicAccessBlockConfiguration, WantedPublicAccessBlock(false)), err, "not all four switches are on")
	enc, err := live.enc()
	check(CheckLogBucketEncryption, "log bucket: SSE-S3", sameEncryption(enc, sseS3Rule(), ""), err, "default encryption is not SSE-S3")
	lc, err := live.lifecycle()
	check(CheckLogBucketLifecycle, "log bucket: old logs expire", sameRules(lc.ours, logLifecycleRules()), err, "live: "+describeRules(lc.ours))
	pol, err := live.policy()
	polOK := false
	if err == nil {
		want := LogBucketPolicy(r)
		merged, merr := policy.MergeBySid(sdk.ToString(pol.Policy), &want)
		polOK = merr == nil && policy.Equal(sdk.ToString(pol.Policy), merged.JSON)
	}
	check(CheckLogBucketPolicy, "log bucket: policy allows the logging service", polOK, err, "the live policy differs from the wanted one: run apply")
	return checks
}

// legacyPrefix is the top-level Prefix that rules made by older tools still
// carry (deprecated in the API, but it is what such a rule filters on).
func legacyPrefix(r types.LifecycleRule) *string {
	//lint:ignore SA1019 reading rules written by older tools
	return r.Prefix
}

func hasRule(rules []types.LifecycleRule, id string) bool {
	for _, r := range rules {
		if sdk.ToString(r.ID) == id {
			return true
		}
	}
	return false
}

// uploadsCountLimit bounds the count of objects under uploads/ (a warning
// needs an order of magnitude, not a full listing of a huge bucket).
const uploadsCountLimit = 10000

// countUploads counts the objects under uploads/ other than the folder
// marker and probes; more means the count stopped at uploadsCountLimit.
func countUploads(ctx context.Context, cl aws.S3API, bucket string) (n int, more bool, err error) {
	pg := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: sdk.String("uploads/")})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return 0, false, err
		}
		for _, o := range page.Contents {
			if k := sdk.ToString(o.Key); k != "uploads/" && !isProbeKey("uploads/", k) {
				n++
			}
		}
		if n >= uploadsCountLimit {
			return n, true, nil
		}
	}
	return n, false, nil
}
