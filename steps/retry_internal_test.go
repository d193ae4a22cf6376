package steps

import (
	"context"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/state"
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

// TestOnlyANewKeyIsRetried (issue 18 defect 8): propagation retries are for
// a key made moments ago (by this run, or by a run that stopped right after
// making it); an established key's refusal is final at once. The clock is
// injected.
func TestOnlyANewKeyIsRetried(t *testing.T) {
	r := demoRun(t)
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	r.Now = func() time.Time { return now }
	r.KeyPropagation = time.Minute
	if err := r.State.Update(func(p *state.Progress) {
		p.PutKey(state.AccessKey{ID: "AKIARECENT", Created: now.Add(-10 * time.Second), Status: "Active"})
		p.PutKey(state.AccessKey{ID: "AKIAOLD", Created: now.Add(-2 * time.Hour), Status: "Active"})
	}); err != nil {
		t.Fatal(err)
	}
	r.madeKey("AKIAMADE")
	for id, want := range map[string]bool{"AKIAMADE": true, "AKIARECENT": true, "AKIAOLD": false, "AKIAUNKNOWN": false} {
		calls := 0
		_ = r.retryNewKey(context.Background(), id, func(context.Context) error {
			calls++
			if calls < 3 {
				return apiErr("InvalidClientTokenId")
			}
			return nil
		})
		if retried := calls > 1; retried != want {
			t.Errorf("key %s: %d attempts, want retried=%v", id, calls, want)
		}
	}
}
