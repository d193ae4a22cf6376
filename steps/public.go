package steps

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
)

// Public makes the public prefixes (and only them) anonymously readable.
// DenyInsecureDeparture is the public step's departure about the non-TLS
// deny, which an endpoint without TLS leaves out (the hand-off document
// then says so instead).
const DenyInsecureDeparture = "The wizard adds a statement denying requests not made over TLS (Security Hub S3.5)."

func Public() *Step {
	return &Step{
		ID:    "public",
		Title: "Public vs private access",
		Guide: "French guide §6",
		Why:   "Everything stays private and is served through signed URLs, except the prefixes you choose (e.g. media/blog/), which get a bucket policy allowing anonymous reads of exactly those prefixes. With static files on S3, static/ is public too: Django's static files (the admin's CSS and JS, your own) are public by nature, and the static storage builds unsigned URLs, so a private static/ would answer 403 to every page.",
		Departures: []string{
			"The guide unticks the two ACL switches of Block Public Access: that is wrong — ACLs are disabled on the bucket, and a public bucket policy is governed by BlockPublicPolicy and RestrictPublicBuckets. The wizard keeps the ACL switches ON and relaxes only those two, only when public prefixes exist.",
			"The guide's example policy makes all of media/ public; the wizard grants exactly the prefixes you list.",
			DenyInsecureDeparture,
			"The guides set no CORS: web fonts and ES modules served from the bucket to another origin, and direct browser uploads, are blocked by browsers without it. The wizard writes one CORS rule for your site's origins (GET/HEAD for public and static files, PUT/POST only for direct uploads), keeps any other rule, and proves it with a browser's preflight request.",
		},
		Keys:   []string{"public_prefixes", "public_domain", "cloudfront", "cors_uploads", "cors_origins"},
		Needs:  []string{"bucket"},
		Plan:   planPublic,
		Verify: verifyPublic,
	}
}

// PublicObjectEncryption is how public objects (public prefixes, static
// files) are written, whatever the bucket's default encryption: SSE-S3. AWS
// refuses anonymous reads of SSE-KMS objects, so with SSE-KMS on the bucket
// the generated public storages ask for AES256 on every upload.
const PublicObjectEncryption = types.ServerSideEncryptionAes256

// publicSSE is the encryption public uploads ask for under the answers:
// PublicObjectEncryption on AWS, none ("") on S3-compatible providers, which
// may have no SSE-S3 (MinIO without a KMS refuses the header with
// NotImplemented) and no SSE-KMS default to override. The probe of
// verifyPublic and the generated storages (through EnvPublicSSE) follow it.
func publicSSE(a *config.Answers) types.ServerSideEncryption {
	if compatible(a) {
		return ""
	}
	return PublicObjectEncryption
}

// WantedPublicAccessBlock is the bucket's Block Public Access for the answers.
func WantedPublicAccessBlock(public bool) types.PublicAccessBlockConfiguration {
	return types.PublicAccessBlockConfiguration{
		BlockPublicAcls:       sdk.Bool(true),
		IgnorePublicAcls:      sdk.Bool(true),
		BlockPublicPolicy:     sdk.Bool(!public),
		RestrictPublicBuckets: sdk.Bool(!public),
	}
}

// MediaBucketPolicy is the wanted policy of the media bucket (ok=false:
// none). With cloudfront, the public prefixes are granted to the recorded
// distribution's service principal instead of anyone.
func (r *Run) MediaBucketPolicy() (policy.Document, bool) {
	return r.mediaBucketPolicy(r.CloudFrontSourceARN())
}

// mediaBucketPolicy is MediaBucketPolicy naming the distribution cfARN.
func (r *Run) mediaBucketPolicy(cfARN string) (policy.Document, bool) {
	a := r.Answers
	o := policy.BucketOptions{PublicPrefixes: a.AnonymousPrefixes(), DenyInsecure: r.AWS.TLS()}
	if a.ServedByCloudFront() {
		o.CloudFrontPrefixes, o.CloudFrontSourceARN = a.PublicReadPrefixes(), cfARN
	}
	return policy.Bucket(a.Bucket, o)
}

func planPublic(ctx context.Context, r *Run) (*Plan, error) {
	p := &Plan{}
	if err := planPublicAccess(ctx, r, p); err != nil {
		return nil, err
	}
	// The CORS rule does not depend on the bucket policy: it is planned
	// also where the provider has no policy (R2, B2, Scaleway's dialect) or
	// refused it.
	if err := planCORS(ctx, r, p); err != nil {
		return nil, err
	}
	return p, nil
}

// planPublicAccess plans the bucket's Block Public Access and policy (and
// the CloudFront distribution the policy grants).
func planPublicAccess(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	publicRead := a.AnonymousPrefixes()
	public := len(publicRead) > 0
	if !r.PolicyWritten() {
		// A provider whose bucket policy the wizard does not write (its
		// profile, or its recorded refusal): no policy to read or change.
		r.noPolicyNotice(p)
		return nil
	}
	cfARN, cfWait, err := planPublicCloudFront(ctx, r, p)
	if err != nil {
		return err
	}
	if !r.AWS.TLS() {
		p.Notice("the endpoint %s has no TLS: the statement denying non-TLS requests is left out (it would lock every client out); on AWS it is added", r.AWS.Endpoint)
	}

	// The bucket's Block Public Access and policy are read with the
	// account's.
	bucketPAB := async(func() (*s3.GetPublicAccessBlockOutput, error) {
		if compatible(a) {
			return nil, nil
		}
		return cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &a.Bucket})
	})
	bucketPolicy := async(func() (*s3.GetBucketPolicyOutput, error) {
		return cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &a.Bucket})
	})

	if err := checkAccountPAB(ctx, r, p, publicRead); err != nil {
		return err
	}

	live, err := bucketPAB()
	if err != nil && !aws.IsNotFound(err) && !r.Offline {
		return fmt.Errorf("read Block Public Access of %s: %w", a.Bucket, err)
	}
	pab := publicAccessBlockAction(r, public, live, err)

	livePolicy, refused, err := liveBucketPolicy(r, p, bucketPolicy)
	if err != nil || refused {
		return err
	}
	pol, err := bucketPolicyAction(ctx, r, p, livePolicy, cfARN)
	if err != nil {
		return err
	}
	addPABAndPolicy(p, public, pab, pol)
	if cfWait {
		p.Add(r.waitAction())
	}
	if p.Empty() {
		p.Notice("Block Public Access and bucket policy are as wanted")
	}
	return nil
}

// liveBucketPolicy waits for the bucket policy's read: its document ("" when
// there is none), or refused when the provider refused the read (the
// generic profile asked), and then no policy is planned.
func liveBucketPolicy(r *Run, p *Plan, read func() (*s3.GetBucketPolicyOutput, error)) (doc string, refused bool, err error) {
	out, err := read()
	switch {
	case err == nil:
		return sdk.ToString(out.Policy), false, nil
	case r.planRefusal(p, err, refusedPolicy, "bucket policy"):
		// The generic profile asked, and the provider refused the read.
		r.noPolicyNotice(p)
		return "", true, nil
	case !aws.IsNotFound(err) && !r.Offline:
		return "", false, fmt.Errorf("read bucket policy of %s: %w", r.Answers.Bucket, err)
	}
	return "", false, nil
}

// planPublicCloudFront plans the CloudFront distribution when the answers
// serve through it (its ARN, "" when this plan makes it, and whether the
// deploy is to be waited for), and warns of one left from earlier answers.
func planPublicCloudFront(ctx context.Context, r *Run, p *Plan) (cfARN string, cfWait bool, err error) {
	if r.Answers.ServedByCloudFront() {
		return planCloudFront(ctx, r, p)
	}
	if id := r.resource(ResCloudFrontID); id != "" {
		p.Warn("the CloudFront distribution %s made for this env stays (and answers 403 once its bucket grant is gone): `s3wizard destroy` deletes it, or disable and delete it in the CloudFront console", id)
	}
	return "", false, nil
}

// checkAccountPAB refuses public prefixes that the account-level Block
// Public Access would block whatever the bucket says, and notes what it
// found (on AWS, when there are public prefixes).
func checkAccountPAB(ctx context.Context, r *Run, p *Plan, publicRead []string) error {
	if len(publicRead) == 0 || r.Offline || compatible(r.Answers) {
		return nil
	}
	acct, err := r.AWS.S3Control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: sdk.String(r.AccountID())})
	switch {
	case err == nil && acct.PublicAccessBlockConfiguration != nil:
		c := acct.PublicAccessBlockConfiguration
		if sdk.ToBool(c.BlockPublicPolicy) || sdk.ToBool(c.RestrictPublicBuckets) {
			return fmt.Errorf("the account-level Block Public Access (S3 → Block Public Access settings for this account) has BlockPublicPolicy/RestrictPublicBuckets on, which overrides every bucket: the public prefixes %s cannot be served anonymously. Ask an admin to turn those two off at account level (keep the ACL ones on), or serve them through CloudFront, or drop public_prefixes (and static_on_s3)", strings.Join(publicRead, ", "))
		}
		p.Notice("account-level Block Public Access allows public bucket policies")
	case aws.IsNotFound(err):
		p.Notice("no account-level Block Public Access is set: the bucket's own settings decide")
	default:
		p.Notice("account-level Block Public Access could not be read (%s): if public files answer 403, check it (S3 → Block Public Access settings for this account)", text.FirstLine(aws.Explain(err).Error()))
	}
	return nil
}

// publicAccessBlockAction sets the bucket's Block Public Access wanted for
// public; nil when the live one (read with readErr) is as wanted.
func publicAccessBlockAction(r *Run, public bool, live *s3.GetPublicAccessBlockOutput, readErr error) *Action {
	a := r.Answers
	if compatible(a) {
		return nil // AWS-only: not read, not set (see ProviderSkips)
	}
	want := WantedPublicAccessBlock(public)
	if readErr == nil && live != nil && live.PublicAccessBlockConfiguration != nil && samePAB(*live.PublicAccessBlockConfiguration, want) {
		return nil
	}
	cl := r.AWS.S3In(a.Region)
	return &Action{
		Summary: pabSummary(public),
		Calls:   []string{"s3:PutPublicAccessBlock"},
		Do: func(ctx context.Context) error {
			if err := r.savePABBefore(live, readErr); err != nil {
				return err
			}
			_, err := cl.PutPublicAccessBlock(conflict.In(ctx), &s3.PutPublicAccessBlockInput{Bucket: &a.Bucket, PublicAccessBlockConfiguration: &want})
			return err
		},
	}
}

// bucketPolicyAction merges the wizard's statements into the live bucket
// policy and returns the action that puts (or, with nothing of the wizard's
// left, removes) it; nil when the live policy is as wanted.
func bucketPolicyAction(ctx context.Context, r *Run, p *Plan, livePolicy, cfARN string) (*Action, error) {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	merged, err := r.mergedMediaPolicyFor(livePolicy, cmp.Or(cfARN, r.CloudFrontSourceARN()))
	if err != nil {
		return nil, fmt.Errorf("bucket policy of %s: %w", a.Bucket, err)
	}
	if len(merged.Foreign) > 0 {
		p.Notice("the bucket policy of %s has %d statement(s) that are not the wizard's (%s): kept as they are; the wizard's statements are merged in by Sid", a.Bucket, len(merged.Foreign), policy.DescribeSids(merged.Foreign))
		legacySidsWarning(p, a.Bucket, merged)
	}
	if merged.JSON != "" {
		if err := checkPolicy(ctx, r, p, policy.BucketResource, "bucket policy of "+a.Bucket, merged.JSON, a.Bucket); err != nil {
			return nil, err
		}
	}
	switch {
	case merged.JSON != "" && !policy.Equal(livePolicy, merged.JSON):
		body := merged.JSON
		return &Action{Summary: policySummary(a, r.AWS.TLS()), Calls: []string{"s3:PutBucketPolicy"},
			Do: r.orRefused(func(ctx context.Context) error {
				if a.ServedByCloudFront() && cfARN == "" {
					// The distribution was made by this plan: its ARN is
					// known now.
					m, err := r.mergedMediaPolicyFor(livePolicy, r.CloudFrontSourceARN())
					if err != nil {
						return err
					}
					body = m.JSON
				}
				_, err := SendBucketPolicy(policyPut.In(ctx), cl, &s3.PutBucketPolicyInput{Bucket: &a.Bucket, Policy: &body})
				return err
			}, "public", refusedPolicy, "bucket policy")}, nil
	case merged.JSON == "" && livePolicy != "":
		return &Action{Summary: "remove the bucket policy (no public prefix any more)", Calls: []string{"s3:DeleteBucketPolicy"},
			Do: func(ctx context.Context) error {
				_, err := cl.DeleteBucketPolicy(conflict.In(ctx), &s3.DeleteBucketPolicyInput{Bucket: &a.Bucket})
				return err
			}}, nil
	}
	return nil, nil
}

// addPABAndPolicy adds the Block Public Access and bucket policy actions
// (either may be nil) in the order AWS accepts them: relax Block Public
// Access before a public policy goes in (AWS refuses it otherwise); tighten
// it only after the public grant is gone.
func addPABAndPolicy(p *Plan, public bool, pab, pol *Action) {
	switch {
	case public && pab != nil && pol != nil:
		p.Add(pab)
		p.Add(pol)
	case pab != nil && pol != nil:
		p.Add(pol)
		p.Add(pab)
	case pab != nil:
		p.Add(pab)
	case pol != nil:
		p.Add(pol)
	}
}

// policyRetryBudget bounds the retries of PutBucketPolicy.
const policyRetryBudget = 30 * time.Second

// policyPut is PutBucketPolicy's wait (policyPutRetryable).
var policyPut = aws.Settle{NotYet: policyPutRetryable, Budget: policyRetryBudget}

// policyPutRetryable: right after PutPublicAccessBlock relaxes
// BlockPublicPolicy, AWS may still refuse a public policy with AccessDenied
// for a few seconds; and the protection step changes the same bucket at the
// same time (OperationAborted). A lasting AccessDenied (the account-level
// block, or a missing permission) is returned once the budget is spent.
func policyPutRetryable(err error) bool {
	return isConflict(err) || aws.Code(err) == "AccessDenied"
}

func pabSummary(public bool) string {
	if public {
		return "Block Public Access: ACL switches ON, BlockPublicPolicy and RestrictPublicBuckets OFF (public prefixes only)"
	}
	return "Block Public Access: all four switches ON (everything private)"
}

func policySummary(a *config.Answers, tls bool) string {
	var parts []string
	if prefixes := a.AnonymousPrefixes(); len(prefixes) > 0 {
		parts = append(parts, "anonymous read of "+strings.Join(prefixes, ", "))
	}
	if a.ServedByCloudFront() {
		parts = append(parts, "read of "+strings.Join(a.PublicReadPrefixes(), ", ")+" by this CloudFront distribution only (cloudfront.amazonaws.com, AWS:SourceArn)")
	}
	if tls {
		parts = append(parts, "deny of non-TLS requests")
	}
	return "bucket policy: " + strings.Join(parts, " + ")
}

func samePAB(a, b types.PublicAccessBlockConfiguration) bool {
	return sdk.ToBool(a.BlockPublicAcls) == sdk.ToBool(b.BlockPublicAcls) &&
		sdk.ToBool(a.IgnorePublicAcls) == sdk.ToBool(b.IgnorePublicAcls) &&
		sdk.ToBool(a.BlockPublicPolicy) == sdk.ToBool(b.BlockPublicPolicy) &&
		sdk.ToBool(a.RestrictPublicBuckets) == sdk.ToBool(b.RestrictPublicBuckets)
}

// ObjectURL is the unsigned URL of key: virtual-hosted on AWS, path style
// behind a custom endpoint.
func (r *Run) ObjectURL(key string) string {
	a := r.Answers
	esc := (&url.URL{Path: key}).EscapedPath()
	if ep := r.AWS.Endpoint; ep != "" {
		return strings.TrimSuffix(ep, "/") + "/" + a.Bucket + "/" + esc
	}
	return fmt.Sprintf("https://%s.s3.%s.amazonaws.com/%s", a.Bucket, a.Region, esc)
}

func verifyPublic(ctx context.Context, r *Run) []Check {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	// Block Public Access is read while the probes run.
	pab := func() (Check, error) {
		return Skip(CheckPublicAccessBlock, "bucket's Block Public Access as wanted", "an AWS-only setting: skipped on an S3-compatible provider; the bucket policy decides"), nil
	}
	if !compatible(a) {
		pab = async(func() (Check, error) { return publicAccessBlockCheck(ctx, r, cl), nil })
	}
	targets, extra := publicReadProbes(r)
	if compatible(a) && r.PolicyWritten() && len(a.PublicReadPrefixes()) > 0 {
		// Never lock the app out: with the policy in place, the app's own
		// key (the provided one) still puts, gets, lists and deletes.
		extra = append(extra, r.appKeyAfterPolicy(ctx, cl))
	}
	var cdn func() ([]Check, error)
	if a.ServedByCloudFront() {
		// CloudFront serves them: S3 itself refuses anonymous readers.
		cdn = async(func() ([]Check, error) { return cloudFrontChecks(ctx, r), nil })
		notDirect, skipped := notDirectProbes(r)
		targets, extra = append(targets, notDirect...), append(extra, skipped...)
	}
	probes := runPublicProbes(ctx, r, cl, targets)
	pabCheck, _ := pab()
	out := append(append([]Check{pabCheck}, probes...), extra...)
	if cdn != nil {
		cf, _ := cdn()
		out = append(out, cf...)
	}
	return append(out, verifyCORS(ctx, r)...)
}

// publicProbe is an object verifyPublic puts and reads back anonymously:
// the anonymous GET must answer want.
type publicProbe struct {
	key  string
	want int
	id   CheckID
	name string
}

// publicReadProbes are the probes of a private file and of each anonymous
// prefix (through the provider's public domain where the wizard writes no
// policy); skipped are the checks that cannot be probed.
func publicReadProbes(r *Run) (probes []publicProbe, skipped []Check) {
	a := r.Answers
	probes = []publicProbe{{"media/.s3wizard-private-probe", http.StatusForbidden, CheckPrivateRefused, "private file refused anonymously (403)"}}
	for _, pfx := range a.AnonymousPrefixes() {
		name := "public file under " + pfx + " readable anonymously (200)"
		if !r.PolicyWritten() {
			if a.PublicDomain == "" {
				skipped = append(skipped, Skip(CheckPublicReadable, name, "no bucket policy at this provider and no public_domain: "+r.publicFilesHow()))
				continue
			}
			name = "public file under " + pfx + " readable anonymously through " + a.PublicDomain + " (200)"
		}
		probes = append(probes, publicProbe{pfx + ".s3wizard-public-probe", http.StatusOK, CheckPublicReadable, name})
	}
	if !r.PolicyWritten() && a.PublicDomain != "" {
		// R2's public domains and a CDN in front of a bucket serve the
		// whole bucket unless restricted: a private file must not be
		// readable through the domain.
		probes = append(probes, publicProbe{"media/.s3wizard-domain-probe", notServed, CheckPrivateNotOnDomain, "private file not served through " + a.PublicDomain})
	}
	return probes, skipped
}

// notDirectProbes are the probes of the prefixes CloudFront serves: S3
// itself must refuse their anonymous readers.
func notDirectProbes(r *Run) (probes []publicProbe, skipped []Check) {
	for _, pfx := range r.Answers.PublicReadPrefixes() {
		name := "public file under " + pfx + " refused anonymously at S3 (403; CloudFront serves it)"
		if r.AWS.Endpoint != "" {
			// An emulator (moto) grants a statement's reads to anyone,
			// whatever its principal: the 403 is AWS's to prove.
			skipped = append(skipped, Skip(CheckPublicNotDirect, name, "not probed behind AWS_ENDPOINT_URL (an emulator may ignore the policy's principal); Block Public Access and the CloudFront grant are checked"))
			continue
		}
		probes = append(probes, publicProbe{pfx + ".s3wizard-public-probe", http.StatusForbidden, CheckPublicNotDirect, name})
	}
	return probes, skipped
}

// runPublicProbes runs the probes; they are independent: they run
// together.
func runPublicProbes(ctx context.Context, r *Run, cl aws.S3API, targets []publicProbe) []Check {
	a := r.Answers
	hc := &http.Client{Timeout: 15 * time.Second}
	probes := make([]Check, len(targets))
	forEach(len(targets), func(i int) {
		t := targets[i]
		// A policy just put may take a moment to apply everywhere, so a
		// failure is retried while the settings are as wanted; if they are
		// not (drift, for `check`), the answer is final at once.
		stop, cancel := context.WithCancel(ctx)
		c := engine.RetryCheck(stop, r.keyPropagation(), func() Check {
			c := AnonymousProbe(ctx, cl, hc, r, a.Bucket, t.key, t.want, t.id, t.name)
			if !c.OK {
				if why := publicSettingsDiffer(ctx, r); why != "" {
					c.Detail += " (" + why + ": run apply)"
					cancel()
				}
			}
			return c
		})
		cancel()
		probes[i] = c
	})
	return probes
}

// publicAccessBlockCheck compares the bucket's Block Public Access with the
// wanted one.
func publicAccessBlockCheck(ctx context.Context, r *Run, cl aws.S3API) Check {
	const name = "bucket's Block Public Access as wanted"
	a := r.Answers
	want := WantedPublicAccessBlock(len(a.AnonymousPrefixes()) > 0)
	out, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &a.Bucket})
	switch {
	case aws.IsNotFound(err) || err == nil && out.PublicAccessBlockConfiguration == nil:
		return Fail(CheckPublicAccessBlock, name, "the bucket has no Block Public Access: run apply")
	case err != nil:
		return Fail(CheckPublicAccessBlock, name, aws.Explain(err).Error())
	case !samePAB(*out.PublicAccessBlockConfiguration, want):
		return Fail(CheckPublicAccessBlock, name, "live: "+describePAB(*out.PublicAccessBlockConfiguration)+"; wanted: "+describePAB(want)+": run apply")
	}
	return Pass(CheckPublicAccessBlock, name, describePAB(want))
}

func describePAB(c types.PublicAccessBlockConfiguration) string {
	on := func(v *bool) string {
		if sdk.ToBool(v) {
			return "on"
		}
		return "off"
	}
	return fmt.Sprintf("BlockPublicAcls %s, IgnorePublicAcls %s, BlockPublicPolicy %s, RestrictPublicBuckets %s",
		on(c.BlockPublicAcls), on(c.IgnorePublicAcls), on(c.BlockPublicPolicy), on(c.RestrictPublicBuckets))
}

// publicSettingsDiffer says how the bucket's Block Public Access or policy
// differs from the wanted ones, or "" when they are as wanted.
func publicSettingsDiffer(ctx context.Context, r *Run) string {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	if !r.PolicyWritten() {
		return ""
	}
	if !compatible(a) {
		pab, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &a.Bucket})
		if err != nil && !aws.IsNotFound(err) {
			return "Block Public Access unreadable: " + text.FirstLine(aws.Explain(err).Error())
		}
		if err != nil || pab.PublicAccessBlockConfiguration == nil || !samePAB(*pab.PublicAccessBlockConfiguration, WantedPublicAccessBlock(len(a.AnonymousPrefixes()) > 0)) {
			return "Block Public Access differs from the wanted one"
		}
	}
	out, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &a.Bucket})
	var live string
	if err == nil {
		live = sdk.ToString(out.Policy)
	}
	merged, merr := r.mergedMediaPolicy(live)
	if merr != nil {
		return "bucket policy unreadable: " + merr.Error()
	}
	want := merged.JSON != ""
	switch {
	case aws.IsNotFound(err):
		if want {
			return "the bucket policy is missing"
		}
	case err != nil:
		return "bucket policy unreadable: " + text.FirstLine(aws.Explain(err).Error())
	case !want:
		return "the bucket has a policy the wizard did not want"
	case !policy.Equal(live, merged.JSON):
		return "the bucket policy differs from the wanted one"
	}
	return ""
}

// notServed is the anonymous answer wanted of a private file through a
// public domain: anything but a success.
const notServed = -1

// AnonymousProbe puts an object at key with the wizard's credentials, reads
// it back without any, and deletes it: the anonymous GET must answer want.
func AnonymousProbe(ctx context.Context, cl aws.S3API, hc *http.Client, r *Run, bucket, key string, want int, id CheckID, name string) Check {
	in := &s3.PutObjectInput{Bucket: &bucket, Key: sdk.String(key), Body: bytes.NewReader([]byte("probe"))}
	sse := want == http.StatusOK && publicSSE(r.Answers) != ""
	if sse {
		in.ServerSideEncryption = publicSSE(r.Answers)
	}
	put, err := cl.PutObject(ctx, in)
	if err != nil {
		return Fail(id, name, "put probe: "+aws.Explain(err).Error())
	}
	if sse && put.ServerSideEncryption != PublicObjectEncryption {
		deleteProbe(ctx, cl, bucket, key)
		r.purgeProbe(ctx, bucket, key)
		return Fail(id, name, fmt.Sprintf("a public object written with ServerSideEncryption %s was stored as %q: anonymous readers of SSE-KMS objects get 403 on AWS", PublicObjectEncryption, put.ServerSideEncryption))
	}
	u := r.ObjectURL(key)
	if (want == http.StatusOK || want == notServed) && !r.PolicyWritten() && r.Answers.PublicDomain != "" {
		// Served by the provider's public domain or a CDN, not the endpoint.
		u = strings.TrimSuffix(r.Answers.PublicDomain, "/") + "/" + (&url.URL{Path: key}).EscapedPath()
	}
	status, err := anonymousGet(ctx, hc, u)
	removeProbe(ctx, cl, r, bucket, key, put.VersionId)
	if err != nil {
		return Fail(id, name, err.Error())
	}
	return probeVerdict(r, id, name, u, status, want, sse)
}

// removeProbe deletes the probe object (its version, when the bucket
// keeps versions: that leaves no delete marker, in one request).
func removeProbe(ctx context.Context, cl aws.S3API, r *Run, bucket, key string, version *string) {
	if v := sdk.ToString(version); v != "" && v != "null" {
		// Deleting the version itself leaves no delete marker: one request.
		if !deleteProbeVersion(ctx, cl, bucket, key, version) {
			r.purgeProbe(ctx, bucket, key)
		}
		return
	}
	deleteProbe(ctx, cl, bucket, key)
	r.purgeProbe(ctx, bucket, key)
}

// probeVerdict judges the status the anonymous GET of u answered (the
// probe stored as SSE-S3 when sse).
func probeVerdict(r *Run, id CheckID, name, u string, status, want int, sse bool) Check {
	switch {
	case want == notServed && status >= 200 && status < 300:
		return Fail(id, name, fmt.Sprintf("anonymous GET %s answered %d: the domain serves the whole bucket, private files included — restrict it to the public prefixes (%s)", u, status, r.publicFilesHow()))
	case want == notServed:
		return Pass(id, name, fmt.Sprintf("answered %d", status))
	case status != want && want == http.StatusOK:
		return Fail(id, name, fmt.Sprintf("anonymous GET answered %d: check the bucket policy, and Block Public Access of the bucket and of the account", status))
	case status != want:
		return Fail(id, name, fmt.Sprintf("anonymous GET answered %d", status))
	case sse:
		return Pass(id, name, "stored SSE-S3 (AES256), as the public storages write")
	}
	return Pass(id, name, "")
}

// deleteProbe deletes a probe object, even when ctx was cancelled.
func deleteProbe(ctx context.Context, cl aws.S3API, bucket, key string) {
	ctx, cancel := engine.CleanupContext(ctx)
	defer cancel()
	_, _ = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
}

// deleteProbeVersion deletes one version of a probe for good (no delete
// marker is left); false when it could not.
func deleteProbeVersion(ctx context.Context, cl aws.S3API, bucket, key string, version *string) bool {
	ctx, cancel := engine.CleanupContext(ctx)
	defer cancel()
	_, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: version})
	return err == nil
}

func anonymousGet(ctx context.Context, hc *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("anonymous GET %s: %w", u, err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// mergedMediaPolicy is the media bucket's wanted policy merged into the
// live one by Sid: statements that are not the wizard's (an adopted bucket's
// partner or CloudFront grants) are kept.
func (r *Run) mergedMediaPolicy(live string) (policy.Merged, error) {
	return r.mergedMediaPolicyFor(live, r.CloudFrontSourceARN())
}

// mergedMediaPolicyFor is mergedMediaPolicy naming the distribution cfARN.
func (r *Run) mergedMediaPolicyFor(live, cfARN string) (policy.Merged, error) {
	doc, ok := r.mediaBucketPolicy(cfARN)
	legacy := r.Owns(state.KindBucket, r.Answers.Bucket)
	if !ok {
		return policy.MergeBySid(live, nil, legacy)
	}
	return policy.MergeBySid(live, &doc, legacy)
}

// PABBeforeResource records the Block Public Access of an adopted bucket as
// it was before the wizard first changed it (JSON; "none" when it had
// none): destroy puts it back.
const PABBeforeResource = "bucket_public_access_block_before"

// savePABBefore records an adopted bucket's Block Public Access before the
// wizard's first change (saved before the change, so a crash cannot lose it).
func (r *Run) savePABBefore(live *s3.GetPublicAccessBlockOutput, readErr error) error {
	if r.Owns(state.KindBucket, r.Answers.Bucket) || r.State.Resource(PABBeforeResource) != "" {
		return nil
	}
	v := "none"
	if readErr == nil && live != nil && live.PublicAccessBlockConfiguration != nil {
		b, err := json.Marshal(live.PublicAccessBlockConfiguration)
		if err != nil {
			return err
		}
		v = string(b)
	}
	if err := r.State.SaveResource(PABBeforeResource, v); err != nil {
		return fmt.Errorf("record the bucket's Block Public Access before changing it: %w", err)
	}
	return nil
}

// legacySidsWarning says that statements with the Sids earlier wizards used
// are kept on a bucket the wizard did not make: they may be the owner's own.
func legacySidsWarning(p *Plan, bucket string, m policy.Merged) {
	if len(m.Legacy) > 0 {
		p.Warn("the bucket policy of %s keeps statement(s) %s: earlier versions of the wizard used those Sids, but on a bucket it did not create they may be the owner's, so they stay; if the wizard wrote them, remove them by hand (its statements are now named S3Wizard…)", bucket, policy.DescribeSids(m.Legacy))
	}
}
