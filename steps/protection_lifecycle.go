package steps

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// Lifecycle rule IDs the wizard owns. Rules with other IDs belong to the
// user and are kept as they are when the wizard rewrites the configuration
// (PutBucketLifecycleConfiguration replaces the whole list).
const (
	lifecycleIDPrefix  = "s3wizard-"
	ruleExpireUploads  = "s3wizard-expire-uploads"
	ruleNoncurrent     = "s3wizard-noncurrent-versions"
	ruleAbortMultipart = "s3wizard-abort-multipart"
	ruleArchiveMedia   = "s3wizard-archive-media"
	ruleExpireLogs     = "s3wizard-expire-logs"
	defaultArchiveDays = 30
)

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

// LiveLifecycle splits a bucket's lifecycle rules into the wizard's and the
// user's own.
func LiveLifecycle(ctx context.Context, cl aws.S3API, bucket string) (ours, foreign []types.LifecycleRule, err error) {
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
		lifecycleNotices(a, p)
	}
	cl := r.AWS.S3In(a.Region)
	provider := compatible(a) && bucket == a.Bucket
	if provider {
		var refused bool
		if want, refused = providerLifecycleRules(r, p, want); refused {
			return nil
		}
	}
	ours, foreign, err := LiveLifecycle(ctx, cl, bucket)
	if provider && r.planRefusal(p, err, refusedLifecycle, "lifecycle rules") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read lifecycle rules of %s: %w", bucket, err)
	}
	if sameRules(ours, want) {
		return nil
	}
	if len(foreign) > 0 {
		p.Notice("%s has %d lifecycle rule(s) of its own: they are kept as they are", bucket, len(foreign))
	}
	if bucket == a.Bucket {
		if err := warnExistingUploads(ctx, r, p, ours); err != nil {
			return err
		}
	}
	act := lifecycleAction(cl, bucket, append(slices.Clone(foreign), want...), what+": "+describeRules(want))
	if provider {
		act.Do = func(ctx context.Context) error { return r.putProviderLifecycle(ctx, cl, bucket, foreign, want) }
	}
	p.Add(act)
	return nil
}

// lifecycleNotices says what the media bucket's lifecycle answers mean.
func lifecycleNotices(a *config.Answers, p *Plan) {
	if a.Lifecycle.ArchiveTier != "" {
		p.Notice("media/ moves to %s after %d days: %s", a.Lifecycle.ArchiveTier, archiveDays(a.Lifecycle), archiveNote(a.Lifecycle.ArchiveTier))
	}
	if a.Lifecycle.NoncurrentExpireDays > 0 && !a.Versioning {
		p.Notice("noncurrent_expire_days has no effect while versioning is off")
	}
}

// providerLifecycleRules are the wanted rules an S3-compatible provider
// takes (the others noted as skipped); refused when it refuses lifecycle
// rules altogether.
func providerLifecycleRules(r *Run, p *Plan, want []types.LifecycleRule) (rules []types.LifecycleRule, refused bool) {
	if reason := r.refusal(refusedLifecycle); reason != "" {
		p.Notice("%s", skippedLine("lifecycle rules", reason))
		return nil, true
	}
	rules, skipped := r.providerRules(want)
	for _, line := range skipped {
		p.Notice("%s", line)
	}
	return rules, false
}

// warnExistingUploads warns, when the media bucket's rule expiring
// uploads/ is new (not in ours, the live rules) and the wizard did not
// create the bucket, that it will delete what the bucket already holds
// there.
func warnExistingUploads(ctx context.Context, r *Run, p *Plan, ours []types.LifecycleRule) error {
	a := r.Answers
	bucket := a.Bucket
	if a.Lifecycle.UploadsExpireDays <= 0 || r.Owns(state.KindBucket, bucket) || hasRule(ours, ruleExpireUploads) {
		return nil
	}
	n, more, err := countUploads(ctx, r.AWS.S3In(a.Region), bucket)
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
	return nil
}

// providerRules are the wanted rules less those the provider refused
// before, and a skipped line for each of those.
func (r *Run) providerRules(want []types.LifecycleRule) (kept []types.LifecycleRule, skipped []string) {
	for _, rule := range want {
		if reason := r.refusal(refusedRule(rule)); reason != "" {
			skipped = append(skipped, skippedLine(ruleLabel(rule), reason))
			continue
		}
		kept = append(kept, rule)
	}
	return kept, skipped
}

func refusedRule(rule types.LifecycleRule) string {
	return refusedLifecycle + ":" + sdk.ToString(rule.ID)
}

func ruleLabel(rule types.LifecycleRule) string {
	return "lifecycle rule " + sdk.ToString(rule.ID) + " (" + describeRules([]types.LifecycleRule{rule}) + ")"
}

// putProviderLifecycle puts the bucket's own rules and the wanted ones on
// an S3-compatible provider. One that refuses the configuration (a rule
// whose action or storage class it does not implement: MinIO refuses
// AbortIncompleteMultipartUpload and the AWS storage classes) is asked
// rule by rule, each with the bucket's own rules; the rules it refuses are
// recorded and skipped in one line each, and the others are put.
func (r *Run) putProviderLifecycle(ctx context.Context, cl aws.S3API, bucket string, foreign, want []types.LifecycleRule) error {
	err := putLifecycle(ctx, cl, bucket, append(slices.Clone(foreign), want...))
	if providerRefusal(r.Answers, err) == "" {
		return err
	}
	var kept []types.LifecycleRule
	for _, rule := range want {
		err := putLifecycle(ctx, cl, bucket, append(slices.Clone(foreign), rule))
		if reason := providerRefusal(r.Answers, err); reason != "" {
			if err := r.refuse("protection", refusedRule(rule), ruleLabel(rule), reason); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		kept = append(kept, rule)
	}
	return lifecycleAction(cl, bucket, append(slices.Clone(foreign), kept...), "").Do(ctx)
}

func lifecycleAction(cl aws.S3API, bucket string, rules []types.LifecycleRule, summary string) *Action {
	if len(rules) == 0 {
		return &Action{Summary: "remove the lifecycle rules of " + bucket, Calls: []string{"s3:DeleteBucketLifecycle"},
			Do: func(ctx context.Context) error {
				_, err := cl.DeleteBucketLifecycle(conflict.In(ctx), &s3.DeleteBucketLifecycleInput{Bucket: &bucket})
				return err
			}}
	}
	return &Action{Summary: summary, Calls: []string{"s3:PutBucketLifecycleConfiguration"},
		Do: func(ctx context.Context) error { return putLifecycle(ctx, cl, bucket, rules) }}
}

func putLifecycle(ctx context.Context, cl aws.S3API, bucket string, rules []types.LifecycleRule) error {
	_, err := cl.PutBucketLifecycleConfiguration(conflict.In(ctx), &s3.PutBucketLifecycleConfigurationInput{Bucket: &bucket,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
	return err
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
