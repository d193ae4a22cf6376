//go:build go1.25

// The retry tests need testing/synctest (Go 1.25); the module itself builds
// with Go 1.24 (go.mod), and a 1.24 toolchain leaves this file out.

package steps

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/cannedhttp"
	"github.com/s3wizard/s3wizard/policy"
)

// AWS's transient answers (OperationAborted, NoSuchEntity right after a
// create, a new key not yet known, AccessDenied right after Block Public
// Access is relaxed) are retried by the SDK's retryer under the Settles of
// retry.go. No emulator answers them: these tests call the wizard's own
// functions with real SDK clients whose requests get scripted answers at the
// transport (cannedhttp), in a synctest bubble, so the SDK's backoff passes
// on the bubble's clock. Each fails if its call lost its Settle, except the
// bucket policy put and UpdateEnvironment, whose calls sit inside a plan's
// action: there the Settle (policyPut, ebProfileSettle) is given to the same
// call here. The policy itself (pauses, budget, cancellation) is tested in
// aws/settle_test.go.

func s3Err(status int, code string) [2]any    { return [2]any{status, cannedhttp.S3Error(code)} }
func queryErr(status int, code string) [2]any { return [2]any{status, cannedhttp.QueryError(code, "")} }

var okAnswer = [2]any{200, ""}

// moto neither enforces Block Public Access nor makes concurrent writes to
// one bucket conflict: the policy put's transient AccessDenied and
// OperationAborted are retried, anything else is final, and a lasting
// denial (the account-level block) ends within the budget.
func TestPolicyPutRetriesTransientDenialAndConflict(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		doc := mustBucket(t, "b")
		put := func(c *aws.Clients) error {
			_, err := SendBucketPolicy(policyPut.In(context.Background()), c.S3, &s3.PutBucketPolicyInput{Bucket: sdk.String("b"), Policy: &doc})
			return err
		}
		c, h := cannedhttp.Clients(t, cannedhttp.Script("PUT ?policy", "", s3Err(403, "AccessDenied"), s3Err(409, "OperationAborted"), okAnswer))
		if err := put(c); err != nil || h.Calls("PUT ?policy") != 3 {
			t.Errorf("err %v after %d requests, want success after 3", err, h.Calls("PUT ?policy"))
		}
		c, h = cannedhttp.Clients(t, cannedhttp.Script("PUT ?policy", "", s3Err(400, "MalformedPolicy")))
		if err := put(c); aws.Code(err) != "MalformedPolicy" || h.Calls("PUT ?policy") != 1 {
			t.Errorf("MalformedPolicy: err %v after %d requests, want it after 1", err, h.Calls("PUT ?policy"))
		}
		c, h = cannedhttp.Clients(t, cannedhttp.Script("PUT ?policy", "", s3Err(403, "AccessDenied")))
		start := time.Now()
		if err := put(c); aws.Code(err) != "AccessDenied" || h.Calls("PUT ?policy") < 3 || time.Since(start) > policyRetryBudget {
			t.Errorf("lasting AccessDenied: err %v after %d requests in %v, want it within %v", err, h.Calls("PUT ?policy"), time.Since(start), policyRetryBudget)
		}
	})
}

func mustBucket(t *testing.T, bucket string) string {
	t.Helper()
	d, ok := policy.Bucket(bucket, policy.BucketOptions{DenyInsecure: true})
	if !ok {
		t.Fatal("no bucket policy")
	}
	return d.JSON()
}

// The other bucket writes retry only the conflict: an AccessDenied there is
// a missing permission.
func TestConflictRetryIsOnlyForOperationAborted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if !isConflict(&aws.Advice{Err: apiErr("OperationAborted")}) || isConflict(apiErr("AccessDenied")) {
			t.Error("isConflict must hold for OperationAborted only")
		}
		rules := []types.LifecycleRule{{ID: sdk.String("r"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: sdk.String("")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: sdk.Int32(7)}}}
		c, h := cannedhttp.Clients(t, cannedhttp.Script("PUT ?lifecycle", "", s3Err(409, "OperationAborted"), okAnswer))
		if err := putLifecycle(context.Background(), c.S3, "b", rules); err != nil || h.Calls("PUT ?lifecycle") != 2 {
			t.Errorf("lifecycle: err %v after %d requests, want success after 2", err, h.Calls("PUT ?lifecycle"))
		}
		c, h = cannedhttp.Clients(t, cannedhttp.Script("PUT ?encryption", "", s3Err(409, "OperationAborted"), s3Err(403, "AccessDenied")))
		rule := types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}
		if err := putEncryptionAction(c.S3, "b", rule, "").Do(context.Background()); aws.Code(err) != "AccessDenied" || h.Calls("PUT ?encryption") != 2 {
			t.Errorf("encryption: err %v after %d requests, want AccessDenied after 2", err, h.Calls("PUT ?encryption"))
		}
		c, h = cannedhttp.Clients(t, cannedhttp.Script("PUT ?cors", "", s3Err(409, "OperationAborted"), okAnswer))
		cors := []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://example.com"}}}
		if err := putCORS(context.Background(), c.S3, "b", cors); err != nil || h.Calls("PUT ?cors") != 2 {
			t.Errorf("CORS: err %v after %d requests, want success after 2", err, h.Calls("PUT ?cors"))
		}
	})
}

// A role created moments ago can be unknown to the next IAM call on AWS
// (moto is always consistent): NoSuchEntity is waited out within
// aws.NewEntity's budget, anything else returns at once.
func TestRetryUnknownEntity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const op = "AddRoleToInstanceProfile"
		c, h := cannedhttp.Clients(t, cannedhttp.Script(op, "", queryErr(404, "NoSuchEntity"), queryErr(404, "NoSuchEntity"), okAnswer))
		if err := addRoleToProfile(context.Background(), c.IAM, "r"); err != nil || h.Calls(op) != 3 {
			t.Errorf("err %v after %d requests, want success after 3", err, h.Calls(op))
		}
		c, h = cannedhttp.Clients(t, cannedhttp.Script(op, "", queryErr(403, "AccessDenied")))
		if err := addRoleToProfile(context.Background(), c.IAM, "r"); aws.Code(err) != "AccessDenied" || h.Calls(op) != 1 {
			t.Errorf("AccessDenied: err %v after %d requests, want it after 1", err, h.Calls(op))
		}
		c, h = cannedhttp.Clients(t, cannedhttp.Script(op, "", queryErr(404, "NoSuchEntity")))
		start := time.Now()
		if err := addRoleToProfile(context.Background(), c.IAM, "r"); !aws.IsNotFound(err) || time.Since(start) > aws.NewEntity.Budget {
			t.Errorf("lasting NoSuchEntity: err %v after %d requests in %v, want it within %v", err, h.Calls(op), time.Since(start), aws.NewEntity.Budget)
		}
	})
}

// moto does not implement Elastic Beanstalk's UpdateEnvironment, so it
// cannot show the InvalidParameterValue AWS answers while a new instance
// profile propagates: waited out; the same code about another option is not.
func TestUpdateEnvironmentWaitsForTheInstanceProfile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		notReady := [2]any{400, cannedhttp.QueryError("InvalidParameterValue", "Invalid option value: 'mon-app-staging-s3' (Namespace: 'aws:autoscaling:launchconfiguration', OptionName: 'IamInstanceProfile'): Instance profile does not exist")}
		other := [2]any{400, cannedhttp.QueryError("InvalidParameterValue", "No Environment found for EnvironmentName = 'prod'.")}
		in := ebUpdateInput("prod", "mon-app-staging-s3", nil)
		for _, c := range []struct {
			answers [][2]any
			ok      bool
			calls   int
		}{{[][2]any{notReady, notReady, okAnswer}, true, 3}, {[][2]any{other, okAnswer}, false, 1}} {
			cl, h := cannedhttp.Clients(t, cannedhttp.Script("UpdateEnvironment", "", c.answers...))
			_, err := cl.EB.UpdateEnvironment(ebProfileSettle.In(context.Background()), in)
			if (err == nil) != c.ok || h.Calls("UpdateEnvironment") != c.calls {
				t.Errorf("%v: err %v after %d requests, want ok=%v after %d", c.answers, err, h.Calls("UpdateEnvironment"), c.ok, c.calls)
			}
		}
	})
}
