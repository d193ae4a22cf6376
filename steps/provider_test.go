package steps

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/s3wizard/s3wizard/config"
)

func TestIsAWSEndpoint(t *testing.T) {
	for ep, want := range map[string]bool{
		"": true, "https://s3.eu-west-3.amazonaws.com": true, "https://s3.cn-north-1.amazonaws.com.cn": true,
		"http://127.0.0.1:9000": false, "https://ACCOUNT.r2.cloudflarestorage.com": false, "https://s3.fr-par.scw.cloud": false,
	} {
		if got := isAWSEndpoint(ep); got != want {
			t.Errorf("IsAWSEndpoint(%q) = %v", ep, got)
		}
	}
}

// MinIO answers STS's GetCallerIdentity with an error the user cannot act
// on; the wizard says the endpoint is not AWS and what to set. (moto does
// answer STS, so this is the decision alone; the MinIO test in cli/ runs
// the provided flow itself.)
func TestNotAWSErrorNamesTheFix(t *testing.T) {
	minio := &smithy.GenericAPIError{Code: "NotImplemented", Message: "Unsupported action GetCallerIdentity"}
	err := notAWSError("http://127.0.0.1:9000", minio)
	if !strings.Contains(err.Error(), "is not AWS") || !strings.Contains(err.Error(), "credentials: provided") || !errors.Is(err, minio) {
		t.Errorf("got %v", err)
	}
	if err := notAWSError("", minio); err != minio {
		t.Errorf("on AWS the error must stay as it is: %v", err)
	}
	denied := &smithy.GenericAPIError{Code: "AccessDenied"}
	if err := notAWSError("http://127.0.0.1:9000", denied); err != denied {
		t.Errorf("AccessDenied is not a sign of a non-AWS endpoint: %v", err)
	}
}

// TestProviderRefusal: which answers of an S3-compatible provider skip a
// part of protection (it does not support it) and which stay errors; on
// AWS none does. The answers are built as the SDK decodes them (status and
// code); MinIO's real ones are in cli.TestProvidedCredentialsOnMinIO.
func TestProviderRefusal(t *testing.T) {
	answer := func(status int, code string) error {
		return &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "some words"},
		}
	}
	provided := &config.Answers{Credentials: config.CredProvided}
	onAWS := &config.Answers{Credentials: config.CredAccessKeys}
	for _, c := range []struct {
		err     error
		refused bool
	}{
		{answer(501, "NotImplemented"), true},
		{answer(501, ""), true},
		{answer(400, "InvalidArgument"), true},
		{answer(400, "MalformedXML"), true},
		{answer(400, "InvalidStorageClass"), true},
		{answer(403, "AccessDenied"), false},
		{answer(404, "NoSuchBucket"), false},
		{answer(503, "SlowDown"), false},
		{errors.New("dial tcp: connection refused"), false},
		{nil, false},
	} {
		if got := providerRefusal(provided, c.err) != ""; got != c.refused {
			t.Errorf("provider, %v: refused %v, want %v", c.err, got, c.refused)
		}
		if got := providerRefusal(onAWS, c.err); got != "" {
			t.Errorf("AWS, %v: refused (%s): on AWS it is an error", c.err, got)
		}
	}
	if got := providerRefusal(provided, answer(501, "NotImplemented")); got != "the provider answered NotImplemented (some words)" {
		t.Errorf("the skipped line quotes %q", got)
	}
}
