package steps

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/config"
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
func compatible(a *config.Answers) bool { return a.Credentials == config.CredProvided }

func notCompatible(a *config.Answers) bool { return !compatible(a) }

// ProviderSkips are the features skipped on an S3-compatible provider, one
// line each saying why (shown by preflight's plan and in the docs).
var ProviderSkips = []string{
	"IAM user, group and access key: the keys are yours (credentials: provided), made in the provider's console",
	"Block Public Access: an AWS-only setting; the bucket policy alone decides what is public",
	"Object Ownership (ACLs disabled): an AWS-only setting; no upload carries an ACL anyway (AWS_DEFAULT_ACL = None)",
	"protection (encryption, versioning, lifecycle, access logs): providers support only parts of these APIs, each differently (server access logging is AWS-only); set them in the provider's console",
	"monitoring (CloudWatch alarms, AWS Budgets): AWS services; use the provider's own usage alerts",
	"IAM Access Analyzer policy validation: an AWS service; the bucket policy is still checked by the wizard's own grammar rules",
}

// IsAWSEndpoint reports whether endpoint ("" = the SDK's default) is AWS
// itself rather than an emulator or an S3-compatible provider.
func IsAWSEndpoint(endpoint string) bool {
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
	if err == nil || IsAWSEndpoint(endpoint) {
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
