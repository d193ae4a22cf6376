package steps

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
)

const (
	logPrefix           = "logs/"
	logRetentionDays    = 90
	logBucketSuffix     = config.LogBucketSuffix
	logBucketPolicyNote = "the log bucket's policy lets only logging.s3.amazonaws.com write under logs/, for this bucket and account (aws:SourceArn, aws:SourceAccount): ACL grants to the log-delivery group are impossible with ACLs disabled"
)

// LogBucketName is the access-log bucket of a media bucket.
func LogBucketName(bucket string) string { return config.LogBucketName(bucket) }

// logAction makes a change of the access logs an action of its own, which
// waits only for the calls in its After: once the log bucket exists its
// settings go out together. S3's OperationAborted, answered while another
// setting of the same bucket changes, is retried.
func logAction(a *Action) *Action {
	do := a.Do
	a.Summary = "access logs: " + a.Summary
	a.Do = func(ctx context.Context) error { return do(conflict.In(ctx)) }
	return a
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
					_, err := cl.PutBucketLogging(conflict.In(ctx), &s3.PutBucketLoggingInput{Bucket: &bucket, BucketLoggingStatus: &types.BucketLoggingStatus{}})
					return err
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

	changes, err := planLogBucket(ctx, r, p, logBucket, logReads)
	if err != nil {
		return err
	}
	if liveTarget != logBucket || livePrefix != logPrefix {
		bucket := a.Bucket
		changes = append(changes, &Action{
			Summary: fmt.Sprintf("server access logging of %s into %s/%s", bucket, logBucket, logPrefix),
			Calls:   []string{"s3:PutBucketLogging"},
			After:   []string{"s3:CreateBucket", "s3:PutBucketPolicy"},
			Do: func(ctx context.Context) error {
				_, err := cl.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: &bucket,
					BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{
						TargetBucket: sdk.String(logBucket), TargetPrefix: sdk.String(logPrefix)}}})
				return err
			}})
	}
	// Logging waits for the policy that lets the logging service write (S3
	// refuses PutBucketLogging before it).
	for _, a := range changes {
		p.Add(logAction(a))
	}
	return nil
}

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
			ours, foreign, err := LiveLifecycle(ctx, cl, logBucket)
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

// planLogBucket returns the changes the log bucket needs; each waits for the calls in its After.
func planLogBucket(ctx context.Context, r *Run, p *Plan, logBucket string, live *logBucketReads) ([]*Action, error) {
	st, err := live.head()
	if err != nil && !r.Offline {
		return nil, fmt.Errorf("check log bucket %s: %w", logBucket, err)
	}
	var changes []*Action
	switch st {
	case bucketTaken:
		return nil, fmt.Errorf("the log bucket name %s belongs to another AWS account (bucket names are global): choose another bucket name, or set access_logs: false", logBucket)
	case bucketOurs:
		if err := checkLiveLogBucket(ctx, r, p, logBucket, live); err != nil {
			return nil, err
		}
		p.SetResource(LogBucketResource, logBucket)
	default:
		changes = append(changes, createLogBucketAction(r, logBucket))
		live = nil // a bucket to create: every setting is put
	}
	afterLogBucket := []string{"s3:CreateBucket"} // its settings wait for it
	for _, setting := range []logBucketSetting{logOwnershipAction, logPABAction, logEncryptionAction, logLifecycleAction, logPolicyAction} {
		act, err := setting(ctx, r, p, logBucket, live)
		if err != nil {
			return nil, err
		}
		if act != nil {
			act.After = afterLogBucket
			changes = append(changes, act)
		}
	}
	return changes, nil
}

// checkLiveLogBucket refuses an existing log bucket that cannot take this
// bucket's logs: in another region, or another project's.
func checkLiveLogBucket(ctx context.Context, r *Run, p *Plan, logBucket string, live *logBucketReads) error {
	a := r.Answers
	reg, err := live.region()
	if err != nil {
		return fmt.Errorf("read region of log bucket %s: %w", logBucket, err)
	}
	if reg != a.Region {
		return fmt.Errorf("the log bucket %s is in %s, but server access logs must go to a bucket in the same region as %s (%s): delete or rename it, or set access_logs: false", logBucket, reg, a.Bucket, a.Region)
	}
	return planBucketOwner(ctx, r, p, r.AWS.S3In(a.Region), logBucket, "log bucket")
}

// createLogBucketAction creates the log bucket (ACLs disabled from the
// start) and records it.
func createLogBucketAction(r *Run, logBucket string) *Action {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	return &Action{Summary: fmt.Sprintf("create log bucket %s in %s (ACLs disabled)", logBucket, a.Region), Calls: []string{"s3:CreateBucket"},
		Do: func(ctx context.Context) error {
			// destroy deletes only what the wizard created: the intent
			// is saved before CreateBucket (see createOwned).
			if err := createOwnedBucket(ctx, r, cl, logBucket); err != nil {
				return err
			}
			r.State.SetResource(LogBucketResource, logBucket)
			return nil
		}}
}

// logBucketSetting plans one setting of the log bucket: the action that
// puts it, nil when the live bucket has it. live is nil for a bucket the
// plan creates.
type logBucketSetting func(ctx context.Context, r *Run, p *Plan, logBucket string, live *logBucketReads) (*Action, error)

// logOwnershipAction disables ACLs (a created bucket has it from
// CreateBucket).
func logOwnershipAction(_ context.Context, r *Run, _ *Plan, logBucket string, live *logBucketReads) (*Action, error) {
	if live == nil {
		return nil, nil
	}
	own, err := live.ownership()
	if err != nil && !aws.IsNotFound(err) {
		return nil, fmt.Errorf("read object ownership of %s: %w", logBucket, err)
	}
	if ownerEnforced(own) {
		return nil, nil
	}
	cl := r.AWS.S3In(r.Answers.Region)
	return &Action{Summary: "ACLs disabled on " + logBucket, Calls: []string{"s3:PutBucketOwnershipControls"},
		Do: func(ctx context.Context) error {
			_, err := cl.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: &logBucket,
				OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
			return err
		}}, nil
}

// logPABAction sets Block Public Access all four on: logs are never public.
func logPABAction(_ context.Context, r *Run, _ *Plan, logBucket string, live *logBucketReads) (*Action, error) {
	if live != nil {
		pab, err := live.pab()
		if err != nil && !aws.IsNotFound(err) {
			return nil, fmt.Errorf("read Block Public Access of %s: %w", logBucket, err)
		}
		if err == nil && pab.PublicAccessBlockConfiguration != nil && samePAB(*pab.PublicAccessBlockConfiguration, WantedPublicAccessBlock(false)) {
			return nil, nil
		}
	}
	cl := r.AWS.S3In(r.Answers.Region)
	return &Action{Summary: "Block Public Access all ON on " + logBucket, Calls: []string{"s3:PutPublicAccessBlock"},
		Do: func(ctx context.Context) error {
			want := WantedPublicAccessBlock(false)
			_, err := cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &logBucket, PublicAccessBlockConfiguration: &want})
			return err
		}}, nil
}

// logEncryptionAction sets SSE-S3 only: S3 cannot deliver server access
// logs to an SSE-KMS bucket.
func logEncryptionAction(_ context.Context, r *Run, p *Plan, logBucket string, live *logBucketReads) (*Action, error) {
	if live != nil {
		enc, err := live.enc()
		if err != nil {
			return nil, fmt.Errorf("read default encryption of %s: %w", logBucket, err)
		}
		if sameEncryption(enc, sseS3Rule(), "") {
			return nil, nil
		}
		if enc != nil && enc.ApplyServerSideEncryptionByDefault != nil && enc.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
			p.Warn("log bucket %s uses %s: server access logs cannot be delivered to an SSE-KMS bucket; the wizard switches it to SSE-S3", logBucket, enc.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
		}
	}
	cl := r.AWS.S3In(r.Answers.Region)
	return &Action{Summary: "SSE-S3 on " + logBucket, Calls: []string{"s3:PutBucketEncryption"},
		Do: func(ctx context.Context) error {
			_, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &logBucket,
				ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{sseS3Rule()}}})
			return err
		}}, nil
}

// logLifecycleAction makes old logs expire; the bucket's other lifecycle
// rules are kept.
func logLifecycleAction(_ context.Context, r *Run, _ *Plan, logBucket string, live *logBucketReads) (*Action, error) {
	wantRules := logLifecycleRules()
	var foreign []types.LifecycleRule
	if live != nil {
		lc, err := live.lifecycle()
		if err != nil {
			return nil, fmt.Errorf("read lifecycle rules of %s: %w", logBucket, err)
		}
		if sameRules(lc.ours, wantRules) {
			return nil, nil
		}
		foreign = lc.foreign
	}
	cl := r.AWS.S3In(r.Answers.Region)
	rules := append(append([]types.LifecycleRule{}, foreign...), wantRules...)
	return &Action{Summary: fmt.Sprintf("expire logs in %s after %d days", logBucket, logRetentionDays), Calls: []string{"s3:PutBucketLifecycleConfiguration"},
		Do: func(ctx context.Context) error { return putLifecycle(ctx, cl, logBucket, rules) }}, nil
}

// logPolicyAction puts the policy that lets the logging service write: it
// must be in place before PutBucketLogging, which S3 refuses otherwise.
// An adopted log bucket keeps the statements that are not the wizard's.
func logPolicyAction(ctx context.Context, r *Run, p *Plan, logBucket string, live *logBucketReads) (*Action, error) {
	want := LogBucketPolicy(r)
	var livePol string
	if live != nil {
		out, err := live.policy()
		if err != nil && !aws.IsNotFound(err) {
			return nil, fmt.Errorf("read bucket policy of %s: %w", logBucket, err)
		}
		if err == nil {
			livePol = sdk.ToString(out.Policy)
		}
	}
	merged, err := policy.MergeBySid(livePol, &want, r.Owns(state.KindBucket, logBucket))
	if err != nil {
		return nil, fmt.Errorf("bucket policy of %s: %w", logBucket, err)
	}
	if len(merged.Foreign) > 0 {
		p.Notice("the bucket policy of %s has %d statement(s) that are not the wizard's (%s): kept as they are", logBucket, len(merged.Foreign), policy.DescribeSids(merged.Foreign))
		legacySidsWarning(p, logBucket, merged)
	}
	doc := merged.JSON
	if err := checkPolicy(ctx, r, p, policy.BucketResource, "bucket policy of "+logBucket, doc, logBucket); err != nil {
		return nil, err
	}
	if livePol != "" && policy.Equal(livePol, doc) {
		return nil, nil
	}
	cl := r.AWS.S3In(r.Answers.Region)
	return &Action{Summary: "bucket policy of " + logBucket + " allowing logging.s3.amazonaws.com", Calls: []string{"s3:PutBucketPolicy"},
		Do: func(ctx context.Context) error {
			_, err := SendBucketPolicy(ctx, cl, &s3.PutBucketPolicyInput{Bucket: &logBucket, Policy: sdk.String(doc)})
			return err
		}}, nil
}

// LogBucketPolicy is the wanted policy of the log bucket. The deny of
// non-TLS requests is left out on an endpoint without TLS, where it would
// lock every client out.
func LogBucketPolicy(r *Run) policy.Document {
	return policy.LogDelivery(LogBucketName(r.Answers.Bucket), r.Answers.Bucket, r.AccountID(), r.AWS.TLS())
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
	check(checkLogBucketACLs, "log bucket: ACLs disabled", err == nil && ownerEnforced(own), err, "object ownership is not BucketOwnerEnforced")
	pab, err := live.pab()
	check(checkLogBucketPAB, "log bucket: Block Public Access all ON", err == nil && pab.PublicAccessBlockConfiguration != nil && samePAB(*pab.PublicAccessBlockConfiguration, WantedPublicAccessBlock(false)), err, "not all four switches are on")
	enc, err := live.enc()
	check(checkLogBucketEncryption, "log bucket: SSE-S3", sameEncryption(enc, sseS3Rule(), ""), err, "default encryption is not SSE-S3")
	lc, err := live.lifecycle()
	check(checkLogBucketLifecycle, "log bucket: old logs expire", sameRules(lc.ours, logLifecycleRules()), err, "live: "+describeRules(lc.ours))
	pol, err := live.policy()
	polOK := false
	if err == nil {
		want := LogBucketPolicy(r)
		merged, merr := policy.MergeBySid(sdk.ToString(pol.Policy), &want, r.Owns(state.KindBucket, LogBucketName(r.Answers.Bucket)))
		polOK = merr == nil && policy.Equal(sdk.ToString(pol.Policy), merged.JSON)
	}
	check(checkLogBucketPolicy, "log bucket: policy allows the logging service", polOK, err, "the live policy differs from the wanted one: run apply")
	return checks
}
