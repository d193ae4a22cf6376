package engine

import (
	"context"
	"errors"
	"time"

	"github.com/s3wizard/s3wizard/aws"
)

// RetryCheck re-runs a check of brand-new resources while it fails, for at
// most budget: a new user's group membership and policy, or a new access
// key, take a few seconds to apply on AWS, so a first AccessDenied is not
// yet a verdict. A check is no single SDK call (it may be an HTTP probe), so
// it waits through aws.Settle.Wait, the one loop outside the SDK's retryer.
func RetryCheck(ctx context.Context, budget time.Duration, fn func() Check) Check {
	var c Check
	notYet := errors.New("check failed")
	fresh := aws.Settle{NotYet: func(err error) bool { return err == notYet }, Budget: budget}
	_ = fresh.Wait(ctx, func() error {
		if c = fn(); c.OK {
			return nil
		}
		return notYet
	})
	return c
}

// cleanupTimeout bounds a clean-up that must run even when the run was
// interrupted (its context cancelled).
const cleanupTimeout = 30 * time.Second

// CleanupContext is ctx without its cancellation, bounded by 30 s: a
// clean-up outlives ctrl+c but never hangs the exit on a dead network.
func CleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}
