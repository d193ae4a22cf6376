package aws

import (
	"context"
	"errors"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// AWS is eventually consistent in ways an emulator never shows: a user,
// key or instance profile made moments ago can be unknown to the next call,
// and concurrent changes to one bucket can answer OperationAborted. The SDK's
// retryer is the one retry policy for these answers too. Every client's
// retryer (New) retries throttling, 5xx and network errors with jittered
// exponential backoff; a Settle widens what it retries for the calls made
// with the context Settle.In returns, and bounds that by a time budget. The
// SDK's retry loop repeats the call; no loop of the wizard's surrounds it.

// Settle is a wait for AWS to settle after a change.
type Settle struct {
	// NotYet reports an answer that means "not yet" (NoSuchEntity right after
	// the entity was made): retried until Budget is spent.
	NotYet func(error) bool
	// Budget bounds the wait: no retry of a NotYet answer starts later
	// than Budget after In (or Wait) was called.
	Budget time.Duration
	// Only: the call retries NotYet answers alone, none of the client's usual
	// ones (network errors, 5xx), for a call that must not be repeated when
	// its answer may have been lost: CreateAccessKey would make a second key
	// while the first one's secret is gone.
	Only bool
}

// settleBackoff gives the pauses between attempts of a NotYet answer:
// jittered, doubling from 0.5 s, at most 8 s (the SDK's 2026 formula;
// throttling answers start from 1 s).
var settleBackoff = retry.NewStandard(func(o *retry.StandardOptions) {
	o.BaseDelay = 500 * time.Millisecond
	o.MaxBackoff = 8 * time.Second
})

// settleDelay is the pause before attempt+1 of a NotYet answer, or false
// when that attempt would start after deadline.
func settleDelay(attempt int, err error, deadline time.Time) (time.Duration, bool) {
	d, derr := settleBackoff.RetryDelay(attempt, err)
	if derr != nil || time.Now().Add(d).After(deadline) {
		return 0, false
	}
	return d, true
}

type settleKey struct{}

// settling is a Settle in force in a context, with its deadline.
type settling struct {
	Settle
	deadline time.Time
}

// In returns ctx marked with s: every SDK call made with it retries s's
// NotYet answers until s.Budget after now. Marks add up: a call made with a
// context marked twice retries the answers of both.
func (s Settle) In(ctx context.Context) context.Context {
	if s.NotYet == nil {
		return ctx
	}
	marks, _ := ctx.Value(settleKey{}).([]settling)
	marks = append(marks[:len(marks):len(marks)], settling{Settle: s, deadline: time.Now().Add(s.Budget)})
	return context.WithValue(ctx, settleKey{}, marks)
}

// Wait runs fn until it succeeds, returns an answer s.NotYet does not
// accept, or the budget is spent, with the pauses of SDK calls (it is for a
// check that is no single SDK call: an HTTP probe, a new key's first use).
// A cancellation during a pause returns the last error with ctx's.
func (s Settle) Wait(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(s.Budget)
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || s.NotYet == nil || !s.NotYet(err) {
			return err
		}
		d, ok := settleDelay(attempt, err, deadline)
		if !ok {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

// notYet is an answer of a call under a Settle that the Settle retries.
type notYet struct {
	error
	deadline time.Time
}

func (e *notYet) Unwrap() error { return e.error }

// final is any other answer of a call under a Settle with Only: the SDK's
// retryer must not repeat it (RetryableError is its interface for that).
type final struct{ error }

func (e *final) Unwrap() error        { return e.error }
func (e *final) RetryableError() bool { return false }

type attemptsKey struct{}

// settleAnswers adds the middleware, inside the SDK's retry loop, that marks
// each failed attempt's answer for the retryer by the Settles in its
// context, and counts the call's attempts (see retryer.GetRetryToken).
func settleAnswers(stack *middleware.Stack) error {
	if _, ok := stack.Finalize.Get("Retry"); !ok {
		return nil
	}
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("s3wizardAttempts",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, attemptsKey{}, new(int)), in)
		}), middleware.After)
	if err != nil {
		return err
	}
	return insertAfterRetry(stack, middleware.FinalizeMiddlewareFunc("s3wizardSettle",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if n, ok := ctx.Value(attemptsKey{}).(*int); ok {
				*n++
			}
			out, md, err := next.HandleFinalize(ctx, in)
			marks, _ := ctx.Value(settleKey{}).([]settling)
			if err == nil || len(marks) == 0 {
				return out, md, err
			}
			only := false
			for i := len(marks) - 1; i >= 0; i-- {
				if marks[i].NotYet(err) {
					return out, md, &notYet{error: err, deadline: marks[i].deadline}
				}
				only = only || marks[i].Only
			}
			if only {
				return out, md, &final{err}
			}
			return out, md, err
		}))
}

// insertAfterRetry adds m inside the SDK's retry loop: it runs once per
// attempt. A stack without the loop (a presigned request) gets none.
func insertAfterRetry(stack *middleware.Stack, m middleware.FinalizeMiddleware) error {
	if _, ok := stack.Finalize.Get("Retry"); !ok {
		return nil
	}
	return stack.Finalize.Insert(m, "Retry", middleware.After)
}

// retryer is every client's retryer: the SDK's standard one, which also
// retries the answers a Settle marked as not yet.
type retryer struct{ sdk.RetryerV2 }

func newRetryer() sdk.Retryer {
	// Throttling, 5xx and network errors: jittered exponential backoff.
	return retryer{retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 8
		o.MaxBackoff = 20 * time.Second
	})}
}

// MaxAttempts is unbounded for the SDK's loop: a Settle's budget bounds its
// answers, and any other answer's retries end after the standard retryer's
// attempts (GetRetryToken, RetryDelay), as the standard retryer ends them.
func (r retryer) MaxAttempts() int { return 0 }

func (r retryer) IsErrorRetryable(err error) bool {
	var ny *notYet
	if errors.As(err, &ny) {
		return true
	}
	return r.RetryerV2.IsErrorRetryable(err)
}

// GetRetryToken: a not-yet answer is expected, not a sign of a failing
// service: it takes nothing from the retry quota. Nor does a retry that will
// not be made: the call's attempts are spent (RetryDelay then ends it).
func (r retryer) GetRetryToken(ctx context.Context, err error) (func(error) error, error) {
	var ny *notYet
	if errors.As(err, &ny) {
		return nopRelease, nil
	}
	if n, ok := ctx.Value(attemptsKey{}).(*int); ok && r.spent(*n) {
		return nopRelease, nil
	}
	return r.RetryerV2.GetRetryToken(ctx, err)
}

func nopRelease(error) error { return nil }

// spent reports whether attempts is all the standard retryer allows.
func (r retryer) spent(attempts int) bool {
	max := r.RetryerV2.MaxAttempts()
	return max > 0 && attempts >= max
}

// RetryDelay is the pause before attempt+1, or the answer to return when
// there is none: the not-yet answer itself once its budget is spent, as if
// never retried.
func (r retryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	var ny *notYet
	if errors.As(err, &ny) {
		if d, ok := settleDelay(attempt, ny.error, ny.deadline); ok {
			return d, nil
		}
		return 0, ny.error
	}
	if r.spent(attempt) {
		return 0, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
	}
	return r.RetryerV2.RetryDelay(attempt, err)
}

// NewEntity waits out IAM's NoSuchEntity for a user, group, role, policy or
// instance profile created moments ago (the calls right after a create):
// for at most 15 s.
var NewEntity = Settle{NotYet: func(err error) bool { return Code(err) == "NoSuchEntity" }, Budget: 15 * time.Second}
