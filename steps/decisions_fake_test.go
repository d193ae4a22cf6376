package steps_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// The decision tests (issue 21 item 5) run a step's Plan, and apply it,
// against the fakes of internal/awsfake (the fake-embedding pattern of
// bucket_fake_test.go): a call a fake does not answer panics, so a decision
// that starts calling something new is caught. What crosses the wire is
// tested against moto elsewhere.

const fakeAccount = testrun.FakeAccount

// fakeRun is a Run of a on the fake clients cl (testrun.OnFakes).
func fakeRun(t *testing.T, a *config.Answers, cl *aws.Clients) *steps.Run {
	t.Helper()
	return testrun.OnFakes(t, a, cl)
}

// applyOn applies step id (without its live verification, see
// testrun.WithoutVerify) on a fresh Run of a on the clients cl, and returns its
// plan and the changing calls log recorded meanwhile.
func applyOn(t *testing.T, a *config.Answers, cl *aws.Clients, id string, log *awsfake.Log) (*steps.Plan, []string) {
	t.Helper()
	start := log.Len()
	p, _, err := steps.ApplyStep(context.Background(), fakeRun(t, a, cl), testrun.WithoutVerify(id))
	if err != nil {
		t.Fatal(err)
	}
	return p, log.Since(start)
}

// doAll runs a plan's actions one after the other, in the plan's order (a
// plan that is not Concurrent runs so), failing the test on an error.
func doAll(t *testing.T, p *steps.Plan) {
	t.Helper()
	for _, act := range p.Actions {
		if err := act.Do(context.Background()); err != nil {
			t.Fatalf("%s: %v", act.Summary, err)
		}
	}
}

// fakeAccountPAB is S3 Control: the account has no Block Public Access.
type fakeAccountPAB struct{ aws.S3ControlAPI }

func (fakeAccountPAB) GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error) {
	return nil, awsfake.NotFound()
}
