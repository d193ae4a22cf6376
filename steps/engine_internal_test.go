package steps

import (
	"context"
	"errors"
	"github.com/s3wizard/s3wizard/engine"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

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
				r := demoRun(t)
				r.DryRun = dry
				ran := false
				s := &Step{ID: "demo", Title: "demo",
					Plan: func(ctx context.Context, r *Run) (*Plan, error) {
						p := &Plan{}
						p.Add(&Action{Summary: "change something", Do: func(context.Context) error { ran = true; return nil }})
						mark(p)
						return p, nil
					},
					Verify: func(context.Context, *Run) []Check { return []Check{Pass("ok", "ok", "")} },
				}
				if _, err := PlanStep(context.Background(), r, s); !errors.Is(err, engine.ErrPlanRefused) {
					t.Errorf("PlanStep: err %v, want engine.ErrPlanRefused", err)
				}
				_, _, err := ApplyStep(context.Background(), r, s)
				if !errors.Is(err, engine.ErrPlanRefused) {
					t.Errorf("ApplyStep (dry run %v): err %v, want engine.ErrPlanRefused", dry, err)
				}
				if ran {
					t.Error("the action ran although the plan reported an error")
				}
				if got := r.State.Step("demo").Status; !dry && got != state.Failed {
					t.Errorf("step recorded as %q, want %q", got, state.Failed)
				}
			})
		}
	}
}

// TestPlanWarningAloneGoesOn: an ordinary warning does not stop the step.
func TestPlanWarningAloneGoesOn(t *testing.T) {
	r := demoRun(t)
	ran := false
	s := &Step{ID: "demo", Title: "demo", Plan: func(ctx context.Context, r *Run) (*Plan, error) {
		p := &Plan{}
		p.Warn("errors may happen later: this is only a warning")
		p.Add(&Action{Summary: "change something", Do: func(context.Context) error { ran = true; return nil }})
		return p, nil
	}}
	if _, _, err := ApplyStep(context.Background(), r, s); err != nil || !ran {
		t.Errorf("ApplyStep: err %v, ran %v", err, ran)
	}
}

// demoRun is a run with an open progress file and no AWS: the steps of
// these tests make no call.
func demoRun(t *testing.T) *Run {
	t.Helper()
	dir := t.TempDir()
	prog, err := state.Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return &Run{Dir: dir, Answers: &config.Answers{Env: "staging"}, State: prog}
}
