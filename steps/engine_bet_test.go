package steps_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// callRun is a Run against moto whose AWS calls are recorded: calls()
// returns those made since the last call to it.
func callRun(t *testing.T, s *motoserver.Server, a *config.Answers) (*steps.Run, func() []string) {
	t.Helper()
	s.Use(t)
	var mu sync.Mutex
	var calls []string
	r := testrun.New(t, t.TempDir(), a, func(e steps.Event) {
		if e.Kind == engine.EvCall {
			mu.Lock()
			calls = append(calls, e.Text)
			mu.Unlock()
		}
	})
	return r, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := calls
		calls = nil
		return out
	}
}

// applyAll applies the whole list, as apply --yes does.
func applyAll(ctx context.Context, r *steps.Run, list []*steps.Step) ([]steps.Result, error) {
	return engine.NewScheduler(r, list).Apply(ctx, engine.Batch[*steps.Run]{})
}

// finished records steps as an earlier run left them: done.
func finished(t *testing.T, r *steps.Run, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := r.State.SetStep(id, state.Done, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestApplyAllChecksTheRecordedAccount: while STS is asked, plans made
// ahead use the account the progress file records. When STS answers
// another account (other credentials than last time), those plans are
// dropped and the run is refused (issue 22 §3: the recorded account binds
// the env; it used to go on and create the env again in the other
// account): no action runs, and the progress file keeps its account. The
// run asks STS once, however many steps wait for its answer.
func TestApplyAllChecksTheRecordedAccount(t *testing.T) {
	s := motoserver.Shared(t)
	for _, recorded := range []string{motoserver.AccountID, "111122223333"} {
		t.Run("recorded "+recorded, func(t *testing.T) {
			a := protAnswers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\n")
			r, calls := callRun(t, s, a)
			var mu sync.Mutex
			finished(t, r, "preflight")
			if err := r.State.Update(func(p *state.Progress) { p.SetIdentity(recorded, p.Caller()) }); err != nil {
				t.Fatal(err)
			}
			var planned, acted []string // the account each plan and each action used
			list := []*steps.Step{steps.Preflight()}
			for _, id := range []string{"policy", "budget"} {
				list = append(list, &steps.Step{ID: id, Title: id, Needs: []string{"preflight"}, Plan: func(context.Context, *steps.Run) (*steps.Plan, error) {
					acct := r.AccountID()
					mu.Lock()
					planned = append(planned, acct)
					mu.Unlock()
					p := &steps.Plan{}
					p.Add(&steps.Action{Summary: "name account " + acct, Do: func(context.Context) error {
						mu.Lock()
						acted = append(acted, acct)
						mu.Unlock()
						return nil
					}})
					return p, nil
				}})
			}
			_, err := applyAll(context.Background(), r, list)
			if recorded != motoserver.AccountID {
				var wrong *steps.WrongAccountError
				if !errors.As(err, &wrong) || wrong.Recorded != recorded || wrong.Got != motoserver.AccountID {
					t.Fatalf("ApplyAll from another account: %v, want a WrongAccountError", err)
				}
				if len(acted) != 0 || r.State.Account() != recorded || r.State.Step("preflight").Status != state.Done {
					t.Errorf("refused run: actions %v, progress account %s, preflight %s; want none, %s, done", acted, r.State.Account(), r.State.Step("preflight").Status, recorded)
				}
				if n := strings.Count(strings.Join(calls(), " "), "sts:GetCallerIdentity"); n != 1 {
					t.Errorf("sts:GetCallerIdentity asked %d times, want once (calls %v)", n, calls())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(acted) != 2 || acted[0] != motoserver.AccountID || acted[1] != motoserver.AccountID {
				t.Errorf("actions ran with accounts %v; want both with %s (STS's answer)", acted, motoserver.AccountID)
			}
			if wantPlans := 2; len(planned) != wantPlans {
				t.Errorf("plans used accounts %v; want %d plans", planned, wantPlans)
			}
			if n := strings.Count(strings.Join(calls(), " "), "sts:GetCallerIdentity"); n != 1 {
				t.Errorf("sts:GetCallerIdentity asked %d times, want once (calls %v)", n, calls())
			}
			if r.State.Account() != motoserver.AccountID {
				t.Errorf("progress records account %s, want %s", r.State.Account(), motoserver.AccountID)
			}
		})
	}
}
