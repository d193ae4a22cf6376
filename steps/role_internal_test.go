package steps

import (
	"context"
	"testing"

	"github.com/aws/smithy-go"
)

// moto does not implement Elastic Beanstalk's UpdateEnvironment (500 Not
// Implemented), so it cannot show the InvalidParameterValue AWS answers while
// a new instance profile propagates: the retry decision is tested here.
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
	calls := 0
	err := retryWhile(context.Background(), ebProfileRetryBudget, instanceProfileNotReady, func() error {
		calls++
		if calls < 3 {
			return notReady
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("err %v after %d calls, want success after 3", err, calls)
	}
}
