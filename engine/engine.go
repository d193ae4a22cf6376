package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
	"golang.org/x/sync/errgroup"
)

// ErrPlanRefused is returned (wrapped) when a step's plan reports an error.
var ErrPlanRefused = errors.New("the plan reports an error")

// PlanStep plans one step. A plan that reports an error (Plan.Errorf, or a
// warning marked "ERROR") is returned with an error wrapping ErrPlanRefused,
// so no front end can go on to its actions.
func PlanStep[R Runner](ctx context.Context, r R, s *Step[R]) (*Plan, error) {
	return planStep(ctx, r, s, true)
}

// planStep is PlanStep; without identify, a plan made ahead by the scheduler
// may use the account guessed from the progress file while STS answers.
func planStep[R Runner](ctx context.Context, r R, s *Step[R], identify bool) (*Plan, error) {
	ctx = observed(ctx, r, s)
	// ARNs, policies and budgets name the account: learn it before any
	// step, not only in preflight, which a resumed run does not repeat.
	// (An S3-compatible provider has no STS and no account in its ARNs.)
	if identify && !r.Info().provided() {
		if err := r.Identify(ctx); err != nil {
			return nil, aws.Explain(fmt.Errorf("read the AWS identity (sts:GetCallerIdentity): %w", err))
		}
	}
	p, err := s.Plan(ctx, r)
	if err != nil {
		return nil, aws.Explain(err)
	}
	if errs := p.refusals(); len(errs) > 0 {
		return p, fmt.Errorf("%w, nothing was changed: %s", ErrPlanRefused, strings.Join(errs, "; "))
	}
	return p, nil
}

// ApplyStep plans, applies and verifies one step whose needs are done and
// records its outcome in the progress file (day-2 procedures, tests): the
// scheduler's path for a batch of that step alone, with no confirmation. A
// failed step keeps every earlier step as it was.
func ApplyStep[R Runner](ctx context.Context, r R, s *Step[R]) (*Plan, []Check, error) {
	sc := &Scheduler[R]{run: r}
	res, err := sc.apply(ctx, []*Step[R]{s}, Batch[R]{})
	if len(res) == 0 {
		return nil, nil, err
	}
	return res[0].Plan, res[0].Checks, err
}

// prepared is what the scheduler made ready for a step's apply.
type prepared struct {
	// plan was made against the live state, which is still true (nil:
	// plan now); err is the error that planning gave.
	plan *Plan
	err  error
	// verified is the verification of that state when the plan changes
	// nothing (nil: verify after the actions).
	verified func() ([]Check, error)
	// unconfirmed lists the changes of a plan that a person did not
	// confirm (nil: none was asked, --yes).
	unconfirmed func(*Plan) []string
}

// applyStep applies step s as prep says and records its outcome.
func applyStep[R Runner](ctx context.Context, r R, s *Step[R], prep prepared) (*Plan, []Check, error) {
	info := r.Info()
	if !s.IsEnabled(info.Answers) {
		return skipStep(r, s)
	}
	r.Emit(Event{Kind: EvStepStart, Step: s.ID, Text: s.Title})
	fail := func(err error) error { return stepFailed(ctx, r, s, err) }
	p, err := prep.plan, prep.err
	if p == nil && err == nil {
		p, err = PlanStep(ctx, r, s)
	}
	if err != nil {
		return nil, nil, fail(err)
	}
	for _, n := range p.Notices {
		r.Emit(Event{Kind: EvNotice, Step: s.ID, Text: n})
	}
	for _, w := range p.Warnings {
		r.Emit(Event{Kind: EvWarn, Step: s.ID, Text: w})
	}
	if info.DryRun {
		for _, a := range p.Actions {
			r.Emit(Event{Kind: EvAction, Step: s.ID, Text: a.Summary})
		}
		return p, nil, nil
	}
	if prep.unconfirmed != nil {
		if extra := prep.unconfirmed(p); len(extra) > 0 {
			return p, nil, fail(fmt.Errorf("%w: %s now plans %s, which was not confirmed; nothing of this step was changed: plan again to see and confirm the new plan", ErrPlanStale, s.ID, strings.Join(extra, "; ")))
		}
	}
	actx := observed(ctx, r, s)
	if err := runActions(actx, r, s, p); err != nil {
		return p, nil, fail(err)
	}
	if err := p.record(info.State); err != nil {
		return p, nil, fail(err)
	}
	checks, err := verifyApplied(actx, r, s, p, prep.verified)
	if err != nil {
		return p, checks, fail(err)
	}
	notes := append(append([]string{}, p.Notices...), p.Warnings...)
	if err := info.State.SetStep(s.ID, state.Done, nil, notes); err != nil {
		return p, checks, err
	}
	r.Emit(Event{Kind: EvStepDone, Step: s.ID})
	return p, checks, nil
}

// observed is ctx with its AWS calls reported as s's (EvCall).
func observed[R Runner](ctx context.Context, r R, s *Step[R]) context.Context {
	return aws.WithObserver(ctx, func(call string) { r.Emit(Event{Kind: EvCall, Step: s.ID, Text: call}) })
}

// skipStep records that s is not used with these answers.
func skipStep[R Runner](r R, s *Step[R]) (*Plan, []Check, error) {
	r.Emit(Event{Kind: EvStepSkip, Step: s.ID, Text: "not used with these answers"})
	if info := r.Info(); !info.DryRun {
		if err := info.State.SetStep(s.ID, state.Skipped, nil, nil); err != nil {
			return nil, nil, err
		}
	}
	return &Plan{}, nil, nil
}

// record writes into the progress file what p learnt (Plan.Record), once
// its actions are done.
func (p *Plan) record(prog *state.Progress) error {
	if len(p.records) == 0 {
		return nil
	}
	return prog.Update(func(st *state.Progress) {
		for _, fn := range p.records {
			fn(st)
		}
	})
}

// verifyApplied runs the verification of s once p is applied (or takes
// the early one, verified, when p changed nothing) and reports its checks;
// the error names the first that failed.
func verifyApplied[R Runner](ctx context.Context, r R, s *Step[R], p *Plan, verified func() ([]Check, error)) ([]Check, error) {
	if s.Verify == nil {
		return nil, nil
	}
	var checks []Check
	if verified != nil && p.Empty() {
		checks, _ = verified()
	} else {
		checks = s.Verify(ctx, r)
	}
	for i := range checks {
		r.Emit(Event{Kind: EvCheck, Step: s.ID, Check: &checks[i]})
	}
	for _, c := range checks {
		if !c.OK {
			return checks, fmt.Errorf("verification failed: %s: %s", c.Name, c.Detail)
		}
	}
	return checks, nil
}

func runActions[R Runner](ctx context.Context, r R, s *Step[R], p *Plan) error {
	if !p.Concurrent {
		for _, a := range p.Actions {
			r.Emit(Event{Kind: EvAction, Step: s.ID, Text: a.Summary})
			if err := a.Do(ctx); err != nil {
				return fmt.Errorf("%s: %w", a.Summary, aws.Explain(err))
			}
		}
		return nil
	}
	// Each action starts at once, or once the earlier actions making the
	// calls it waits for (After) are done; a failure stops those not started.
	g, gctx := errgroup.WithContext(ctx)
	done := make([]chan struct{}, len(p.Actions))
	for i := range done {
		done[i] = make(chan struct{})
	}
	for i, a := range p.Actions {
		var waits []chan struct{}
		for j, before := range p.Actions[:i] {
			if slices.ContainsFunc(a.After, func(c string) bool { return slices.Contains(before.Calls, c) }) {
				waits = append(waits, done[j])
			}
		}
		g.Go(func() error {
			for _, w := range waits {
				select {
				case <-w:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			r.Emit(Event{Kind: EvAction, Step: s.ID, Text: a.Summary})
			if err := a.Do(gctx); err != nil {
				return fmt.Errorf("%s: %w", a.Summary, aws.Explain(err))
			}
			close(done[i]) // only a success lets the actions after it go
			return nil
		})
	}
	return g.Wait()
}

// ErrPlanStale is returned (wrapped) when the account changed between the
// plan a person confirmed and the apply.
var ErrPlanStale = errors.New("the plan changed since it was confirmed")

// stepFailed records step s as failed with err — or as interrupted when
// the user stopped the run (ctrl+c: what failed is only the call cut
// short, not the step) — and returns the step's error.
func stepFailed[R Runner](ctx context.Context, r R, s *Step[R], err error) error {
	err = aws.Explain(err)
	status := state.Failed
	if ctx.Err() != nil {
		status, err = state.Interrupted, fmt.Errorf("interrupted by the user (%w); run again to finish the step", ctx.Err())
	}
	r.Emit(Event{Kind: EvStepFail, Step: s.ID, Err: err})
	// Credentials of another account change nothing, not even the env's
	// record of its steps.
	if info := r.Info(); !info.DryRun && !errors.Is(err, ErrWrongAccount) {
		if serr := info.State.SetStep(s.ID, status, err, nil); serr != nil {
			return errors.Join(err, serr)
		}
	}
	return fmt.Errorf("step %s: %w", s.ID, err)
}

func summaries(p *Plan) []string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, a.Summary)
	}
	return out
}

// PlanDiff lists, step by step, how the plan fresh differs from confirmed:
// changes planned now that were not confirmed (+), confirmed changes no
// longer planned (-), and steps whose planning now fails or now succeeds.
func PlanDiff[R any](confirmed, fresh []Result[R]) []string {
	before := map[string]Result[R]{}
	for _, res := range confirmed {
		before[res.Step.ID] = res
	}
	var out []string
	for _, now := range fresh {
		id := now.Step.ID
		was := before[id]
		switch {
		case now.Err != nil && was.Err == nil:
			out = append(out, fmt.Sprintf("[%s] planning now fails: %s", id, text.FirstLine(now.Err.Error())))
			continue
		case now.Err == nil && was.Err != nil:
			out = append(out, fmt.Sprintf("[%s] planning failed when confirmed and now succeeds", id))
			continue
		case now.Err != nil:
			continue
		}
		var a, b []string
		if was.Plan != nil {
			a = summaries(was.Plan)
		}
		if now.Plan != nil {
			b = summaries(now.Plan)
		}
		for _, s := range multisetMinus(b, a) {
			out = append(out, fmt.Sprintf("[%s] + %s (not confirmed)", id, s))
		}
		for _, s := range multisetMinus(a, b) {
			out = append(out, fmt.Sprintf("[%s] - %s (confirmed, no longer planned)", id, s))
		}
	}
	return out
}

// multisetMinus is a without one occurrence of each element of b.
func multisetMinus(a, b []string) []string {
	left := map[string]int{}
	for _, s := range b {
		left[s]++
	}
	var out []string
	for _, s := range a {
		if left[s] > 0 {
			left[s]--
			continue
		}
		out = append(out, s)
	}
	return out
}

// CheckOrder reports a step listed twice, a Needs naming a step that is not
// in list, and a cycle of Needs (which would leave the scheduler waiting forever).
func CheckOrder[R any](list []*Step[R]) error {
	byID := make(map[string]*Step[R], len(list))
	for _, s := range list {
		if byID[s.ID] != nil {
			return fmt.Errorf("steps: %s is listed twice", s.ID)
		}
		byID[s.ID] = s
	}
	for _, s := range list {
		for _, n := range s.Needs {
			if byID[n] == nil {
				return fmt.Errorf("steps: %s needs %s, which is not a step", s.ID, n)
			}
		}
	}
	// Depth-first search; a step met again while still on the path closes a
	// cycle.
	const (
		unseen = iota
		onPath
		finished
	)
	mark := make(map[string]int, len(list))
	var path []string
	var visit func(s *Step[R]) error
	visit = func(s *Step[R]) error {
		switch mark[s.ID] {
		case onPath:
			i := slices.Index(path, s.ID)
			return fmt.Errorf("steps: cycle in Needs: %s", strings.Join(append(path[i:], s.ID), " → "))
		case finished:
			return nil
		}
		mark[s.ID] = onPath
		path = append(path, s.ID)
		for _, n := range s.Needs {
			if err := visit(byID[n]); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		mark[s.ID] = finished
		return nil
	}
	for _, s := range list {
		if err := visit(s); err != nil {
			return err
		}
	}
	return nil
}

// PlanAll plans every enabled step concurrently against the live state (or,
// offline, against nothing).
func PlanAll[R Runner](ctx context.Context, r R, list []*Step[R]) []Result[R] {
	return fanOut(ctx, r, list, func(s *Step[R], res *Result[R]) {
		res.Plan, res.Err = PlanStep(ctx, r, s)
	})
}

// VerifyAll runs every enabled step's live checks concurrently (`check`).
func VerifyAll[R Runner](ctx context.Context, r R, list []*Step[R]) []Result[R] {
	return fanOut(ctx, r, list, func(s *Step[R], res *Result[R]) {
		if s.Verify != nil {
			res.Checks = s.Verify(ctx, r)
		}
	})
}

// VerifyLive runs VerifyAll within timeout when the run's credentials work.
// Otherwise it returns no results and why the live state was not checked
// ("no AWS credentials", "AWS credentials refused: …").
func VerifyLive[R Runner](ctx context.Context, r R, list []*Step[R], timeout time.Duration) ([]Result[R], string) {
	if info := r.Info(); info.Offline || !info.Clients {
		return nil, "no AWS credentials"
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := r.Identify(ctx); err != nil {
		return nil, "AWS credentials refused: " + text.FirstLine(aws.Explain(err).Error())
	}
	return VerifyAll(ctx, r, list), ""
}

// fanOut runs fn for every enabled step at once. ARNs need the account, so
// it is learnt first (a failure is reported by the preflight step itself).
func fanOut[R Runner](ctx context.Context, r R, list []*Step[R], fn func(*Step[R], *Result[R])) []Result[R] {
	_ = r.Identify(ctx)
	answers := r.Info().Answers
	results := make([]Result[R], len(list))
	var wg sync.WaitGroup
	for i, s := range list {
		results[i].Step = s
		if !s.IsEnabled(answers) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(s, &results[i])
		}()
	}
	wg.Wait()
	return results
}
