package steps

import (
	"context"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

// moto neither enforces Block Public Access nor makes concurrent writes to
// one bucket conflict, so it can answer neither the transient AccessDenied
// that follows PutPublicAccessBlock on AWS nor OperationAborted: the retry
// decision is tested here with scripted answers.
func TestPolicyPutRetriesTransientDenialAndConflict(t *testing.T) {
	script := []error{apiErr("AccessDenied"), apiErr("OperationAborted"), nil}
	calls := 0
	err := retryWhile(context.Background(), policyRetryBudget, policyPutRetryable, func() error {
		calls++
		return script[calls-1]
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want success after 3", err, calls)
	}
	// Other errors are final at once.
	calls = 0
	err = retryWhile(context.Background(), policyRetryBudget, policyPutRetryable, func() error {
		calls++
		return apiErr("MalformedPolicy")
	})
	if err == nil || calls != 1 {
		t.Errorf("MalformedPolicy: err %v after %d calls, want 1 call", err, calls)
	}
	// A lasting denial (the account-level block) ends within the budget.
	calls = 0
	start := time.Now()
	err = retryWhile(context.Background(), 2*time.Second, policyPutRetryable, func() error {
		calls++
		return apiErr("AccessDenied")
	})
	if err == nil || calls < 2 || time.Since(start) > 3*time.Second {
		t.Errorf("lasting AccessDenied: err %v, %d calls in %v", err, calls, time.Since(start))
	}
}

// The other writes (PutPublicAccessBlock, DeleteBucketPolicy) retry only
// the conflict: an AccessDenied there is a missing permission.
func TestConflictRetryIsOnlyForOperationAborted(t *testing.T) {
	if !isConflict(apiErr("OperationAborted")) || isConflict(apiErr("AccessDenied")) {
		t.Error("isConflict must hold for OperationAborted only")
	}
	calls := 0
	err := retryConflict(context.Background(), func() error {
		calls++
		if calls == 1 {
			return apiErr("OperationAborted")
		}
		return apiErr("AccessDenied")
	})
	if err == nil || calls != 2 {
		t.Errorf("err %v after %d calls, want AccessDenied after 2", err, calls)
	}
}

// A user, group or policy created moments ago can be unknown to the next IAM
// call on AWS (moto is always consistent, so only the decision is tested):
// NoSuchEntity is waited out, anything else returns at once.
func TestRetryUnknownEntity(t *testing.T) {
	calls := 0
	err := retryUnknownEntity(context.Background(), func() error {
		calls++
		if calls < 3 {
			return apiErr("NoSuchEntity")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want success on the 3rd", err, calls)
	}
	calls = 0
	err = retryUnknownEntity(context.Background(), func() error {
		calls++
		return apiErr("AccessDenied")
	})
	if err == nil || calls != 1 {
		t.Fatalf("AccessDenied retried: %d calls", calls)
	}
}
