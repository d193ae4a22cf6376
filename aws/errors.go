package aws

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Code returns the AWS error code of err ("NoSuchBucket"), or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Status returns the HTTP status of a failed call, or 0.
func Status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

var notFoundCodes = map[string]bool{
	"NotFound": true, "NoSuchBucket": true, "NoSuchKey": true, "NoSuchEntity": true,
	"NoSuchBucketPolicy": true, "ServerSideEncryptionConfigurationNotFoundError": true,
	"NoSuchLifecycleConfiguration": true, "OwnershipControlsNotFoundError": true,
	"NoSuchPublicAccessBlockConfiguration": true, "NotFoundException": true,
	"ResourceNotFound": true, "ResourceNotFoundException": true, "NoSuchConfiguration": true,
	"NoSuchTagSet": true, "NoSuchCORSConfiguration": true, "NoSuchDistribution": true, "NoSuchOriginAccessControl": true,
}

// IsNotFound reports whether err says the thing does not exist.
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrOffline) {
		return true
	}
	if notFoundCodes[Code(err)] {
		return true
	}
	return Status(err) == http.StatusNotFound
}

// IsAlreadyExists reports whether err says the thing already exists (which,
// for an idempotent step, is success).
func IsAlreadyExists(err error) bool {
	switch Code(err) {
	case "EntityAlreadyExists", "BucketAlreadyOwnedByYou", "DuplicateRecordException":
		return true
	}
	return false
}

var deniedCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true, "AuthorizationError": true,
}

// IsAccessDenied reports whether the caller lacks a permission.
func IsAccessDenied(err error) bool {
	return deniedCodes[Code(err)] || Status(err) == http.StatusForbidden
}

// IsInvalidKey reports whether the credentials themselves were refused (an
// unknown key, or a new one not yet propagated through IAM).
func IsInvalidKey(err error) bool {
	switch Code(err) {
	case "InvalidAccessKeyId", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException":
		return true
	}
	return false
}

// Call returns "service:Operation" of a failed SDK call, or "".
func Call(err error) string {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return serviceName(oe.ServiceID) + ":" + oe.OperationName
	}
	return ""
}

// Advice is an AWS error with what to do next.
type Advice struct {
	Call string // "iam:CreateAccessKey"
	Code string // "AccessDenied"
	Msg  string // AWS's own message
	Hint string // what to do next
	Err  error
}

func (a *Advice) Error() string {
	var b strings.Builder
	if a.Code != "" && a.Call != "" {
		fmt.Fprintf(&b, "%s on %s", a.Code, a.Call)
	} else if a.Call != "" {
		fmt.Fprintf(&b, "%s failed", a.Call)
	} else {
		b.WriteString("aws")
	}
	if a.Msg != "" {
		fmt.Fprintf(&b, ": %s", a.Msg)
	}
	if a.Hint != "" {
		fmt.Fprintf(&b, "\n  → %s", a.Hint)
	}
	return b.String()
}

func (a *Advice) Unwrap() error { return a.Err }

// Explain turns an SDK error into an Advice naming the call, the code and
// what to do next. Non-AWS errors are returned unchanged.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var already *Advice
	if errors.As(err, &already) {
		return err
	}
	if errors.Is(err, ErrDryRun) {
		return err
	}
	if errors.Is(err, ErrPlaceholderAccount) {
		return &Advice{Call: Call(err), Msg: ErrPlaceholderAccount.Error(),
			Hint: "this is a bug in s3wizard (please report it); nothing was changed by this call: run it again", Err: err}
	}
	if isNoCredentials(err) {
		return &Advice{Code: "NoCredentials", Msg: "no AWS credentials were found",
			Hint: "run `aws configure` or `aws sso login`, pass --profile NAME, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; `s3wizard plan` works without credentials", Err: err}
	}
	call := Call(err)
	code := Code(err)
	if call == "" && code == "" {
		return err
	}
	if (code == "" || code == "UnknownError") && Status(err) == http.StatusForbidden {
		// Some endpoints answer 403 with a body the SDK cannot parse.
		code = "AccessDenied"
	}
	msg := answerMessage(err)
	return &Advice{Call: call, Code: code, Msg: msg, Hint: hint(call, code, msg), Err: err}
}

// answerMessage is what an AWS call's answer said: its error message, else
// (no error code in an answer) what did happen (a reset connection, an
// answer that could not be read), from the innermost error, not only that
// the call "failed".
func answerMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "" {
		return ae.ErrorMessage()
	}
	switch st := Status(err); {
	case st == 0:
		return "no answer: " + rootCause(err)
	case st/100 == 2:
		return fmt.Sprintf("HTTP %d, but the answer could not be read: %s", st, rootCause(err))
	default:
		return fmt.Sprintf("HTTP %d", st)
	}
}

func hint(call, code, msg string) string {
	switch {
	case code == "AccessDenied" && call == "s3:PutBucketPolicy":
		// The same code for both causes: AWS tells them apart only in
		// its message's wording, which is not an interface.
		return "either Block Public Access forbids this public bucket policy (the account-level setting, S3 → Block Public Access settings for this account, overrides the bucket's: relax BlockPublicPolicy there or drop public_prefixes), or your AWS identity is not allowed to call s3:PutBucketPolicy (ask an account admin to grant it)"
	case deniedCodes[code]:
		return fmt.Sprintf("your AWS identity is not allowed to call %s: ask an account admin to grant it (or use --profile with an identity that has it), then run the same command again — finished steps are kept", call)
	case code == "LimitExceeded" && call == "iam:CreateAccessKey":
		return "an IAM user has at most 2 access keys: delete an unused one (or run `s3wizard rotate-keys`)"
	case strings.Contains(code, "Throttl") || code == "SlowDown" || code == "RequestLimitExceeded":
		return "AWS is throttling requests; the wizard already retried with backoff — wait a minute and run it again"
	}
	return codeHints[code]
}

// codeHints are what to do about an error code, whatever the call.
var codeHints = map[string]string{
	"InvalidAccessKeyId":                 invalidKeyHint,
	"InvalidClientTokenId":               invalidKeyHint,
	"SignatureDoesNotMatch":              "the secret key does not match the access key ID: the secret was mistyped or truncated",
	"ExpiredToken":                       expiredHint,
	"ExpiredTokenException":              expiredHint,
	"NoSuchBucket":                       "the bucket does not exist: check AWS_STORAGE_BUCKET_NAME for a typo, or it was deleted (a wrong region gives a redirect, not this error)",
	"BucketAlreadyExists":                "bucket names are global and this one belongs to another account: choose another name",
	"PermanentRedirect":                  otherRegionHint,
	"AuthorizationHeaderMalformed":       otherRegionHint,
	"IllegalLocationConstraintException": otherRegionHint,
	"AccessControlListNotSupported":      "the bucket has ACLs disabled (Object Ownership = BucketOwnerEnforced): remove AWS_DEFAULT_ACL / ACL parameters from the app",
	"MalformedPolicy":                    malformedPolicyHint,
	"MalformedPolicyDocument":            malformedPolicyHint,
}

const (
	invalidKeyHint      = "AWS does not know this access key: it was deleted or deactivated, or it was created seconds ago and IAM has not propagated it yet"
	expiredHint         = "your session expired: run `aws sso login` (or refresh your credentials) and try again"
	otherRegionHint     = "the bucket lives in another region than the one configured: set the region to the bucket's own"
	malformedPolicyHint = "AWS rejected the policy document; this is a bug in s3wizard, please report it with the command you ran"
)

func isNoCredentials(err error) bool {
	var ce *CredentialsError
	return errors.As(err, &ce)
}

// BucketRegionFromError returns the region S3 names in the
// x-amz-bucket-region header of a failed call (a 301 redirect or a 400 from
// a bucket that lives in another region), or "".
func BucketRegionFromError(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.Response.Header.Get("x-amz-bucket-region")
	}
	return ""
}

// IsThrottle reports whether AWS refused the call for its rate (Throttling,
// RequestLimitExceeded, SlowDown…, the codes the SDK's own retryer backs off
// on): the call did nothing, so it may be retried even when it is not
// idempotent.
func IsThrottle(err error) bool {
	_, ok := retry.DefaultThrottleErrorCodes[Code(err)]
	return ok
}

// rootCause is the message of the innermost error err wraps (the network's
// or the decoder's own words).
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
