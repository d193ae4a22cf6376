package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/statetest"
	"github.com/s3wizard/s3wizard/state"
)

// fakeRun is a run for steps that make no AWS call: an open progress
// file, an account STS has answered or not, the guessed one.
type fakeRun struct {
	info           RunInfo
	mu             sync.Mutex
	account, guess string
}

func (f *fakeRun) Info() RunInfo                  { return f.info }
func (f *fakeRun) Identify(context.Context) error { return nil }
func (f *fakeRun) Emit(Event)                     {}
func (f *fakeRun) Identity() (string, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.account, ""
}
func (f *fakeRun) SetGuess(a string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.guess = a
}

// accountID is the account a step's plan names (steps.Run.AccountID).
func (f *fakeRun) accountID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.account != "":
		return f.account
	case f.guess != "":
		return f.guess
	}
	return aws.PlaceholderAccount
}

// newFakeRun is a fakeRun with an open progress file.
func newFakeRun(t *testing.T) *fakeRun {
	t.Helper()
	return &fakeRun{info: RunInfo{Answers: &config.Answers{Env: "staging"}, State: statetest.Open(t, t.TempDir(), "staging")}}
}

// finished records steps as an earlier run left them: done.
func finished(t *testing.T, r *fakeRun, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := r.info.State.SetStep(id, state.Done, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// specRun is a run whose progress file says an earlier run finished
// "before" when earlier.
func specRun(t *testing.T, earlier bool) *fakeRun {
	t.Helper()
	r := newFakeRun(t)
	if earlier {
		finished(t, r, "before")
	}
	return r
}
