package steps_test

import (
	"context"
	"errors"
	"github.com/s3wizard/s3wizard/engine"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/config"
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

// finished records steps as an earlier run left them: done.
func finished(t *testing.T, r *steps.Run, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := r.State.SetStep(id, state.Done, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestApplyAllBetsOnWhatAnEarlierRunFinished: when the progress file says
// the steps a step needs were done, the step plans alongside them (one
// round trip instead of two on AWS). If they plan nothing, that plan is
// the one applied; if one of them changes something after all (the bucket
// was deleted since), that plan is dropped and the step plans again after
// it, so what it applies never rests on a stale reading.
func TestApplyAllBetsOnWhatAnEarlierRunFinished(t *testing.T) {
	for _, tc := range []struct {
		name        string
		bucketThere bool
		wantPlans   int
	}{
		{"bucket still there: one plan, made alongside", true, 1},
		{"bucket deleted since: planned again after", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			bucket := tc.bucketThere
			var sawBucket []bool // what each of the settings step's plans saw
			var appliedSaw []bool
			settingsPlanned := make(chan struct{})
			var once sync.Once
			root := &steps.Step{ID: "preflight", Title: "preflight", Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return &steps.Plan{}, nil }}
			makeBucket := &steps.Step{ID: "bucket", Title: "bucket", Needs: []string{"preflight"}, Plan: func(context.Context, *steps.Run) (*steps.Plan, error) {
				// The bucket's plan ends only once the settings step has
				// planned: it must not wait for it.
				select {
				case <-settingsPlanned:
				case <-time.After(10 * time.Second):
					return nil, context.DeadlineExceeded
				}
				return bucketPlan(&mu, &bucket), nil
			}}
			settings := &steps.Step{ID: "settings", Title: "settings", Needs: []string{"bucket"}, Plan: func(context.Context, *steps.Run) (*steps.Plan, error) {
				defer once.Do(func() { close(settingsPlanned) })
				mu.Lock()
				defer mu.Unlock()
				saw := bucket
				sawBucket = append(sawBucket, saw)
				p := &steps.Plan{}
				p.Add(&steps.Action{Summary: "write settings", Do: func(context.Context) error {
					mu.Lock()
					appliedSaw = append(appliedSaw, saw)
					mu.Unlock()
					return nil
				}})
				return p, nil
			}}
			r := engineRun(t)
			r.Account = "123456789012"
			finished(t, r, "preflight", "bucket", "settings")
			if _, err := applyAll(context.Background(), r, []*steps.Step{root, makeBucket, settings}); err != nil {
				t.Fatal(err)
			}
			if len(sawBucket) != tc.wantPlans {
				t.Errorf("the settings step planned %d times (saw the bucket: %v), want %d", len(sawBucket), sawBucket, tc.wantPlans)
			}
			if len(appliedSaw) != 1 || !appliedSaw[0] {
				t.Errorf("the settings step applied plans that saw the bucket: %v; want one, made with the bucket there", appliedSaw)
			}
		})
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
