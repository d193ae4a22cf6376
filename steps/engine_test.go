package steps_test

import (
	"context"
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
	if _, err := steps.ApplyAll(context.Background(), engineRun(t), list); err != nil {
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
			// A cycle used to leave ApplyAll waiting for ever: the deadline
			// turns that into a failure instead of a hung suite.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := steps.ApplyAll(ctx, engineRun(t), tc.list(rec))
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
	if err := steps.CheckOrder(steps.All()); err != nil {
		t.Fatal(err)
	}
}
