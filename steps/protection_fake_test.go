package steps_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/steps"
)

// applyProtection applies the protection step on the fake S3 (without its
// live verification) and returns its plan and the changing calls it made.
func applyProtection(t *testing.T, a *config.Answers, s3 *awsfake.S3) (*steps.Plan, []string) {
	t.Helper()
	return applyOn(t, a, &aws.Clients{S3: s3, Endpoint: "https://s3.example.test"}, "protection", s3.Log)
}

func ruleIDs(rules []s3types.LifecycleRule) []string {
	var ids []string
	for _, r := range rules {
		ids = append(ids, sdk.ToString(r.ID))
	}
	slices.Sort(ids)
	return ids
}

func ruleByID(rules []s3types.LifecycleRule, id string) *s3types.LifecycleRule {
	for i := range rules {
		if sdk.ToString(rules[i].ID) == id {
			return &rules[i]
		}
	}
	return nil
}

// expireRule is a lifecycle rule expiring prefix after days.
func expireRule(id, prefix string, days int32) s3types.LifecycleRule {
	return s3types.LifecycleRule{ID: sdk.String(id), Status: s3types.ExpirationStatusEnabled,
		Filter: &s3types.LifecycleRuleFilter{Prefix: sdk.String(prefix)}, Expiration: &s3types.LifecycleExpiration{Days: sdk.Int32(days)}}
}

// PutBucketLifecycleConfiguration replaces a bucket's whole list of rules:
// the protection step keeps the owner's rules as they are, replaces its own
// (IDs s3wizard-…) by the wanted ones, drops its rules no longer wanted,
// and plans nothing once they are in place. (That S3 renders the rules so
// that they compare equal again is tested against moto, by
// TestProtectionApplyReadsBackAndIsIdempotent.)
func TestProtectionLifecycleKeepsTheOwnersRulesAndMergesOursByID(t *testing.T) {
	a := protAnswers(t, strings.Replace(protAnswersYAML, "access_logs: true", "access_logs: false", 1))
	users := expireRule("users-own", "tmp/", 1)
	aes := steps.WantedEncryption(a)
	s3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{a.Bucket: {Region: protRegion, Enforced: true, SSE: &aes, Versioned: true, Lifecycle: []s3types.LifecycleRule{
		users,
		expireRule("s3wizard-expire-uploads", "uploads/", 30), // ours, with another value
		expireRule("s3wizard-retired-rule", "old/", 5),        // ours, no longer wanted
	}}})
	p, _ := applyProtection(t, a, s3)
	if !slices.ContainsFunc(p.Notices, func(n string) bool { return strings.Contains(n, "1 lifecycle rule(s) of its own: they are kept") }) {
		t.Errorf("notices %q do not say the owner's rule is kept", p.Notices)
	}
	live := s3.Buckets[a.Bucket].Lifecycle
	want := append(ruleIDs(steps.WantedLifecycleRules(a)), "users-own")
	slices.Sort(want)
	if got := ruleIDs(live); !slices.Equal(got, want) {
		t.Fatalf("lifecycle rules %q, want %q", got, want)
	}
	if got := ruleByID(live, "users-own"); !reflect.DeepEqual(*got, users) {
		t.Errorf("the owner's rule became %+v", *got)
	}
	if got := ruleByID(live, "s3wizard-expire-uploads"); sdk.ToInt32(got.Expiration.Days) != 7 {
		t.Errorf("the wizard's uploads/ rule expires after %d days, want 7 (the answer)", sdk.ToInt32(got.Expiration.Days))
	}
	if _, calls := applyProtection(t, a, s3); len(calls) > 0 {
		t.Errorf("a second apply called %q, want nothing", calls)
	}
}

// An adopted log bucket keeps what is not the wizard's: its owner's
// lifecycle rules and bucket-policy statements stay as they are, the
// wizard's rule and statement (by ID and Sid) are replaced, and an SSE-KMS
// default, which S3 cannot deliver logs into, is switched to SSE-S3 with a
// warning. A second apply changes nothing.
func TestProtectionLogBucketKeepsTheOwnersRulesAndStatements(t *testing.T) {
	a := protAnswers(t, protAnswersYAML)
	logBucket := steps.LogBucketName(a.Bucket)
	aes := steps.WantedEncryption(a)
	kms := s3types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}}
	audit := expireRule("keep-audit", "audit/", 365)
	auditor := `{"Sid":"AuditorRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + logBucket + `/audit/*"}`
	old := policy.LogDelivery(logBucket, a.Bucket, "999999999999", true) // ours, for another account
	livePolicy := `{"Version":"2012-10-17","Statement":[` + auditor + `,` + statementJSON(t, old.JSON(), policy.SidLogDelivery) + `]}`
	s3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{
		a.Bucket:  {Region: protRegion, Enforced: true, SSE: &aes, Versioned: true, Lifecycle: steps.WantedLifecycleRules(a)},
		logBucket: {Region: protRegion, Enforced: true, PAB: ptr(steps.WantedPublicAccessBlock(false)), SSE: &kms, Lifecycle: []s3types.LifecycleRule{audit, expireRule("s3wizard-expire-logs", "logs/", 30)}, Policy: livePolicy},
	})
	p, _ := applyProtection(t, a, s3)
	if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "cannot be delivered to an SSE-KMS bucket") }) {
		t.Errorf("warnings %q do not say why SSE-KMS goes", p.Warnings)
	}
	lb := s3.Buckets[logBucket]
	if got := ruleIDs(lb.Lifecycle); !slices.Equal(got, []string{"keep-audit", "s3wizard-expire-logs"}) {
		t.Fatalf("log bucket rules %q, want the owner's and the wizard's", got)
	}
	if got := ruleByID(lb.Lifecycle, "keep-audit"); !reflect.DeepEqual(*got, audit) {
		t.Errorf("the owner's rule became %+v", *got)
	}
	if got := ruleByID(lb.Lifecycle, "s3wizard-expire-logs"); sdk.ToInt32(got.Expiration.Days) != 90 {
		t.Errorf("logs expire after %d days, want 90", sdk.ToInt32(got.Expiration.Days))
	}
	keptAsIs(t, lb.Policy, auditor)
	if got := sids(t, lb.Policy); !slices.Equal(got, []string{"AuditorRead", policy.SidLogDelivery, policy.SidDenyInsecure}) {
		t.Errorf("log bucket policy statements %q", got)
	}
	if strings.Contains(lb.Policy, "999999999999") || !strings.Contains(lb.Policy, fakeAccount) {
		t.Errorf("the wizard's statement was not replaced by this account's:\n%s", lb.Policy)
	}
	if lb.SSE.ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("log bucket encryption %s, want AES256", lb.SSE.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	}
	if _, calls := applyProtection(t, a, s3); len(calls) > 0 {
		t.Errorf("a second apply called %q, want nothing", calls)
	}
}

// A new log bucket's settings go out concurrently, but each after
// CreateBucket, and the media bucket's logging only after the log bucket's
// policy lets the logging service write (S3 refuses PutBucketLogging
// before it: TestPutBucketLoggingNeedsLogDeliveryPolicy shows it on moto).
func TestProtectionLogBucketSettingsWaitForTheBucketAndLoggingForItsPolicy(t *testing.T) {
	a := protAnswers(t, protAnswersYAML)
	logBucket := steps.LogBucketName(a.Bucket)
	aes := steps.WantedEncryption(a)
	s3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{a.Bucket: {Region: protRegion, Enforced: true, SSE: &aes, Versioned: true, Lifecycle: steps.WantedLifecycleRules(a)}})
	_, calls := applyProtection(t, a, s3)
	at := func(call string) int {
		i := slices.Index(calls, call)
		if i < 0 {
			t.Fatalf("no %s in %q", call, calls)
		}
		return i
	}
	created := at("s3:CreateBucket " + logBucket)
	for i, c := range calls {
		if strings.HasSuffix(c, " "+logBucket) && i < created {
			t.Errorf("%s before the log bucket was created: %q", c, calls)
		}
	}
	for _, c := range []string{"PutPublicAccessBlock", "PutBucketEncryption", "PutBucketLifecycleConfiguration", "PutBucketPolicy"} {
		at("s3:" + c + " " + logBucket)
	}
	if logging, pol := at("s3:PutBucketLogging "+a.Bucket), at("s3:PutBucketPolicy "+logBucket); logging < pol {
		t.Errorf("logging turned on before the log bucket's policy: %q", calls)
	}
	if got := s3.Buckets[a.Bucket].Logging; got == nil || sdk.ToString(got.TargetBucket) != logBucket || sdk.ToString(got.TargetPrefix) != "logs/" {
		t.Errorf("logging %+v, want %s/logs/", got, logBucket)
	}
}

func ptr[T any](v T) *T { return &v }
