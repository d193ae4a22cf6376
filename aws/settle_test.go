//go:build go1.25

// These tests need testing/synctest (Go 1.25); the module itself builds
// with Go 1.24 (go.mod), and a 1.24 toolchain leaves this file out.

package aws_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/cannedhttp"
)

// The SDK's retry loop sleeps on time.Timer, so in a synctest bubble its
// pauses pass on the bubble's clock at once and can be measured: these
// tests drive real SDK clients (New) whose requests are answered at the
// transport (cannedhttp), through the SDK's own retryer.

const putVersioning = "PUT ?versioning"

var conflictSettle = aws.Settle{NotYet: func(err error) bool { return aws.Code(err) == "OperationAborted" }, Budget: 10 * time.Second}

func enableVersioning(ctx context.Context, c *aws.Clients) error {
	_, err := c.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: sdk.String("b"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	return err
}

// TestSettleRetriesOperationAbortedInTheSDK: S3 answers OperationAborted
// twice, then OK. Under the Settle the SDK's retryer makes the third
// attempt; without it the first answer is final (the SDK does not retry a
// 409 of its own accord).
func TestSettleRetriesOperationAbortedInTheSDK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		twice := func(op string, n int) (int, string) {
			if n <= 2 {
				return 409, cannedhttp.S3Error("OperationAborted")
			}
			return 200, ""
		}
		c, h := cannedhttp.Clients(t, twice)
		start := time.Now()
		if err := enableVersioning(conflictSettle.In(context.Background()), c); err != nil {
			t.Fatalf("under the Settle: %v (requests %v)", err, h.Log())
		}
		if n := h.Calls(putVersioning); n != 3 {
			t.Errorf("%d requests (%v), want 3", n, h.Log())
		}
		// Pauses: at most 0.5 s, then at most 1 s (jittered doubling).
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Errorf("waited %v, want at most 1.5s", d)
		}

		c, h = cannedhttp.Clients(t, twice)
		err := enableVersioning(context.Background(), c)
		if aws.Code(err) != "OperationAborted" || h.Calls(putVersioning) != 1 {
			t.Errorf("without the Settle: err %v after %d requests, want OperationAborted after 1", err, h.Calls(putVersioning))
		}
	})
}

// TestSettleEndsWithinItsBudget: a lasting OperationAborted is returned as
// S3's own answer (not a retry error) once the next attempt would start
// after the budget; the pauses double (jittered) up to 8 s.
func TestSettleEndsWithinItsBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var at []time.Duration
		start := time.Now()
		c, _ := cannedhttp.Clients(t, func(string, int) (int, string) {
			at = append(at, time.Since(start))
			return 409, cannedhttp.S3Error("OperationAborted")
		})
		err := enableVersioning(conflictSettle.In(context.Background()), c)
		var max *retry.MaxAttemptsError
		if aws.Code(err) != "OperationAborted" || aws.Status(err) != 409 || errors.As(err, &max) {
			t.Fatalf("err %v: want S3's OperationAborted itself", err)
		}
		if len(at) < 4 || at[len(at)-1] > conflictSettle.Budget {
			t.Fatalf("attempts at %v: want at least 4, none after %v", at, conflictSettle.Budget)
		}
		for i := 1; i < len(at); i++ {
			if gap, bound := at[i]-at[i-1], min(500*time.Millisecond<<(i-1), 8*time.Second); gap > bound {
				t.Errorf("pause %d: %v, want at most %v (attempts at %v)", i, gap, bound, at)
			}
		}
	})
}

// TestSettleOnlyRetriesNothingElse: CreateAccessKey under an Only Settle
// retries throttling and a user IAM does not know yet, but a 500 (the key
// may have been made) is answered after one attempt; without Only, the
// client's retryer still makes its 8 attempts of a 500.
func TestSettleOnlyRetriesNothingElse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		keyOnly := aws.Settle{NotYet: func(err error) bool { return aws.IsThrottle(err) || aws.Code(err) == "NoSuchEntity" }, Budget: time.Minute, Only: true}
		create := func(ctx context.Context, c *aws.Clients) error {
			_, err := c.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("u")})
			return err
		}
		c, h := cannedhttp.Clients(t, func(_ string, n int) (int, string) {
			switch n {
			case 1:
				return 404, cannedhttp.QueryError("NoSuchEntity", "")
			case 2:
				return 400, cannedhttp.QueryError("Throttling", "")
			}
			return 200, `<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>u</UserName><AccessKeyId>AKIANEW</AccessKeyId><Status>Active</Status><SecretAccessKey>s</SecretAccessKey><CreateDate>2026-01-01T00:00:00Z</CreateDate></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>`
		})
		if err := create(keyOnly.In(context.Background()), c); err != nil || h.Calls("CreateAccessKey") != 3 {
			t.Errorf("NoSuchEntity, Throttling, OK: err %v after %d requests, want success after 3", err, h.Calls("CreateAccessKey"))
		}
		fail := func(string, int) (int, string) { return 500, cannedhttp.QueryError("ServiceFailure", "") }
		c, h = cannedhttp.Clients(t, fail)
		if err := create(keyOnly.In(context.Background()), c); aws.Status(err) != 500 || h.Calls("CreateAccessKey") != 1 {
			t.Errorf("500 under Only: err %v after %d requests, want it after 1", err, h.Calls("CreateAccessKey"))
		}
		c, h = cannedhttp.Clients(t, fail)
		err := create(context.Background(), c)
		var max *retry.MaxAttemptsError
		if !errors.As(err, &max) || h.Calls("CreateAccessKey") != 8 {
			t.Errorf("500 unmarked: err %v after %d requests, want the SDK's 8 attempts", err, h.Calls("CreateAccessKey"))
		}
	})
}

// TestSettleStopsWhenTheContextEnds: a cancellation during a pause ends the
// call at once.
func TestSettleStopsWhenTheContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h := cannedhttp.Clients(t, func(string, int) (int, string) { return 409, cannedhttp.S3Error("OperationAborted") })
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		long := conflictSettle
		long.Budget = time.Hour
		start := time.Now()
		err := enableVersioning(long.In(ctx), c)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 300*time.Millisecond {
			t.Errorf("err %v after %v and %d requests: want the deadline, at 300ms at most", err, time.Since(start), h.Calls(putVersioning))
		}
	})
}

// TestSettleWait: the one loop outside an SDK call (a check) pauses as the
// SDK does, stops within the budget with the last error, and at a
// cancellation with both.
func TestSettleWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		notYet := errors.New("not yet")
		s := aws.Settle{NotYet: func(err error) bool { return err == notYet }, Budget: 20 * time.Second}
		calls := 0
		if err := s.Wait(context.Background(), func() error {
			if calls++; calls < 3 {
				return notYet
			}
			return nil
		}); err != nil || calls != 3 {
			t.Errorf("err %v after %d calls, want success after 3", err, calls)
		}
		calls = 0
		other := errors.New("other")
		if err := s.Wait(context.Background(), func() error { calls++; return other }); err != other || calls != 1 {
			t.Errorf("another error: %v after %d calls, want it after 1", err, calls)
		}
		start := time.Now()
		var at []time.Duration
		err := s.Wait(context.Background(), func() error { at = append(at, time.Since(start)); return notYet })
		if err != notYet || len(at) < 4 || at[len(at)-1] > s.Budget {
			t.Errorf("lasting: err %v, attempts at %v; want notYet, at least 4 attempts, none after %v", err, at, s.Budget)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		long := s
		long.Budget = time.Hour
		start = time.Now()
		err = long.Wait(ctx, func() error { return notYet })
		if !errors.Is(err, notYet) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 200*time.Millisecond {
			t.Errorf("cancelled: err %v after %v, want both errors by 200ms", err, time.Since(start))
		}
	})
}

// TestSettleMarksAddUp: a call under two Settles retries the answers of
// each within its own budget, and Only of one keeps the other's answers
// retried (CreateAccessKey: NoSuchEntity for 15 s, throttling for 60 s,
// nothing else).
func TestSettleMarksAddUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		entity := aws.Settle{NotYet: func(err error) bool { return aws.Code(err) == "NoSuchEntity" }, Budget: 15 * time.Second}
		throttle := aws.Settle{NotYet: aws.IsThrottle, Budget: time.Minute, Only: true}
		for _, c := range []struct {
			code     string
			status   int
			min, max time.Duration
		}{
			// A wait stops when the next pause (at most 8 s) would end past
			// the budget: the last attempt is within 8 s of it.
			{"NoSuchEntity", 404, 7 * time.Second, 15 * time.Second},
			{"Throttling", 400, 52 * time.Second, time.Minute},
			{"ServiceFailure", 500, 0, 0},
		} {
			start := time.Now()
			var last time.Duration
			c2, h := cannedhttp.Clients(t, func(string, int) (int, string) {
				last = time.Since(start)
				return c.status, cannedhttp.QueryError(c.code, "")
			})
			_, err := c2.IAM.CreateAccessKey(entity.In(throttle.In(context.Background())), &iam.CreateAccessKeyInput{UserName: sdk.String("u")})
			if aws.Code(err) != c.code || last < c.min || last > c.max {
				t.Errorf("%s: err %v, last of %d attempts at %v; want it, the last attempt within [%v, %v]", c.code, err, h.Calls("CreateAccessKey"), last, c.min, c.max)
			}
		}
	})
}

// TestProviderConfigWriteWaitsOneAttemptNotAWholeSettle: at a provider's
// endpoint bucket-configuration writes go one at a time (MinIO loses a
// lifecycle written while versioning is), but one attempt at a time: a
// policy put waiting out AccessDenied must not hold back a versioning write
// for its whole wait. On the real clock (a goroutine waiting on a mutex
// would stop a synctest bubble's clock), but without sleeping: the policy
// put is cancelled once the versioning write is through.
func TestProviderConfigWriteWaitsOneAttemptNotAWholeSettle(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	pausing := make(chan struct{})
	h := &cannedhttp.Client{Answer: func(op string, n int) (int, string) {
		if op == "PUT ?policy" {
			if n == 1 {
				close(pausing)
			}
			return 403, cannedhttp.S3Error("AccessDenied")
		}
		return 200, ""
	}}
	c, err := aws.New(context.Background(), aws.Options{Region: "us-east-1", Endpoint: "https://s3.provider.example",
		Static: &aws.StaticCreds{ID: "PROVIDERKEY", Secret: "providersecret"}, HTTPClient: h})
	if err != nil {
		t.Fatal(err)
	}
	denied := aws.Settle{NotYet: func(err error) bool { return aws.Code(err) == "AccessDenied" }, Budget: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() {
		_, err := c.S3.PutBucketPolicy(denied.In(ctx), &s3.PutBucketPolicyInput{Bucket: sdk.String("b"), Policy: sdk.String("{}")})
		done <- err
	}()
	<-pausing
	start := time.Now()
	if err := enableVersioning(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the versioning write waited %v behind the policy put's retries", d)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("policy put: %v, want it cancelled while waiting", err)
	}
}

// TestUnmarkedCallsRetryAsTheStandardRetryer: a call under no Settle is
// retried exactly as by the SDK's standard retryer (8 attempts, the same
// retry quota): call after call answered 500, each makes as many attempts
// as a client with the standard retryer itself, until the quota runs out.
func TestUnmarkedCallsRetryAsTheStandardRetryer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fail := func(string, int) (int, string) { return 500, cannedhttp.S3Error("InternalError") }
		attempts := func(cl *s3.Client, h *cannedhttp.Client) []int {
			var got []int
			for range 7 {
				before := h.Calls(putVersioning)
				_, _ = cl.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: sdk.String("b"),
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
				got = append(got, h.Calls(putVersioning)-before)
			}
			return got
		}
		c, h := cannedhttp.Clients(t, fail)
		ours := attempts(c.S3.(*s3.Client), h)
		c, h = cannedhttp.Clients(t, fail)
		standard := attempts(s3.NewFromConfig(c.Cfg, func(o *s3.Options) {
			o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts, o.MaxBackoff = 8, 20*time.Second })
		}), h)
		if !slices.Equal(ours, standard) || ours[0] != 8 {
			t.Errorf("attempts per call: %v, the standard retryer's %v", ours, standard)
		}
	})
}
