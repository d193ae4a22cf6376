package steps

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/provider"
	"github.com/s3wizard/s3wizard/state"
)

// S3-compatible providers (MinIO, Cloudflare R2, Backblaze B2, Scaleway,
// DigitalOcean Spaces) are used with `credentials: provided`: keys the user
// made in the provider's console. The wizard keeps the bucket, its layout,
// public/private by bucket policy, the env file and the Django settings,
// and the verification; it skips what only AWS has.

// endpointOrAWS names where S3 is reached.
func (r *Run) endpointOrAWS() string {
	if ep := r.endpoint(); ep != "" {
		return ep
	}
	return "AWS"
}

// compatible reports the S3-compatible mode.
func compatible(a *config.Answers) bool { return a.IsProvided() }

func notCompatible(a *config.Answers) bool { return !compatible(a) }

// ProviderSkips are the features skipped on an S3-compatible provider, one
// line each saying why (shown by preflight's plan and in the docs).
// Protection is not among them: default encryption, versioning and
// lifecycle rules are applied where the provider supports them, and a part
// it refuses is skipped from its first answer (providerRefusal).
var ProviderSkips = []string{
	"IAM user, group and access key: the keys are yours (credentials: provided), made in the provider's console",
	"Block Public Access: an AWS-only setting; the bucket policy alone decides what is public",
	"Object Ownership (ACLs disabled): an AWS-only setting; no upload carries an ACL anyway (AWS_DEFAULT_ACL = None)",
	"server access logs: AWS's log delivery service writes them; access_logs is off",
	"MFA Delete: an AWS root-account setting",
	"monitoring (CloudWatch alarms, AWS Budgets): AWS services; use the provider's own usage alerts",
	"IAM Access Analyzer policy validation: an AWS service; the bucket policy is still checked by the wizard's own grammar rules",
}

// ProviderRefusedPrefix names, in the progress file's resources, what the provider
// refused ("provider-refused:encryption", "provider-refused:lifecycle:ID"),
// with its answer: later plans skip it in one line instead of failing, and
// the verification lists it as skipped.
const ProviderRefusedPrefix = "provider-refused:"

// refusalCodes are the 400 answers that say the request's content is not
// accepted: a provider that does not implement a lifecycle action or a
// storage class answers them to a request AWS documents and accepts.
var refusalCodes = []string{"InvalidArgument", "MalformedXML", "InvalidRequest", "InvalidStorageClass"}

// providerRefusal is why an S3-compatible provider refused a setting the
// wizard sends as AWS documents it — 501 or NotImplemented (MinIO without a
// KMS refuses default encryption so), or a 400 of refusalCodes — or "" for
// any other error (access denied, throttling, no such bucket), which stays
// an error. On AWS it is always "": there such an answer is a real error.
// Decided by HTTP status and error code, never by the message.
func providerRefusal(a *config.Answers, err error) string {
	if err == nil || !compatible(a) {
		return ""
	}
	if pr := (*aws.ProfileRefusal)(nil); errors.As(err, &pr) {
		return pr.ErrorMessage()
	}
	var ae smithy.APIError
	code, msg := "", ""
	if errors.As(err, &ae) {
		code, msg = ae.ErrorCode(), ae.ErrorMessage()
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if status != 501 && code != "NotImplemented" && !(status == 400 && slices.Contains(refusalCodes, code)) {
		return ""
	}
	answer := code
	if answer == "" {
		answer = fmt.Sprintf("HTTP %d", status)
	}
	if msg != "" {
		answer += " (" + msg + ")"
	}
	return "the provider answered " + answer
}

// refusal is what the provider answered when it refused what ("" if it
// never did).
func (r *Run) refusal(what string) string {
	if r.State == nil {
		return ""
	}
	return r.State.Resource(ProviderRefusedPrefix + what)
}

// refuse records the provider's refusal of what and says so in one line.
func (r *Run) refuse(step, what, label, reason string) error {
	r.Emit(Event{Kind: engine.EvNotice, Step: step, Text: skippedLine(label, reason)})
	return r.State.SaveResource(ProviderRefusedPrefix+what, reason)
}

// skippedLine is the one line that says a part is skipped and why.
func skippedLine(label, reason string) string {
	return fmt.Sprintf("skipped: %s: %s, so this provider does not support it", label, reason)
}

// isAWSEndpoint reports whether endpoint ("" = the SDK's default) is AWS
// itself rather than an emulator or an S3-compatible provider.
func isAWSEndpoint(endpoint string) bool {
	if endpoint == "" {
		return true
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return strings.HasSuffix(h, ".amazonaws.com") || strings.HasSuffix(h, ".amazonaws.com.cn") || strings.HasSuffix(h, ".api.aws")
}

// notAWSError turns STS's refusal by a non-AWS endpoint (MinIO answers
// "Unsupported action", others NotImplemented or InvalidAction) into what
// to do; other errors are returned as they are.
func notAWSError(endpoint string, err error) error {
	if err == nil || isAWSEndpoint(endpoint) {
		return err
	}
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode() + " " + ae.ErrorMessage()
	}
	for _, s := range []string{"NotImplemented", "InvalidAction", "Unsupported", "UnknownOperation", "NotFound"} {
		if strings.Contains(code, s) {
			return fmt.Errorf("the endpoint %s is not AWS: it does not answer sts:GetCallerIdentity (%s); for an S3-compatible provider (MinIO, R2, B2, Scaleway, Spaces) set credentials: provided and put the provider's keys in the env file: %w", endpoint, strings.TrimSpace(code), err)
		}
	}
	return err
}

// planRefusal handles, in a plan, a read the provider refuses (its first
// answer about what): the part is skipped in one line, and the refusal is
// recorded when the step is applied. It reports whether it did.
func (r *Run) planRefusal(p *Plan, err error, what, label string) bool {
	reason := providerRefusal(r.Answers, err)
	if reason == "" {
		return false
	}
	p.Notice("%s", skippedLine(label, reason))
	p.Record(func(s *state.Progress) { s.SetResource(ProviderRefusedPrefix+what, reason) })
	return true
}

// orRefused makes an action's refusal by the provider a skipped part: its
// first answer is recorded and said in one line, and the step goes on.
func (r *Run) orRefused(do func(context.Context) error, step, what, label string) func(context.Context) error {
	if !compatible(r.Answers) {
		return do
	}
	return func(ctx context.Context) error {
		err := do(ctx)
		if reason := providerRefusal(r.Answers, err); reason != "" {
			return r.refuse(step, what, label, reason)
		}
		return err
	}
}

// refusedPolicy names the bucket policy among the provider's refusals.
const refusedPolicy = "policy"

// Profile is the S3-compatible provider's profile (from the endpoint's
// host), or nil on AWS.
func (r *Run) Profile() *provider.Profile {
	if !compatible(r.Answers) {
		return nil
	}
	if r.AWS != nil && r.AWS.Provider != nil {
		return r.AWS.Provider
	}
	return provider.Detect(r.Answers.Endpoint)
}

// PolicyWritten reports whether the wizard writes the media bucket's
// policy: always on AWS; at a provider only when its profile speaks AWS's
// dialect (never one that could take the app's own access away) and it
// has not refused the policy calls.
func (r *Run) PolicyWritten() bool {
	p := r.Profile()
	return p == nil || p.WritesPolicy() && r.refusal(refusedPolicy) == ""
}

// publicFilesHow is how the provider serves public files, with its page.
func (r *Run) publicFilesHow() string {
	p := r.Profile()
	if p == nil {
		return ""
	}
	if p.PublicFiles.Doc == "" {
		return p.PublicFiles.Note
	}
	return p.PublicFiles.Note + " (" + p.PublicFiles.Doc + ")"
}

// noPolicyNotice says, in a plan, that no bucket policy is written at this
// provider and how its public files are served instead.
func (r *Run) noPolicyNotice(p *Plan) {
	a := r.Answers
	prof := r.Profile()
	switch {
	case len(a.PublicReadPrefixes()) == 0:
		p.Notice("%s: no bucket policy (%s): everything stays private, served by signed URLs", prof.Name, prof.PolicyDoc)
	case a.PublicDomain != "":
		p.Notice("%s: no bucket policy is written (%s): the public prefixes %s are served by %s — %s", prof.Name, prof.PolicyDoc, strings.Join(a.PublicReadPrefixes(), ", "), a.PublicDomain, r.publicFilesHow())
		p.AddManual("make %s serve the public prefixes %s of bucket %s: %s", a.PublicDomain, strings.Join(a.PublicReadPrefixes(), ", "), a.Bucket, r.publicFilesHow())
	default:
		p.Warn("%s: no bucket policy is written and no public_domain is set: the public prefixes %s are not readable anonymously — %s", prof.Name, strings.Join(a.PublicReadPrefixes(), ", "), r.publicFilesHow())
	}
}

// appKeyAfterPolicy proves, with the bucket policy in place, that the
// provided key (the app's) still puts, gets, deletes and lists under
// media/: a provider's policy must never lock the app out.
func (r *Run) appKeyAfterPolicy(ctx context.Context, cl aws.S3API) Check {
	const name = "the app's key still puts, gets, deletes and lists under media/ with the bucket policy in place"
	a := r.Answers
	c := r.Probe(ctx, cl, a.Bucket, "media/", CheckAppKeyAfterPolicy, name)
	if !c.OK {
		c.Detail += ": the bucket policy takes the app's own access away; remove it in the provider's console"
		return c
	}
	if _, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &a.Bucket, Prefix: sdk.String("media/"), MaxKeys: sdk.Int32(1)}); err != nil {
		return Fail(CheckAppKeyAfterPolicy, name, "list: "+aws.Explain(err).Error()+": the bucket policy takes the app's own access away; remove it in the provider's console")
	}
	return Pass(CheckAppKeyAfterPolicy, name, "")
}

// Refused is why the S3-compatible provider refused what err answers (see
// providerRefusal), or "" for any other error and on AWS.
func (r *Run) Refused(err error) string { return providerRefusal(r.Answers, err) }
