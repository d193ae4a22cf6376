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
// Every such wait in the wizard is an aws.Settle declared here (or beside
// its one call): the SDK's retryer repeats a call made with the context
// Settle.In returns (aws/settle.go), and a check that is no single SDK call
// (an HTTP probe, a new key's first use) waits through Settle.Wait.

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

// throttleBudget bounds the retries of CreateAccessKey (keyCreation).
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

// settleNewKey marks ctx for a call made with the access key id: while the
// key is new (keyIsNew), AWS's "unknown key" is waited out; otherwise the
// first answer is final.
func (r *Run) settleNewKey(ctx context.Context, id string) context.Context {
	if !r.keyIsNew(id) {
		return ctx
	}
	return aws.Settle{NotYet: aws.IsInvalidKey, Budget: r.keyPropagation()}.In(ctx)
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
// a first AccessDenied is not yet a verdict. A check is no single SDK call
// (it may be an HTTP probe), so it waits through Settle.Wait, the one loop
// outside the SDK's retryer.
func (r *Run) retryFresh(ctx context.Context, fn func() Check) Check {
	var c Check
	notYet := errors.New("check failed")
	fresh := aws.Settle{NotYet: func(err error) bool { return err == notYet }, Budget: r.keyPropagation()}
	_ = fresh.Wait(ctx, func() error {
		if c = fn(); c.OK {
			return nil
		}
		return notYet
	})
	return c
}

// newEntity waits out IAM's NoSuchEntity for a user, group, role, policy or
// instance profile created moments ago (the calls right after a create).
var newEntity = aws.Settle{NotYet: isUnknownEntity, Budget: iamPropagation}

func isUnknownEntity(err error) bool { return aws.Code(err) == "NoSuchEntity" }

// keyCreation is CreateAccessKey's wait, with newEntity: a throttled call
// and a user IAM does not know yet made nothing, so they are retried;
// nothing else is (Only: CreateAccessKey is not idempotent, and a retry after
// a lost answer would make a second key while the first one's secret is
// gone).
var keyCreation = aws.Settle{NotYet: aws.IsThrottle, Budget: throttleBudget, Only: true}

// conflictRetryBudget bounds the retries of S3's OperationAborted.
const conflictRetryBudget = 10 * time.Second

// conflict waits out S3's OperationAborted ("a conflicting conditional
// operation is currently in progress"), which S3 may answer when several
// settings of one bucket change at once, as they do here and in the other
// steps running alongside.
var conflict = aws.Settle{NotYet: isConflict, Budget: conflictRetryBudget}

// isConflict reports S3's OperationAborted (409).
func isConflict(err error) bool { return aws.Code(err) == "OperationAborted" }
