package steps

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

func TestIsAWSEndpoint(t *testing.T) {
	for ep, want := range map[string]bool{
		"": true, "https://s3.eu-west-3.amazonaws.com": true, "https://s3.cn-north-1.amazonaws.com.cn": true,
		"http://127.0.0.1:9000": false, "https://ACCOUNT.r2.cloudflarestorage.com": false, "https://s3.fr-par.scw.cloud": false,
	} {
		if got := IsAWSEndpoint(ep); got != want {
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
