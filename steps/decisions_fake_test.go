package steps_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// The decision tests (issue 21 item 5) run a step's Plan, and apply it,
// against the fakes of internal/awsfake (the fake-embedding pattern of
// bucket_fake_test.go): a call a fake does not answer panics, so a decision
// that starts calling something new is caught. What crosses the wire is
// tested against moto elsewhere.

const fakeAccount = "111122223333"

// fakeRun is a Run on the fake clients cl in a fresh project directory,
// with its progress file open (closed when the test ends).
func fakeRun(t *testing.T, a *config.Answers, cl *aws.Clients) *steps.Run {
	t.Helper()
	dir := t.TempDir()
	st, err := state.Open(dir, a.Env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if cl.Region == "" {
		cl.Region = a.Region
	}
	return &steps.Run{Dir: dir, Answers: a, State: st, AWS: cl, Account: fakeAccount, Now: time.Now, Report: func(steps.Event) {}}
}

// planOf plans step id on r, failing the test on an error.
func planOf(t *testing.T, r *steps.Run, id string) *steps.Plan {
	t.Helper()
	p, err := steps.Find(steps.All(), id).Plan(context.Background(), r)
	if err != nil {
		t.Fatalf("plan %s: %v", id, err)
	}
	return p
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
