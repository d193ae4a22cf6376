//go:build go1.25

// The retry tests need testing/synctest (Go 1.25); the module itself builds
// with Go 1.24 (go.mod), and a 1.24 toolchain leaves this file out.

package steps

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/state"
)

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

// The retry tests run in a synctest bubble: the backoff waits on the
// bubble's clock, which advances at once when every goroutine waits, so no
// test sleeps for real and the delays themselves can be asserted.

// moto neither enforces Block Public Access nor makes concurrent writes to
// one bucket conflict, so it can answer neither the transient AccessDenied
// that follows PutPublicAccessBlock on AWS nor OperationAborted: the retry
// decision is tested here with scripted answers.
func TestPolicyPutRetriesTransientDenialAndConflict(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
		// On the bubble's clock: attempts at 0, 0.5 s and 1.5 s; the next
		// (3.5 s) would start after the budget.
		if err == nil || calls != 3 || time.Since(start) != 1500*time.Millisecond {
			t.Errorf("lasting AccessDenied: err %v, %d calls in %v", err, calls, time.Since(start))
		}
	})
}

// The other writes (PutPublicAccessBlock, DeleteBucketPolicy) retry only
// the conflict: an AccessDenied there is a missing permission.
func TestConflictRetryIsOnlyForOperationAborted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
	})
}

// A user, group or policy created moments ago can be unknown to the next IAM
// call on AWS (moto is always consistent, so only the decision is tested):
// NoSuchEntity is waited out, anything else returns at once.
func TestRetryUnknownEntity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
	})
}

// TestOnlyANewKeyIsRetried (issue 18 defect 8): propagation retries are for
// a key made moments ago (by this run, or by a run that stopped right after
// making it); an established key's refusal is final at once. The clock is
// injected.
func TestOnlyANewKeyIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
	})
}

// TestRetryBackoffDoublesUpToEightSecondsWithinBudget: the pauses between
// attempts are 0.5, 1, 2, 4, 8, 8 … seconds, and no attempt starts after
// the budget.
func TestRetryBackoffDoublesUpToEightSecondsWithinBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var at []time.Duration
		err := retryWhile(context.Background(), 30*time.Second, func(error) bool { return true }, func() error {
			at = append(at, time.Since(start))
			return apiErr("OperationAborted")
		})
		s := time.Second
		want := []time.Duration{0, s / 2, 3 * s / 2, 7 * s / 2, 15 * s / 2, 31 * s / 2, 47 * s / 2}
		if err == nil || len(at) != len(want) {
			t.Fatalf("err %v; attempts at %v, want at %v", err, at, want)
		}
		for i := range want {
			if at[i] != want[i] {
				t.Errorf("attempt %d at %v, want %v (all: %v)", i+1, at[i], want[i], at)
			}
		}
	})
}

// TestRetryStopsWhenTheContextEnds: a cancellation during a pause ends the
// wait at once with both the last error and the cancellation.
func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
		defer cancel()
		start := time.Now()
		calls := 0
		err := retryWhile(ctx, time.Minute, func(error) bool { return true }, func() error {
			calls++
			return apiErr("NoSuchEntity")
		})
		if !errors.Is(err, context.DeadlineExceeded) || aws.Code(err) != "NoSuchEntity" {
			t.Errorf("err %v: want the last error joined with the deadline", err)
		}
		if calls != 2 || time.Since(start) != 700*time.Millisecond {
			t.Errorf("%d calls, returned after %v; want 2 calls, at the deadline (700ms)", calls, time.Since(start))
		}
	})
}
