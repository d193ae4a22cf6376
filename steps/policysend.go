package steps

// Every policy document the wizard sends to AWS leaves through this file:
// the plan checks it (checkPolicy: the local grammar, then IAM Access
// Analyzer on AWS) and the send functions check the local grammar again right
// before the call, so no caller can send a document AWS would refuse or that
// moto would accept while AWS would not. TestPolicyCallsGoThroughOnePlace
// keeps every policy-bearing SDK call in this file.

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/policy"
)

// checkPolicy refuses a document that breaks AWS's policy grammar for its
// kind (the plan fails: nothing is sent), then has IAM Access Analyzer lint
// it where that is AWS. what names the document in messages.
func checkPolicy(ctx context.Context, r *Run, p *Plan, kind policy.Kind, what, doc, bucket string) error {
	if err := policy.Validate(kind, doc, bucket); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if skip := analyzerSkipReason(r); skip != "" {
		p.Notice("%s: check by IAM Access Analyzer %s", what, skip)
		return nil
	}
	return analyzePolicy(ctx, r.AWS.AccessAnalyzer, p, kind, what, doc)
}

// analyzerSkipReason says why Access Analyzer is not asked ("" = ask it):
// without credentials nothing can be asked, and a custom endpoint (an
// emulator, an S3-compatible service) has no Access Analyzer.
func analyzerSkipReason(r *Run) string {
	switch {
	case r.Offline:
		return "will run with credentials"
	case r.AWS == nil || r.AWS.Endpoint != "":
		return "skipped: the endpoint is not AWS (it runs on AWS only)"
	}
	return ""
}

// validatePolicyInput is the Access Analyzer request for a document of kind.
func validatePolicyInput(kind policy.Kind, doc string) *accessanalyzer.ValidatePolicyInput {
	in := &accessanalyzer.ValidatePolicyInput{PolicyDocument: &doc, PolicyType: aatypes.PolicyTypeResourcePolicy}
	switch kind {
	case policy.Identity:
		in.PolicyType = aatypes.PolicyTypeIdentityPolicy
	case policy.BucketResource:
		in.ValidatePolicyResourceType = aatypes.ValidatePolicyResourceTypeS3Bucket
	case policy.Trust:
		in.ValidatePolicyResourceType = aatypes.ValidatePolicyResourceTypeRoleTrust
	}
	return in
}

// analyzePolicy asks Access Analyzer: an ERROR finding (a part of the policy
// that cannot work) refuses the plan, a security warning is shown as a
// warning, the rest as notices. An account or region without the API is
// reported as skipped.
func analyzePolicy(ctx context.Context, v aws.AccessAnalyzerAPI, p *Plan, kind policy.Kind, what, doc string) error {
	out, err := v.ValidatePolicy(ctx, validatePolicyInput(kind, doc))
	if err != nil {
		p.Notice("%s: check by IAM Access Analyzer skipped: ValidatePolicy is not available here (%s)", what, text.FirstLine(aws.Explain(err).Error()))
		return nil
	}
	for _, f := range out.Findings {
		switch f.FindingType {
		case aatypes.ValidatePolicyFindingTypeError:
			return fmt.Errorf("%s: IAM Access Analyzer: %s (%s): %s", what, f.FindingType, sdk.ToString(f.IssueCode), sdk.ToString(f.FindingDetails))
		case aatypes.ValidatePolicyFindingTypeSecurityWarning:
			p.Warn("%s: IAM Access Analyzer: %s: %s", what, f.FindingType, sdk.ToString(f.FindingDetails))
		default:
			p.Notice("%s: IAM Access Analyzer: %s: %s", what, f.FindingType, sdk.ToString(f.FindingDetails))
		}
	}
	if len(out.Findings) == 0 {
		p.Notice("%s: IAM Access Analyzer validated it (%s): no findings", what, kind)
	}
	return nil
}

// refuse checks doc once more right before it is sent.
func refuse(kind policy.Kind, what string, doc *string, bucket string) error {
	if doc == nil {
		return fmt.Errorf("%s: no %s to send", what, kind)
	}
	if err := policy.Validate(kind, *doc, bucket); err != nil {
		return fmt.Errorf("%s: not sent: %w", what, err)
	}
	return nil
}

func createPolicy(ctx context.Context, cl aws.IAMAPI, in *iam.CreatePolicyInput) (*iam.CreatePolicyOutput, error) {
	if err := refuse(policy.Identity, "policy "+sdk.ToString(in.PolicyName), in.PolicyDocument, ""); err != nil {
		return nil, err
	}
	return cl.CreatePolicy(ctx, in)
}

func createPolicyVersion(ctx context.Context, cl aws.IAMAPI, in *iam.CreatePolicyVersionInput) (*iam.CreatePolicyVersionOutput, error) {
	if err := refuse(policy.Identity, "policy "+ARNName(sdk.ToString(in.PolicyArn)), in.PolicyDocument, ""); err != nil {
		return nil, err
	}
	return cl.CreatePolicyVersion(ctx, in)
}

func putRolePolicy(ctx context.Context, cl aws.IAMAPI, in *iam.PutRolePolicyInput) (*iam.PutRolePolicyOutput, error) {
	if err := refuse(policy.Identity, "inline policy of role "+sdk.ToString(in.RoleName), in.PolicyDocument, ""); err != nil {
		return nil, err
	}
	return cl.PutRolePolicy(ctx, in)
}

func createRole(ctx context.Context, cl aws.IAMAPI, in *iam.CreateRoleInput) (*iam.CreateRoleOutput, error) {
	if err := refuse(policy.Trust, "trust policy of role "+sdk.ToString(in.RoleName), in.AssumeRolePolicyDocument, ""); err != nil {
		return nil, err
	}
	return cl.CreateRole(ctx, in)
}

// SendBucketPolicy sends a bucket policy once the local validator accepts
// it (destroy puts back what it keeps of an adopted bucket's policy).
func SendBucketPolicy(ctx context.Context, cl aws.S3API, in *s3.PutBucketPolicyInput) (*s3.PutBucketPolicyOutput, error) {
	if err := refuse(policy.BucketResource, "bucket policy of "+sdk.ToString(in.Bucket), in.Policy, sdk.ToString(in.Bucket)); err != nil {
		return nil, err
	}
	return cl.PutBucketPolicy(ctx, in)
}
