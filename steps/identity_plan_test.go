package steps_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/steps"
)

// PlanStep learns the AWS identity before any step (a resumed run skips
// preflight), except for an S3-compatible provider, which has no STS.
func TestPlanStepAsksIdentityOnlyOnAWS(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens: a call fails fast
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	for _, k := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		t.Setenv(k, t.TempDir()+"/none")
	}
	t.Setenv("AWS_PROFILE", "")
	c, err := aws.New(context.Background(), aws.Options{Region: "eu-west-3"})
	if err != nil {
		t.Fatal(err)
	}
	step := &steps.Step{ID: "noop", Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return &steps.Plan{}, nil }}
	for _, tc := range []struct {
		creds   string
		wantSTS bool
	}{{config.CredProvided, false}, {config.CredAccessKeys, true}} {
		var calls []string
		r := &steps.Run{AWS: c, Answers: &config.Answers{Credentials: tc.creds},
			Report: func(e steps.Event) { calls = append(calls, e.Text) }}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := steps.PlanStep(ctx, r, step)
		cancel()
		asked := strings.Contains(strings.Join(calls, " "), "sts:GetCallerIdentity")
		if asked != tc.wantSTS {
			t.Errorf("credentials %s: sts:GetCallerIdentity asked = %v, want %v (calls %v)", tc.creds, asked, tc.wantSTS, calls)
		}
		if tc.wantSTS && err == nil {
			t.Errorf("credentials %s: no identity, yet the plan went on", tc.creds)
		}
		if !tc.wantSTS && err != nil {
			t.Errorf("credentials %s: %v", tc.creds, err)
		}
	}
}
