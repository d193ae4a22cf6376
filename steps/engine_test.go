package steps_test

import (
	"context"
	"github.com/s3wizard/s3wizard/engine"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// engineRun is a Run for steps that make no AWS call.
func engineRun(t *testing.T) *steps.Run {
	t.Helper()
	dir := t.TempDir()
	st, err := state.Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return &steps.Run{Dir: dir, Answers: &config.Answers{Env: "staging"}, State: st, Now: time.Now, Report: func(steps.Event) {}}
}

// applyAll applies the whole list, as apply --yes does.
func applyAll(ctx context.Context, r *steps.Run, list []*steps.Step) ([]steps.Result, error) {
	return engine.NewScheduler(r, list).Apply(ctx, engine.Batch[*steps.Run]{})
}

// bucketPlan is a bucket step's plan: nothing when *there, else an action
// that creates the bucket (sets *there), all under mu.
func bucketPlan(mu *sync.Mutex, there *bool) *steps.Plan {
	p := &steps.Plan{}
	mu.Lock()
	defer mu.Unlock()
	if !*there {
		p.Add(&steps.Action{Summary: "create bucket", Do: func(context.Context) error {
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

func (rec *recorder) step(id string, needs ...string) *steps.Step {
	return &steps.Step{ID: id, Title: id, Needs: needs, Plan: func(context.Context, *steps.Run) (*steps.Plan, error) {
		rec.mu.Lock()
		rec.ran = append(rec.ran, id)
		rec.mu.Unlock()
		return &steps.Plan{}, nil
	}}
}

func TestApplyAllRunsAStepAfterWhatItNeeds(t *testing.T) {
	rec := &recorder{}
	list := []*steps.Step{rec.step("c", "b"), rec.step("b", "a"), rec.step("a")}
	if _, err := applyAll(context.Background(), engineRun(t), list); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.ran, ","); got != "a,b,c" {
		t.Errorf("steps ran in order %s, want a,b,c", got)
	}
}

func TestApplyAllRefusesABadOrderBeforeRunningAnything(t *testing.T) {
	for _, tc := range []struct {
		name  string
		list  func(rec *recorder) []*steps.Step
		error string
	}{
		{"unknown need", func(rec *recorder) []*steps.Step {
			return []*steps.Step{rec.step("a"), rec.step("b", "budget")}
		}, "b needs budget, which is not a step"},
		{"cycle", func(rec *recorder) []*steps.Step {
			return []*steps.Step{rec.step("a"), rec.step("b", "a", "d"), rec.step("c", "b"), rec.step("d", "c")}
		}, "cycle in Needs: b → d → c → b"},
		{"self", func(rec *recorder) []*steps.Step {
			return []*steps.Step{rec.step("a", "a")}
		}, "cycle in Needs: a → a"},
		{"twice", func(rec *recorder) []*steps.Step {
			return []*steps.Step{rec.step("a"), rec.step("a")}
		}, "a is listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			// A cycle used to leave the scheduler waiting for ever: the deadline
			// turns that into a failure instead of a hung suite.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := applyAll(ctx, engineRun(t), tc.list(rec))
			if err == nil || !strings.Contains(err.Error(), tc.error) {
				t.Fatalf("ApplyAll: %v, want an error saying %q", err, tc.error)
			}
			if len(rec.ran) != 0 {
				t.Errorf("steps %v ran although the order is invalid", rec.ran)
			}
		})
	}
}

// The real list is a valid graph: no step waits for a step that is not
// there, nor for itself through others.
func TestTheStepListIsAValidOrder(t *testing.T) {
	if err := engine.CheckOrder(steps.All()); err != nil {
		t.Fatal(err)
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
			root := &steps.Step{ID: "preflight", Title: "preflight", Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return &steps.Plan{}, nil }}
			makeBucket := &steps.Step{ID: "bucket", Title: "bucket", Needs: []string{"preflight"}, Plan: func(context.Context, *steps.Run) (*steps.Plan, error) {
				return bucketPlan(&mu, &bucket), nil
			}}
			// layout changes nothing itself: what matters is what it needs.
			// When a plan ahead is expected, it finishes only once the
			// settings step has planned (without one, it would wait).
			layout := &steps.Step{ID: "layout", Title: "layout", Needs: []string{"bucket"}, Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return &steps.Plan{}, nil },
				Verify: func(context.Context, *steps.Run) []steps.Check {
					if !tc.wantAhead {
						return nil
					}
					select {
					case <-settingsPlanned:
						return nil
					case <-time.After(10 * time.Second):
						return []steps.Check{steps.Fail("test-plan-ahead", "plan ahead", "the settings step did not plan while the layout step verified")}
					}
				}}
			settings := &steps.Step{ID: "settings", Title: "settings", Needs: []string{"layout"}, Plan: func(context.Context, *steps.Run) (*steps.Plan, error) {
				mu.Lock()
				defer mu.Unlock()
				defer once.Do(func() { close(settingsPlanned) })
				plans++
				sawBucket = append(sawBucket, bucket)
				p := &steps.Plan{}
				p.Add(&steps.Action{Summary: "write settings", Do: func(context.Context) error {
					mu.Lock()
					applied = true
					mu.Unlock()
					return nil
				}})
				return p, nil
			}}
			r := engineRun(t)
			r.Account = "123456789012"
			if _, err := applyAll(context.Background(), r, []*steps.Step{root, makeBucket, layout, settings}); err != nil {
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
		plan := &steps.Plan{Concurrent: true}
		plan.Add(&steps.Action{Summary: "create group", Calls: []string{"iam:CreateGroup"}, Do: func(context.Context) error {
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
		plan.Add(&steps.Action{Summary: "create user", Calls: []string{"iam:CreateUser"}, Do: func(context.Context) error {
			close(userStarted)
			log("user")
			return nil
		}})
		plan.Add(&steps.Action{Summary: "add user to group", Calls: []string{"iam:AddUserToGroup"}, After: []string{"iam:CreateGroup", "iam:CreateUser"},
			Do: func(context.Context) error { log("membership"); return nil }})
		step := &steps.Step{ID: "iam", Title: "iam", Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return plan, nil }}
		_, _, err := steps.ApplyStep(context.Background(), engineRun(t), step)
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
		root := &steps.Step{ID: "preflight", Title: "preflight", Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return &steps.Plan{}, nil }}
		bucket := &steps.Step{ID: "bucket", Title: "bucket", Needs: []string{"preflight"},
			Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return &steps.Plan{}, nil },
			Verify: func(context.Context, *steps.Run) []steps.Check {
				// Done only once the settings step verifies: without the
				// early verification this would wait.
				select {
				case <-settingsVerifying:
				case <-time.After(10 * time.Second):
					return []steps.Check{steps.Fail("test-early", "early verification", "the settings step did not verify while the bucket step did")}
				}
				if bucketFails {
					return []steps.Check{steps.Fail("test-bucket", "bucket", "drifted")}
				}
				return nil
			}}
		settings := &steps.Step{ID: "settings", Title: "settings", Needs: []string{"bucket"},
			Plan: func(context.Context, *steps.Run) (*steps.Plan, error) { return &steps.Plan{}, nil },
			Verify: func(context.Context, *steps.Run) []steps.Check {
				once.Do(func() { close(settingsVerifying) })
				return []steps.Check{steps.Pass("test-settings", "settings", "")}
			}}
		r := engineRun(t)
		r.Account = "123456789012"
		results, err := applyAll(context.Background(), r, []*steps.Step{root, bucket, settings})
		st := r.State.Step("settings").Status
		if !bucketFails && (err != nil || st != state.Done || len(results[2].Checks) != 1) {
			t.Errorf("err %v, settings %s with checks %v; want done with its one check", err, st, results[2].Checks)
		}
		if bucketFails && (err == nil || st == state.Done || results[2].Err == nil) {
			t.Errorf("the bucket step failed, yet the settings step is %s (err %v): its early checks must not count", st, results[2].Err)
		}
	}
}
