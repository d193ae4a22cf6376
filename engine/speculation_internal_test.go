package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/state"
)

// specStep is a step needing "before" whose plans are counted and whose
// plan is empty unless act; each plan records the account it used.
type specStep struct {
	mu       sync.Mutex
	plans    int
	accounts []string
	act      bool
	refuse   bool
	verified chan struct{}
}

func (f *specStep) step() *Step[*fakeRun] {
	f.verified = make(chan struct{})
	var once sync.Once
	return &Step[*fakeRun]{ID: "after", Title: "after", Needs: []string{"before"},
		Plan: func(_ context.Context, r *fakeRun) (*Plan, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.plans++
			f.accounts = append(f.accounts, r.accountID())
			p := &Plan{}
			if f.act {
				p.Add(&Action{Summary: "change", Do: func(context.Context) error { return nil }})
			}
			if f.refuse {
				p.Errorf("refused")
			}
			return p, nil
		},
		Verify: func(context.Context, *fakeRun) []Check {
			once.Do(func() { close(f.verified) })
			return []Check{{ID: "test", Name: "ok", OK: true}}
		}}
}

func (f *specStep) planned() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.plans
}

// TestSpeculationBetsOnlyOnWhatAnEarlierRunFinished: a step plans at once,
// before the steps it needs have planned, only when the progress file says
// an earlier run finished them and the account is known; otherwise it
// plans once they are known to change nothing, and never twice.
func TestSpeculationBetsOnlyOnWhatAnEarlierRunFinished(t *testing.T) {
	for _, tc := range []struct {
		name           string
		earlier, waits bool
		account        string
		wantBet        bool // planned before the needs did
		wantPlans      int  // plans once they are known to change nothing
	}{
		{"finished earlier: bets", true, true, "123456789012", true, 1},
		{"not finished earlier: plans once they are known", false, true, "123456789012", false, 1},
		{"account unknown: plans once they are done", true, true, "", false, 0},
		{"needs nothing of the batch: plans at once", true, false, "123456789012", false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := specRun(t, tc.earlier)
			r.account = tc.account
			f := &specStep{}
			s := f.step()
			sp := newSpeculation(r, []*Step[*fakeRun]{s})
			defer sp.end()
			la := sp.start(context.Background(), s, nil, tc.waits)
			if got := f.planned() == 1; got != tc.wantBet {
				t.Errorf("planned before the needs did: %v, want %v", got, tc.wantBet)
			}
			p, err := la.settle(context.Background(), true)
			if err != nil || (p != nil) != (tc.wantPlans > 0) || f.planned() != tc.wantPlans {
				t.Errorf("settled: plan %v, err %v, %d plans; want %d plans, the plan ahead if any", p, err, f.planned(), tc.wantPlans)
			}
		})
	}
}

// TestSpeculationDropsALostBet: when a step it needs changes something
// after all, the plan made ahead is dropped (the step plans again after
// it), and no plan is made before that.
func TestSpeculationDropsALostBet(t *testing.T) {
	r := specRun(t, true)
	r.account = "123456789012"
	f := &specStep{}
	s := f.step()
	sp := newSpeculation(r, []*Step[*fakeRun]{s})
	la := sp.start(context.Background(), s, nil, true)
	p, err := la.settle(context.Background(), false)
	if p != nil || err != nil || f.planned() != 1 {
		t.Errorf("lost bet: plan %v, err %v, %d plans; want no plan and only the bet's", p, err, f.planned())
	}
}

// TestSpeculationCountsAGuessedAccountOnlyIfSTSConfirmsIt: before STS has
// answered, a plan made ahead uses the account the progress file records;
// it counts only when STS answers that account, and the guess ends with
// the batch.
func TestSpeculationCountsAGuessedAccountOnlyIfSTSConfirmsIt(t *testing.T) {
	const recorded = "111122223333"
	for _, tc := range []struct {
		name    string
		sts     string
		stsErr  error
		wantBet bool
	}{
		{"STS confirms", recorded, nil, true},
		{"STS answers another account", "444455556666", nil, false},
		{"STS fails", "", errors.New("no credentials"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := specRun(t, true)
			r.info.Clients = true // credentials, whose STS has not answered yet
			if err := r.info.State.Update(func(p *state.Progress) { p.SetIdentity(recorded, "") }); err != nil {
				t.Fatal(err)
			}
			f := &specStep{}
			s := f.step()
			sp := newSpeculation(r, []*Step[*fakeRun]{s})
			sp.account = func(context.Context) (string, error) { return tc.sts, tc.stsErr }
			la := sp.start(context.Background(), s, nil, true)
			p, _ := la.settle(context.Background(), true)
			if (p != nil) != tc.wantBet {
				t.Errorf("the bet on the guessed account counted: %v, want %v", p != nil, tc.wantBet)
			}
			if len(f.accounts) != 1 || f.accounts[0] != recorded {
				t.Errorf("plans used accounts %v, want one with %s", f.accounts, recorded)
			}
			sp.end()
			if got := r.accountID(); got != aws.PlaceholderAccount {
				t.Errorf("after the batch AccountID is %s, want the placeholder: the guess must end", got)
			}
		})
	}
}

// TestSpeculationUsesTheRecheckedPlanOnlyWhenClean: a plan made just
// before the apply (the confirmation's recheck) is used when the steps
// needed change nothing, and never planned again; otherwise the step plans
// once they are done.
func TestSpeculationUsesTheRecheckedPlanOnlyWhenClean(t *testing.T) {
	for _, clean := range []bool{true, false} {
		r := specRun(t, true)
		r.account = "123456789012"
		f := &specStep{}
		s := f.step()
		pre := &Plan{}
		la := newSpeculation(r, []*Step[*fakeRun]{s}).start(context.Background(), s, pre, true)
		p, err := la.settle(context.Background(), clean)
		if want := map[bool]*Plan{true: pre}[clean]; p != want || err != nil || f.planned() != 0 {
			t.Errorf("clean %v: plan %p, err %v, %d plans; want %p and no plan made", clean, p, err, f.planned(), want)
		}
	}
}

// TestSpeculationKeepsAnEarlyPlansError: a plan made early, on a live
// state that is final, is the step's plan: its refusal is kept, not
// planned again.
func TestSpeculationKeepsAnEarlyPlansError(t *testing.T) {
	r := specRun(t, false)
	r.account = "123456789012"
	f := &specStep{refuse: true}
	s := f.step()
	la := newSpeculation(r, []*Step[*fakeRun]{s}).start(context.Background(), s, nil, true)
	if _, err := la.settle(context.Background(), true); !errors.Is(err, ErrPlanRefused) || f.planned() != 1 {
		t.Errorf("early plan: err %v after %d plans; want ErrPlanRefused after one", err, f.planned())
	}
}

// TestSpeculationVerifiesEarlyOnlyWhatDoesNotChange: a step whose plan
// ahead changes nothing verifies at once, while the steps it needs still
// verify; a plan with changes, a dry run, or a step that waits for none of
// the batch verifies after its apply.
func TestSpeculationVerifiesEarlyOnlyWhatDoesNotChange(t *testing.T) {
	for _, tc := range []struct {
		name            string
		act, dry, waits bool
		wantEarly       bool
	}{
		{"nothing to change", false, false, true, true},
		{"changes to make", true, false, true, false},
		{"dry run", false, true, true, false},
		{"waits for no step of the batch", false, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := specRun(t, false)
			r.account = "123456789012"
			r.info.DryRun = tc.dry
			f := &specStep{act: tc.act}
			s := f.step()
			la := newSpeculation(r, []*Step[*fakeRun]{s}).start(context.Background(), s, nil, tc.waits)
			p, err := la.settle(context.Background(), true)
			if err != nil {
				t.Fatal(err)
			}
			verified := la.verifyEarly(context.Background(), p)
			defer la.stop()
			if (verified != nil) != tc.wantEarly {
				t.Fatalf("early verification: %v, want %v", verified != nil, tc.wantEarly)
			}
			if !tc.wantEarly {
				return
			}
			select {
			case <-f.verified: // started at once, before anyone waits for it
			case <-time.After(10 * time.Second):
				t.Fatal("the early verification did not start")
			}
			if checks, _ := verified(); len(checks) != 1 || !checks[0].OK {
				t.Errorf("early checks %v, want the step's one check", checks)
			}
		})
	}
}
