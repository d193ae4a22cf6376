package engine

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/s3wizard/s3wizard/state"
)

// frontEnd is how a front end drives the scheduler: the plan shown, the
// person's yes, the apply of what was shown.
type frontEnd struct {
	name  string
	apply func(ctx context.Context, r *fakeRun, list []*Step[*fakeRun], between func()) error
}

var frontEnds = []frontEnd{
	// cli/apply.go: the whole list planned, confirmed once, applied.
	{"apply", func(ctx context.Context, r *fakeRun, list []*Step[*fakeRun], between func()) error {
		sched := NewScheduler(r, list)
		confirmed := sched.Plan(ctx)
		between()
		_, err := sched.Apply(ctx, Batch[*fakeRun]{Confirmed: confirmed})
		return err
	}},
	// tui/go: one step at a time, each planned, confirmed and
	// applied on its own; it stops at the first failure.
	{"wizard", func(ctx context.Context, r *fakeRun, list []*Step[*fakeRun], between func()) error {
		sched := NewScheduler(r, list)
		for _, s := range list {
			shown := sched.Plan(ctx, s)
			if s.ID == "target" {
				between()
			}
			if _, err := sched.Apply(ctx, Batch[*fakeRun]{Steps: []*Step[*fakeRun]{s}, Confirmed: shown}); err != nil {
				return err
			}
		}
		return nil
	}},
}

// errorKind names what a front end tells the person (and its exit code).
func errorKind(err error) string {
	switch {
	case err == nil:
		return "none"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, ErrPlanStale):
		return "stale"
	case errors.Is(err, ErrPlanRefused):
		return "refused"
	}
	return "failed"
}

// world is the live state the target step reads and changes.
type world struct {
	mu     sync.Mutex
	plans  int  // the target's plans so far
	moved  bool // someone changed the account after the confirmation
	cancel context.CancelFunc
}

// TestBothFrontEndsRecordTheSameOutcome (issue 21.1): apply and the wizard
// drive one scheduler, so each outcome is recorded, and reported, the same
// way. Before, the wizard had its own path: ctrl+c while the confirmed plan
// was checked again was recorded as interrupted by the wizard but reported
// as a stale plan by apply, and a plan refused only at that check was
// ErrPlanRefused in the wizard and ErrPlanStale in apply.
func TestBothFrontEndsRecordTheSameOutcome(t *testing.T) {
	for _, tc := range []struct {
		name string
		// target is the step under test, in w.
		plan   func(ctx context.Context, w *world, p *Plan) error
		act    func(ctx context.Context, w *world) error
		verify func(w *world) []Check
		// wantStatus and wantKind: the target's recorded status, and the
		// kind of the front end's error.
		wantStatus, wantKind string
	}{
		{name: "success", wantStatus: state.Done, wantKind: "none"},
		{name: "verification fails",
			verify:     func(*world) []Check { return []Check{{ID: "test", Name: "thing", Detail: "drifted"}} },
			wantStatus: state.Failed, wantKind: "failed"},
		{name: "action fails",
			act:        func(context.Context, *world) error { return errors.New("AccessDenied") },
			wantStatus: state.Failed, wantKind: "failed"},
		{name: "plan refused when shown",
			plan:       func(_ context.Context, _ *world, p *Plan) error { p.Errorf("cannot do that"); return nil },
			wantStatus: state.Pending, wantKind: "refused"},
		{name: "plan refused only at the recheck",
			plan: func(_ context.Context, w *world, p *Plan) error {
				if w.plans > 1 {
					p.Errorf("cannot do that any more")
				}
				return nil
			},
			wantStatus: state.Pending, wantKind: "stale"},
		{name: "stale plan",
			plan: func(_ context.Context, w *world, p *Plan) error {
				if w.moved {
					p.Add(&Action{Summary: "delete what someone made"})
				}
				return nil
			},
			wantStatus: state.Pending, wantKind: "stale"},
		{name: "ctrl+c during the action",
			act: func(ctx context.Context, w *world) error {
				w.cancel()
				<-ctx.Done()
				return ctx.Err()
			},
			wantStatus: state.Interrupted, wantKind: "interrupted"},
		{name: "ctrl+c during the recheck",
			plan: func(ctx context.Context, w *world, _ *Plan) error {
				if w.plans > 1 {
					w.cancel()
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			},
			wantStatus: state.Interrupted, wantKind: "interrupted"},
	} {
		for _, fe := range frontEnds {
			t.Run(tc.name+"/"+fe.name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				w := &world{cancel: cancel}
				first := &Step[*fakeRun]{ID: "first", Title: "first",
					Plan:   func(context.Context, *fakeRun) (*Plan, error) { return &Plan{}, nil },
					Verify: func(context.Context, *fakeRun) []Check { return nil }}
				target := &Step[*fakeRun]{ID: "target", Title: "target", Needs: []string{"first"},
					Plan: func(ctx context.Context, _ *fakeRun) (*Plan, error) {
						w.mu.Lock()
						w.plans++
						w.mu.Unlock()
						p := &Plan{}
						p.Add(&Action{Summary: "make thing", Do: func(ctx context.Context) error {
							if tc.act != nil {
								return tc.act(ctx, w)
							}
							return nil
						}})
						if tc.plan != nil {
							if err := tc.plan(ctx, w, p); err != nil {
								return nil, err
							}
						}
						return p, nil
					},
					Verify: func(context.Context, *fakeRun) []Check {
						if tc.verify != nil {
							return tc.verify(w)
						}
						return []Check{{ID: "test", Name: "thing", OK: true}}
					}}
				r := specRun(t, false)
				err := fe.apply(ctx, r, []*Step[*fakeRun]{first, target}, func() { w.moved = true })
				if got := errorKind(err); got != tc.wantKind {
					t.Errorf("error %v: kind %s, want %s", err, got, tc.wantKind)
				}
				if got := r.info.State.Step("target").Status; got != tc.wantStatus {
					t.Errorf("target recorded %q, want %q", got, tc.wantStatus)
				}
			})
		}
	}
}
