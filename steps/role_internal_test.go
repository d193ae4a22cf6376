package steps

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/aws"
)

// moto does not implement Elastic Beanstalk's UpdateEnvironment (500 Not
// Implemented), so it cannot show the InvalidParameterValue AWS answers while
// a new instance profile propagates: the retry decision is tested here (the
// retry itself: TestUpdateEnvironmentWaitsForTheInstanceProfile).
func TestUpdateEnvironmentRetriesOnlyInstanceProfileNotReady(t *testing.T) {
	notReady := &smithy.GenericAPIError{Code: "InvalidParameterValue",
		Message: "Invalid option value: 'mon-app-staging-s3' (Namespace: 'aws:autoscaling:launchconfiguration', OptionName: 'IamInstanceProfile'): Instance profile does not exist"}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{notReady, true},
		{&smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "The instance profile mon-app-staging-s3 associated with the environment does not exist."}, true},
		{&smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "No Environment found for EnvironmentName = 'prod'."}, false},
		{&smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform iam:PassRole on instance profile"}, false},
		{nil, false},
	} {
		if got := instanceProfileNotReady(c.err); got != c.want {
			t.Errorf("instanceProfileNotReady(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// profileRace is IAM as seen when another role got into the instance
// profile between the plan and AddRoleToInstanceProfile: real IAM answers
// LimitExceeded, which moto cannot be made to race into. Only the two calls
// addRoleToProfile makes are answered (the embedded interface is nil).
type profileRace struct {
	aws.IAMAPI
	holder string
}

func (f *profileRace) AddRoleToInstanceProfile(context.Context, *iam.AddRoleToInstanceProfileInput, ...func(*iam.Options)) (*iam.AddRoleToInstanceProfileOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "LimitExceeded", Message: "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"}
}

func (f *profileRace) GetInstanceProfile(_ context.Context, in *iam.GetInstanceProfileInput, _ ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error) {
	return &iam.GetInstanceProfileOutput{InstanceProfile: &iamtypes.InstanceProfile{InstanceProfileName: in.InstanceProfileName,
		Roles: []iamtypes.Role{{RoleName: sdk.String(f.holder)}}}}, nil
}

func TestAddRoleToProfileLimitExceededIsNotSuccess(t *testing.T) {
	err := addRoleToProfile(context.Background(), &profileRace{holder: "someone-elses-role"}, "mon-app-prod-s3")
	if err == nil || !strings.Contains(err.Error(), "instance profile mon-app-prod-s3 already holds role someone-elses-role") {
		t.Errorf("LimitExceeded with another role in the profile: %v", err)
	}
	// Our own role got in meanwhile (a concurrent run): that is what we want.
	if err := addRoleToProfile(context.Background(), &profileRace{holder: "mon-app-prod-s3"}, "mon-app-prod-s3"); err != nil {
		t.Errorf("LimitExceeded with our role in the profile: %v", err)
	}
}
