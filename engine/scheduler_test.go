package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/state"
)

// applyAll applies the whole list, as apply --yes does.
func applyAll(ctx context.Context, r *fakeRun, list []*Step[*fakeRun]) ([]Result[*fakeRun], error) {
	return NewScheduler(r, list).Apply(ctx, Batch[*fakeRun]{})
}

// bucketPlan is a bucket step's plan: nothing when *there, else an action
// that creates the bucket (sets *there), all under mu.
func bucketPlan(mu *sync.Mutex, there *bool) *Plan {
	p := &Plan{}
	mu.Lock()
	defer mu.Unlock()
	if !*there {
		p.Add(&Action{Summary: "create bucket", Do: func(context.Context) error {
			mu.Lock()
			*there = true
			mu.Unlock()
			return nil
		}})
	}
	return p
}

// recorder is a step list whose steps only log that they ran.
type recorder struct {
	mu  sync.Mutex
	ran []string
}

func (rec *recorder) step(id string, needs ...string) *Step[*fakeRun] {
	return &Step[*fakeRun]{ID: id, Title: id, Needs: needs, Plan: func(context.Context, *fakeRun) (*Plan, error) {
		rec.mu.Lock()
		rec.ran = append(rec.ran, id)
		rec.mu.Unlock()
		return &Plan{}, nil
	}}
}

func TestApplyAllRunsAStepAfterWhatItNeeds(t *testing.T) {
	rec := &recorder{}
	list := []*Step[*fakeRun]{rec.step("c", "b"), rec.step("b", "a"), rec.step("a")}
	if _, err := applyAll(context.Background(), newFakeRun(t), list); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.ran, ","); got != "a,b,c" {
		t.Errorf("steps ran in order %s, want a,b,c", got)
	}
}

func TestApplyAllRefusesABadOrderBeforeRunningAnything(t *testing.T) {
	for _, tc := range []struct {
		name  string
		list  func(rec *recorder) []*Step[*fakeRun]
		error string
	}{
		{"unknown need", func(rec *recorder) []*Step[*fakeRun] {
			return []*Step[*fakeRun]{rec.step("a"), rec.step("b", "budget")}
		}, "b needs budget, which is not a step"},
		{"cycle", func(rec *recorder) []*Step[*fakeRun] {
			return []*Step[*fakeRun]{rec.step("a"), rec.step("b", "a", "d"), rec.step("c", "b"), rec.step("d", "c")}
		}, "cycle in Needs: b → d → c → b"},
		{"self", func(rec *recorder) []*Step[*fakeRun] {
			return []*Step[*fakeRun]{rec.step("a", "a")}
		}, "cycle in Needs: a → a"},
		{"twice", func(rec *recorder) []*Step[*fakeRun] {
			return []*Step[*fakeRun]{rec.step("a"), rec.step("a")}
		}, "a is listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			// A cycle used to leave the scheduler waiting for ever: the deadline
			// turns that into a failure instead of a hung suite.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := applyAll(ctx, newFakeRun(t), tc.list(rec))
			if err == nil || !strings.Contains(err.Error(), tc.error) {
				t.Fatalf("ApplyAll: %v, want an error saying %q", err, tc.error)
			}
			if len(rec.ran) != 0 {
				t.Errorf("steps %v ran although the order is invalid", rec.ran)
			}
		})
	}
}

// TestApplyAllPlansAheadOnlyWhatStaysTrue: when the steps a step needs plan
// nothing to change, it plans while they still verify (each read is a round
// trip on AWS); when one of them changes something, directly or through its
// own needs, it plans only after, so it never acts on a stale reading.
func TestApplyAllPlansAheadOnlyWhatStaysTrue(t *testing.T) {
	for _, tc := range []struct {
		name        string
		bucketThere bool // the bucket step has nothing to do
		wantAhead   bool // the settings step plans before the layout step verifies
	}{
		{"bucket already there: plans ahead", true, true},
		{"bucket created now: plans after", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			bucket := tc.bucketThere
			plans := 0
			var sawBucket []bool // what each of the settings step's plans saw
			applied := false
			settingsPlanned := make(chan struct{})
			var once sync.Once
			root := &Step[*fakeRun]{ID: "preflight", Title: "preflight", Plan: func(context.Context, *fakeRun) (*Plan, error) { return &Plan{}, nil }}
			makeBucket := &Step[*fakeRun]{ID: "bucket", Title: "bucket", Needs: []string{"preflight"}, Plan: func(context.Context, *fakeRun) (*Plan, error) {
				return bucketPlan(&mu, &bucket), nil
			}}
			// layout changes nothing itself: what matters is what it needs.
			// When a plan ahead is expected, it finishes only once the
			// settings step has planned (without one, it would wait).
			layout := &Step[*fakeRun]{ID: "layout", Title: "layout", Needs: []string{"bucket"}, Plan: func(context.Context, *fakeRun) (*Plan, error) { return &Plan{}, nil },
				Verify: func(context.Context, *fakeRun) []Check {
					if !tc.wantAhead {
						return nil
					}
					select {
					case <-settingsPlanned:
						return nil
					case <-time.After(10 * time.Second):
						return []Check{Check{ID: "test-plan-ahead", Name: "plan ahead", Detail: "the settings step did not plan while the layout step verified"}}
					}
				}}
			settings := &Step[*fakeRun]{ID: "settings", Title: "settings", Needs: []string{"layout"}, Plan: func(context.Context, *fakeRun) (*Plan, error) {
				mu.Lock()
				defer mu.Unlock()
				defer once.Do(func() { close(settingsPlanned) })
				plans++
				sawBucket = append(sawBucket, bucket)
				p := &Plan{}
				p.Add(&Action{Summary: "write settings", Do: func(context.Context) error {
					mu.Lock()
					applied = true
					mu.Unlock()
					return nil
				}})
				return p, nil
			}}
			r := newFakeRun(t)
			r.account = "123456789012"
			if _, err := applyAll(context.Background(), r, []*Step[*fakeRun]{root, makeBucket, layout, settings}); err != nil {
				t.Fatal(err)
			}
			if plans != 1 {
				t.Errorf("the settings step planned %d times, want once (no read made twice)", plans)
			}
			if !applied || len(sawBucket) != 1 || !sawBucket[0] {
				t.Errorf("the settings step applied a plan made before the bucket existed (plans saw the bucket: %v)", sawBucket)
			}
		})
	}
}

// TestConcurrentActionsWaitForWhatTheyJoin: in a concurrent plan, actions
// run together, and one declaring After waits for the earlier actions making
// those calls — and never runs when one of them failed.
func TestConcurrentActionsWaitForWhatTheyJoin(t *testing.T) {
	for _, failGroup := range []bool{false, true} {
		var mu sync.Mutex
		var order []string
		log := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
		userStarted := make(chan struct{})
		plan := &Plan{Concurrent: true}
		plan.Add(&Action{Summary: "create group", Calls: []string{"iam:CreateGroup"}, Do: func(context.Context) error {
			// The user is made alongside, not after.
			select {
			case <-userStarted:
			case <-time.After(10 * time.Second):
				return context.DeadlineExceeded
			}
			log("group")
			if failGroup {
				return context.Canceled
			}
			return nil
		}})
		plan.Add(&Action{Summary: "create user", Calls: []string{"iam:CreateUser"}, Do: func(context.Context) error {
			close(userStarted)
			log("user")
			return nil
		}})
		plan.Add(&Action{Summary: "add user to group", Calls: []string{"iam:AddUserToGroup"}, After: []string{"iam:CreateGroup", "iam:CreateUser"},
			Do: func(context.Context) error { log("membership"); return nil }})
		step := &Step[*fakeRun]{ID: "iam", Title: "iam", Plan: func(context.Context, *fakeRun) (*Plan, error) { return plan, nil }}
		_, _, err := ApplyStep(context.Background(), newFakeRun(t), step)
		got := strings.Join(order, ",")
		switch {
		case failGroup && (err == nil || strings.Contains(got, "membership")):
			t.Errorf("group creation failed: err %v, actions %s; want an error and no membership", err, got)
		case !failGroup && (err != nil || !strings.HasSuffix(got, "membership") || len(order) != 3):
			t.Errorf("err %v, actions ran %s; want user and group together, then the membership", err, got)
		}
	}
}

// TestApplyAllVerifiesEarlyWhatDoesNotChange: a step whose plan changes
// nothing, after steps that change nothing either, verifies while they
// still verify theirs; its checks count only once they are done, so a
// failure of a step it needs still stops it.
func TestApplyAllVerifiesEarlyWhatDoesNotChange(t *testing.T) {
	for _, bucketFails := range []bool{false, true} {
		settingsVerifying := make(chan struct{})
		var once sync.Once
		root := &Step[*fakeRun]{ID: "preflight", Title: "preflight", Plan: func(context.Context, *fakeRun) (*Plan, error) { return &Plan{}, nil }}
		bucket := &Step[*fakeRun]{ID: "bucket", Title: "bucket", Needs: []string{"preflight"},
			Plan: func(context.Context, *fakeRun) (*Plan, error) { return &Plan{}, nil },
			Verify: func(context.Context, *fakeRun) []Check {
				// Done only once the settings step verifies: without the
				// early verification this would wait.
				select {
				case <-settingsVerifying:
				case <-time.After(10 * time.Second):
					return []Check{Check{ID: "test-early", Name: "early verification", Detail: "the settings step did not verify while the bucket step did"}}
				}
				if bucketFails {
					return []Check{Check{ID: "test-bucket", Name: "bucket", Detail: "drifted"}}
				}
				return nil
			}}
		settings := &Step[*fakeRun]{ID: "settings", Title: "settings", Needs: []string{"bucket"},
			Plan: func(context.Context, *fakeRun) (*Plan, error) { return &Plan{}, nil },
			Verify: func(context.Context, *fakeRun) []Check {
				once.Do(func() { close(settingsVerifying) })
				return []Check{Check{ID: "test-settings", Name: "settings", OK: true, Detail: ""}}
			}}
		r := newFakeRun(t)
		r.account = "123456789012"
		results, err := applyAll(context.Background(), r, []*Step[*fakeRun]{root, bucket, settings})
		st := r.info.State.Step("settings").Status
		if !bucketFails && (err != nil || st != state.Done || len(results[2].Checks) != 1) {
			t.Errorf("err %v, settings %s with checks %v; want done with its one check", err, st, results[2].Checks)
		}
		if bucketFails && (err == nil || st == state.Done || results[2].Err == nil) {
			t.Errorf("the bucket step failed, yet the settings step is %s (err %v): its early checks must not count", st, results[2].Err)
		}
	}
}

// TestPlanErrorNeverLetsTheStepGoOn is the engine's rule (issue 8.5): a plan
// message marked as an error, whether recorded with Errorf or written as an
// "ERROR: …" warning, stops the step before any of its actions runs, in
// apply and in a dry run alike, and the step is recorded as failed.
func TestPlanErrorNeverLetsTheStepGoOn(t *testing.T) {
	for name, mark := range map[string]func(p *Plan){
		"Errorf":        func(p *Plan) { p.Errorf("SSE-KMS cannot serve public prefixes") },
		"ERROR warning": func(p *Plan) { p.Warn("ERROR: SSE-KMS cannot serve public prefixes") },
		"error warning": func(p *Plan) { p.Warn("  error: lower case is still an error") },
	} {
		for _, dry := range []bool{false, true} {
			t.Run(name, func(t *testing.T) {
				r := newFakeRun(t)
				r.info.DryRun = dry
				ran := false
				s := &Step[*fakeRun]{ID: "demo", Title: "demo",
					Plan: func(ctx context.Context, r *fakeRun) (*Plan, error) {
						p := &Plan{}
						p.Add(&Action{Summary: "change something", Do: func(context.Context) error { ran = true; return nil }})
						mark(p)
						return p, nil
					},
					Verify: func(context.Context, *fakeRun) []Check {
						return []Check{Check{ID: "ok", Name: "ok", OK: true, Detail: ""}}
					},
				}
				if _, err := PlanStep(context.Background(), r, s); !errors.Is(err, ErrPlanRefused) {
					t.Errorf("PlanStep: err %v, want ErrPlanRefused", err)
				}
				_, _, err := ApplyStep(context.Background(), r, s)
				if !errors.Is(err, ErrPlanRefused) {
					t.Errorf("ApplyStep (dry run %v): err %v, want ErrPlanRefused", dry, err)
				}
				if ran {
					t.Error("the action ran although the plan reported an error")
				}
				if got := r.info.State.Step("demo").Status; !dry && got != state.Failed {
					t.Errorf("step recorded as %q, want %q", got, state.Failed)
				}
			})
		}
	}
}

// TestPlanWarningAloneGoesOn: an ordinary warning does not stop the step.
func TestPlanWarningAloneGoesOn(t *testing.T) {
	r := newFakeRun(t)
	ran := false
	s := &Step[*fakeRun]{ID: "demo", Title: "demo", Plan: func(ctx context.Context, r *fakeRun) (*Plan, error) {
		p := &Plan{}
		p.Warn("errors may happen later: this is only a warning")
		p.Add(&Action{Summary: "change something", Do: func(context.Context) error { ran = true; return nil }})
		return p, nil
	}}
	if _, _, err := ApplyStep(context.Background(), r, s); err != nil || !ran {
		t.Errorf("ApplyStep: err %v, ran %v", err, ran)
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
			root := &Step[*fakeRun]{ID: "preflight", Title: "preflight", Plan: func(context.Context, *fakeRun) (*Plan, error) { return &Plan{}, nil }}
			makeBucket := &Step[*fakeRun]{ID: "bucket", Title: "bucket", Needs: []string{"preflight"}, Plan: func(context.Context, *fakeRun) (*Plan, error) {
				// The bucket's plan ends only once the settings step has
				// planned: it must not wait for it.
				select {
				case <-settingsPlanned:
				case <-time.After(10 * time.Second):
					return nil, context.DeadlineExceeded
				}
				return bucketPlan(&mu, &bucket), nil
			}}
			settings := &Step[*fakeRun]{ID: "settings", Title: "settings", Needs: []string{"bucket"}, Plan: func(context.Context, *fakeRun) (*Plan, error) {
				defer once.Do(func() { close(settingsPlanned) })
				mu.Lock()
				defer mu.Unlock()
				saw := bucket
				sawBucket = append(sawBucket, saw)
				p := &Plan{}
				p.Add(&Action{Summary: "write settings", Do: func(context.Context) error {
					mu.Lock()
					appliedSaw = append(appliedSaw, saw)
					mu.Unlock()
					return nil
				}})
				return p, nil
			}}
			r := newFakeRun(t)
			r.account = "123456789012"
			finished(t, r, "preflight", "bucket", "settings")
			if _, err := applyAll(context.Background(), r, []*Step[*fakeRun]{root, makeBucket, settings}); err != nil {
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
