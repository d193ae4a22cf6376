package day2_test

import (
	"testing"
	"time"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// The day-2 decision tests (issue 21 item 5) run destroy and rotate-keys on
// the fakes of internal/awsfake (the fake-embedding pattern of
// steps/bucket_fake_test.go): IAM and S3 share one call log, so a test sees
// what was changed and in which order. What crosses the wire is tested
// against moto elsewhere.

const fakeAccount = testrun.FakeAccount

// accessKey is the metadata of user's key id, made an hour ago.
func accessKey(user, id string, status iamtypes.StatusType) iamtypes.AccessKeyMetadata {
	return awsfake.Key(user, id, time.Now().Add(-time.Hour), status)
}

// fakeRun is a Run of a on the fake clients cl (testrun.OnFakes), its
// progress holding the answers and seeded by seed.
func fakeRun(t *testing.T, a *config.Answers, cl *aws.Clients, seed func(p *state.Progress)) *steps.Run {
	t.Helper()
	r := testrun.OnFakes(t, a, cl)
	if err := r.State.Update(func(p *state.Progress) {
		p.SetAnswers(a)
		if seed != nil {
			seed(p)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

// seedEnv writes env's progress in dir as an earlier apply of that env
// would have.
func seedEnv(t *testing.T, dir string, a *config.Answers, seed func(p *state.Progress)) {
	t.Helper()
	p, err := state.Open(dir, a.Env)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Update(func(p *state.Progress) { p.SetAnswers(a); seed(p) }); err != nil {
		t.Fatal(err)
	}
}
