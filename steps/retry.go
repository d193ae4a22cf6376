package steps

import (
	"context"
	"errors"
	"time"

	"github.com/s3wizard/s3wizard/aws"
)

// AWS is eventually consistent in ways an emulator never shows: a new
// access key, user, policy or bucket can be unknown for seconds to the next
// call, and concurrent changes to one bucket can answer OperationAborted.
// Every such wait in the wizard goes through retryWhile.

// retryFirstDelay is the first pause between attempts; it doubles up to 8 s.
const retryFirstDelay = 500 * time.Millisecond

// newKeyPropagation bounds how long a new key (or a new user's grants) may
// take to work before the wizard calls it broken (Run.KeyPropagation
// shortens it for a run).
const newKeyPropagation = 60 * time.Second

func (r *Run) keyPropagation() time.Duration {
	if r.KeyPropagation > 0 {
		return r.KeyPropagation
	}
	return newKeyPropagation
}

// throttleBudget bounds the retries of a throttled call the SDK's own
// retryer may not repeat (CreateAccessKey: one attempt per call).
const throttleBudget = 60 * time.Second

// iamPropagation bounds how long a just-created IAM user, group or policy
// may stay unknown to the next IAM call.
const iamPropagation = 15 * time.Second

// cleanupTimeout bounds a clean-up that must run even when the run was
// interrupted (its context cancelled).
const cleanupTimeout = 30 * time.Second

// cleanupContext is ctx without its cancellation, bounded by cleanupTimeout:
// a clean-up outlives ctrl+c but never hangs the exit on a dead network.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// retryWhile re-runs fn while retryable says its error is transient, with
// growing delays, until it succeeds, fails for another reason, or the next
// attempt would start after budget.
func retryWhile(ctx context.Context, budget time.Duration, retryable func(error) bool, fn func() error) error {
	deadline := time.Now().Add(budget)
	delay := retryFirstDelay
	for {
		err := fn()
		if err == nil || !retryable(err) || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 8*time.Second)
	}
}

// madeKey records that this run created the access key id.
func (r *Run) madeKey(id string) {
	r.newKeysMu.Lock()
	defer r.newKeysMu.Unlock()
	if r.newKeys == nil {
		r.newKeys = map[string]bool{}
	}
	r.newKeys[id] = true
}

// keyIsNew reports whether the access key id may still be propagating
// through IAM: this run created it, or the progress file records it as
// created less than the propagation bound ago (a run that stopped right
// after making it). Only such a key's failures are retried: an established
// key that AWS refuses (deleted, deactivated) or that cannot use the bucket
// is reported at once, not after a minute of retries.
func (r *Run) keyIsNew(id string) bool {
	r.newKeysMu.Lock()
	made := r.newKeys[id]
	r.newKeysMu.Unlock()
	if made {
		return true
	}
	if r.State == nil {
		return false
	}
	k := r.State.Key(id)
	return k != nil && !k.Created.IsZero() && r.now().Sub(k.Created) < r.keyPropagation()
}

// retryNewKey retries fn while AWS does not know the key id yet, when the
// key is new (keyIsNew); otherwise fn runs once. Other errors return at
// once.
func (r *Run) retryNewKey(ctx context.Context, id string, fn func(context.Context) error) error {
	if !r.keyIsNew(id) {
		return fn(ctx)
	}
	return retryWhile(ctx, r.keyPropagation(), aws.IsInvalidKey, func() error { return fn(ctx) })
}

// retryFreshKey is retryFresh for a check made with the access key id:
// retried only while the key is new (keyIsNew), run once otherwise.
func (r *Run) retryFreshKey(ctx context.Context, id string, fn func() Check) Check {
	if !r.keyIsNew(id) {
		return fn()
	}
	return r.retryFresh(ctx, fn)
}

// retryFresh re-runs a check of brand-new resources while it fails: a new
// user's group membership and policy take a few seconds to apply on AWS, so
// a first AccessDenied is not yet a verdict.
func (r *Run) retryFresh(ctx context.Context, fn func() Check) Check {
	var c Check
	notYet := errors.New("check failed")
	_ = retryWhile(ctx, r.keyPropagation(), func(error) bool { return true }, func() error {
		if c = fn(); c.OK {
			return nil
		}
		return notYet
	})
	return c
}

// retryUnknownEntity retries an IAM call on a user, group or policy created
// moments ago while IAM still answers NoSuchEntity.
func retryUnknownEntity(ctx context.Context, fn func() error) error {
	return retryWhile(ctx, iamPropagation, aws.IsNotFound, fn)
}

// conflictRetryBudget bounds the retries of S3's OperationAborted.
const conflictRetryBudget = 10 * time.Second

// retryConflict retries S3's OperationAborted ("a conflicting conditional
// operation is currently in progress"), which S3 may answer when several
// settings of one bucket change at once, as they do here and in the other
// steps running alongside.
func retryConflict(ctx context.Context, fn func() error) error {
	return retryWhile(ctx, conflictRetryBudget, isConflict, fn)
}

// isConflict reports S3's OperationAborted (409).
func isConflict(err error) bool { return aws.Code(err) == "OperationAborted" }
