package steps

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

// Find returns the step with that ID, or nil.
func Find(list []*Step, id string) *Step {
	for _, s := range list {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// ErrPlanRefused is returned (wrapped) when a step's plan reports an error.
var ErrPlanRefused = errors.New("the plan reports an error")

// PlanStep plans one step. A plan that reports an error (Plan.Errorf, or a
// warning marked "ERROR") is returned with an error wrapping ErrPlanRefused,
// so no front end can go on to its actions.
func PlanStep(ctx context.Context, r *Run, s *Step) (*Plan, error) {
	return planStep(ctx, r, s, true)
}

// planStep is PlanStep; without identify, a plan made ahead by ApplyAll
// may use the account guessed from the progress file while STS answers.
func planStep(ctx context.Context, r *Run, s *Step, identify bool) (*Plan, error) {
	ctx = aws.WithObserver(ctx, func(call string) { r.emit(Event{Kind: EvCall, Step: s.ID, Text: call}) })
	// ARNs, policies and budgets name the account: learn it before any
	// step, not only in preflight, which a resumed run does not repeat.
	// (An S3-compatible provider has no STS and no account in its ARNs.)
	if identify && (r.Answers == nil || !compatible(r.Answers)) {
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

// ApplyStep plans, applies and verifies one step and records its outcome in
// the progress file. A failed step keeps every earlier step as it was.
func ApplyStep(ctx context.Context, r *Run, s *Step) (*Plan, []Check, error) {
	return applyStep(ctx, r, s, nil, nil)
}

// applyStep is ApplyStep with, in ahead, a plan already made against the
// live state that is still true (nil: plan now) and, in verified, the
// verification of that state when the plan changes nothing (nil: verify
// after the actions).
func applyStep(ctx context.Context, r *Run, s *Step, ahead *Plan, verified func() ([]Check, error)) (*Plan, []Check, error) {
	if !s.IsEnabled(r.Answers) {
		r.emit(Event{Kind: EvStepSkip, Step: s.ID, Text: "not used with these answers"})
		if !r.DryRun {
			if err := r.State.SetStep(s.ID, state.Skipped, nil, nil); err != nil {
				return nil, nil, err
			}
		}
		return &Plan{}, nil, nil
	}
	r.emit(Event{Kind: EvStepStart, Step: s.ID, Text: s.Title})
	fail := func(err error) error { return stepFailed(ctx, r, s, err) }
	p := ahead
	if p == nil {
		var err error
		if p, err = PlanStep(ctx, r, s); err != nil {
			return nil, nil, fail(err)
		}
	}
	for _, n := range p.Notices {
		r.emit(Event{Kind: EvNotice, Step: s.ID, Text: n})
	}
	for _, w := range p.Warnings {
		r.emit(Event{Kind: EvWarn, Step: s.ID, Text: w})
	}
	if r.DryRun {
		for _, a := range p.Actions {
			r.emit(Event{Kind: EvAction, Step: s.ID, Text: a.Summary})
		}
		return p, nil, nil
	}
	if extra := r.unconfirmed(s.ID, p); len(extra) > 0 {
		return p, nil, fail(fmt.Errorf("%w: %s now plans %s, which was not confirmed; nothing of this step was changed: run apply again to see and confirm the new plan", ErrPlanStale, s.ID, strings.Join(extra, "; ")))
	}
	actx := aws.WithObserver(ctx, func(call string) { r.emit(Event{Kind: EvCall, Step: s.ID, Text: call}) })
	if err := runActions(actx, r, s, p); err != nil {
		return p, nil, fail(err)
	}
	if len(p.records) > 0 {
		if err := r.State.Update(func(st *state.Progress) {
			for _, fn := range p.records {
				fn(st)
			}
		}); err != nil {
			return p, nil, fail(err)
		}
	}
	var checks []Check
	if s.Verify != nil {
		if verified != nil && p.Empty() {
			checks, _ = verified()
		} else {
			checks = s.Verify(actx, r)
		}
		for i := range checks {
			r.emit(Event{Kind: EvCheck, Step: s.ID, Check: &checks[i]})
		}
		for _, c := range checks {
			if !c.OK {
				return p, checks, fail(fmt.Errorf("verification failed: %s: %s", c.Name, c.Detail))
			}
		}
	}
	notes := append(append([]string{}, p.Notices...), p.Warnings...)
	if err := r.State.SetStep(s.ID, state.Done, nil, notes); err != nil {
		return p, checks, err
	}
	r.emit(Event{Kind: EvStepDone, Step: s.ID})
	return p, checks, nil
}

func runActions(ctx context.Context, r *Run, s *Step, p *Plan) error {
	if !p.Concurrent {
		for _, a := range p.Actions {
			r.emit(Event{Kind: EvAction, Step: s.ID, Text: a.Summary})
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
			r.emit(Event{Kind: EvAction, Step: s.ID, Text: a.Summary})
			if err := a.Do(gctx); err != nil {
				return fmt.Errorf("%s: %w", a.Summary, aws.Explain(err))
			}
			close(done[i]) // only a success lets the actions after it go
			return nil
		})
	}
	return g.Wait()
}

// Result is the outcome of one step in a whole-flow run.
type Result struct {
	Step   *Step
	Plan   *Plan
	Checks []Check
	Err    error
}

// ApplyAll runs every step, each as soon as the steps it needs are done, so
// that independent steps (the bucket's settings, IAM) run concurrently. A
// failed step stops the steps that need it; the others still finish. Results
// come back in list order. A list whose Needs name an unknown step or form a
// cycle is refused before anything runs.
//
// On a real network each AWS read costs a round trip. A step whose needed
// steps have all planned nothing to change (directly or through their own
// needs) plans at once, while they still verify: the live state it reads is
// the one it will act on. Otherwise it plans once they are done, as it must
// (the bucket has to exist before its settings are read), and no call is
// made twice.
//
// When an earlier run finished the steps a step needs (the progress file
// says so), they most likely plan nothing again: the step then plans at
// once, alongside them, and that plan counts only if they do plan nothing;
// otherwise it is dropped and the step plans again once they are done. Its
// reads are the same either way; only their timing is a bet. In the same
// way, those plans use the account the progress file records while STS is
// asked, and count only if STS answers that account. No action runs before
// the steps it needs are done, so before STS has answered.
func ApplyAll(ctx context.Context, r *Run, list []*Step) ([]Result, error) {
	return applyAll(ctx, r, list, nil)
}

// ErrPlanStale is returned (wrapped) when the account changed between the
// plan a person confirmed and the apply.
var ErrPlanStale = errors.New("the plan changed since it was confirmed")

// ApplyConfirmed applies the plan a person confirmed (confirmed: PlanAll's
// results, as shown), as `terraform apply` applies a saved plan and refuses
// a stale one. The account is read again first, since the person may have
// answered minutes later: if that plan differs from the confirmed one in
// any step, nothing is changed and the error (wrapping ErrPlanStale) lists
// the differences. Otherwise ApplyAll runs on these fresh plans (a step
// plans again only once the steps it needs have changed something), and a
// step whose plan, made then, holds a change that was not confirmed stops
// before making it. start (if not nil) runs once the plan is known to be
// the confirmed one, before any change.
func ApplyConfirmed(ctx context.Context, r *Run, list []*Step, confirmed []Result, start func() error) ([]Result, error) {
	fresh := PlanAll(ctx, r, list)
	if diff := PlanDiff(confirmed, fresh); len(diff) > 0 {
		return nil, fmt.Errorf("%w: the account changed in between, so nothing was changed:\n  %s\nrun apply again to see and confirm the new plan", ErrPlanStale, strings.Join(diff, "\n  "))
	}
	r.confirmed = map[string][]string{}
	pre := map[string]*Plan{}
	for _, res := range confirmed {
		if res.Plan != nil {
			r.confirmed[res.Step.ID] = summaries(res.Plan)
		}
	}
	for _, res := range fresh {
		if res.Plan != nil && res.Err == nil {
			pre[res.Step.ID] = res.Plan
		}
	}
	if start != nil {
		if err := start(); err != nil {
			return nil, err
		}
	}
	return applyAll(ctx, r, list, pre)
}

// ApplyConfirmedStep is ApplyConfirmed for one step (the TUI confirms step
// by step): confirmed is the plan the person saw. The step is planned
// again; if that plan differs, nothing is changed and the error (wrapping
// ErrPlanStale) lists the differences; otherwise that fresh plan is
// applied as it is.
func ApplyConfirmedStep(ctx context.Context, r *Run, s *Step, confirmed *Plan) (*Plan, []Check, error) {
	if confirmed == nil || !s.IsEnabled(r.Answers) {
		return ApplyStep(ctx, r, s)
	}
	fresh, err := PlanStep(ctx, r, s)
	if err != nil && ctx.Err() != nil {
		return nil, nil, stepFailed(ctx, r, s, err) // interrupted, as during the apply
	}
	if err != nil {
		return nil, nil, fmt.Errorf("step %s: %w", s.ID, err)
	}
	if diff := PlanDiff([]Result{{Step: s, Plan: confirmed}}, []Result{{Step: s, Plan: fresh}}); len(diff) > 0 {
		return nil, nil, fmt.Errorf("%w: the account changed in between, so nothing was changed:\n  %s\nplan the step again to see and confirm the new plan", ErrPlanStale, strings.Join(diff, "\n  "))
	}
	return applyStep(ctx, r, s, fresh, nil)
}

// stepFailed records step s as failed with err — or as interrupted when
// the user stopped the run (ctrl+c: what failed is only the call cut
// short, not the step) — and returns the step's error.
func stepFailed(ctx context.Context, r *Run, s *Step, err error) error {
	err = aws.Explain(err)
	status := state.Failed
	if ctx.Err() != nil {
		status, err = state.Interrupted, fmt.Errorf("interrupted by the user (%w); run again to finish the step", ctx.Err())
	}
	r.emit(Event{Kind: EvStepFail, Step: s.ID, Err: err})
	if !r.DryRun {
		if serr := r.State.SetStep(s.ID, status, err, nil); serr != nil {
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
func PlanDiff(confirmed, fresh []Result) []string {
	before := map[string]Result{}
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

// unconfirmed lists the actions of p that were not confirmed for step id
// (none when no plan was confirmed: --yes).
func (r *Run) unconfirmed(id string, p *Plan) []string {
	if r.confirmed == nil {
		return nil
	}
	return multisetMinus(summaries(p), r.confirmed[id])
}

// applyAll is ApplyAll; pre holds plans made against the live state just
// before (ApplyConfirmed's), used for a step whose needed steps plan
// nothing (the state they read is still the one acted on).
func applyAll(ctx context.Context, r *Run, list []*Step, pre map[string]*Plan) ([]Result, error) {
	if err := CheckOrder(list); err != nil {
		return nil, err
	}
	guess := ""
	if acct, _ := r.Identity(); acct == "" && !r.Offline && r.AWS != nil && r.State != nil && (r.Answers == nil || !compatible(r.Answers)) {
		guess = r.State.Account()
		r.setGuess(guess)
		defer r.setGuess("")
	}
	type progress struct {
		planned chan struct{} // closed once clean is known
		clean   bool          // planned nothing to change, nor did what it needs
		done    chan struct{}
		ok      bool
	}
	results := make([]Result, len(list))
	steps := make(map[string]*progress, len(list))
	for _, s := range list {
		steps[s.ID] = &progress{planned: make(chan struct{}), done: make(chan struct{})}
	}
	var wg sync.WaitGroup
	for i, s := range list {
		me := steps[s.ID]
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(me.done)
			plannedOnce := sync.OnceFunc(func() { close(me.planned) })
			defer plannedOnce()
			wait := func(ch chan struct{}) bool {
				select {
				case <-ch:
					return true
				case <-ctx.Done():
					results[i] = Result{Step: s, Err: ctx.Err()}
					return false
				}
			}
			var ahead *Plan
			// A plan made ahead keeps its reads' answers for the early
			// verification below (aws.ReadCache): none is asked twice.
			reads := aws.NewReadCache()
			pctx := aws.Recording(ctx, reads)
			acct, _ := r.Identity()
			guessed := acct == "" && guess != ""
			planned := pre[s.ID]
			bet := planned == nil && s.IsEnabled(r.Answers) && len(s.Needs) > 0 && (acct != "" || guessed) && finishedBefore(r, s.Needs)
			if bet {
				if p, err := planStep(pctx, r, s, false); err == nil {
					ahead = p
				}
			}
			clean := true
			for _, n := range s.Needs {
				if !wait(steps[n].planned) {
					return
				}
				clean = clean && steps[n].clean
			}
			if ahead != nil && (!clean || guessed && !r.confirmGuess(ctx, guess)) {
				ahead = nil // the bet is lost: plan again once they are done
			}
			if planned != nil && clean {
				ahead = planned
			}
			if acct, _ := r.Identity(); planned == nil && !bet && clean && s.IsEnabled(r.Answers) && (acct != "" || r.Offline || len(s.Needs) == 0) {
				if p, err := PlanStep(pctx, r, s); err == nil {
					ahead = p
				}
			}
			me.clean = ahead != nil && ahead.Empty() || clean && !s.IsEnabled(r.Answers)
			plannedOnce()
			// Nothing to change: the live state is final already, so it is
			// verified now, while the steps it needs still verify theirs;
			// the checks count only once they are done. What the plan has
			// just read is not read again (each answer is given back once,
			// so a check that waits for AWS still reads anew).
			var verified func() ([]Check, error)
			if ahead != nil && ahead.Empty() && s.Verify != nil && !r.DryRun && len(s.Needs) > 0 {
				vctx := aws.WithObserver(aws.Replaying(ctx, reads), func(call string) { r.emit(Event{Kind: EvCall, Step: s.ID, Text: call}) })
				verified = async(func() ([]Check, error) { return s.Verify(vctx, r), nil })
			}
			if verified != nil {
				// Never left running past the run: its probes clean up.
				defer func() { _, _ = verified() }()
			}
			for _, n := range s.Needs {
				if !wait(steps[n].done) {
					return
				}
				if !steps[n].ok {
					results[i] = Result{Step: s, Err: fmt.Errorf("step %s: waiting for %s, which did not finish", s.ID, n)}
					return
				}
			}
			p, checks, err := applyStep(ctx, r, s, ahead, verified)
			results[i] = Result{Step: s, Plan: p, Checks: checks, Err: err}
			me.ok = err == nil
		}()
	}
	wg.Wait()
	var errs []error
	for _, res := range results {
		if res.Err != nil {
			errs = append(errs, res.Err)
		}
	}
	return results, errors.Join(errs...)
}

// finishedBefore reports whether the progress file says an earlier run
// finished (or skipped) every step of needs.
func finishedBefore(r *Run, needs []string) bool {
	if r.State == nil {
		return false
	}
	for _, n := range needs {
		if st := r.State.Step(n).Status; st != state.Done && st != state.Skipped {
			return false
		}
	}
	return true
}

// CheckOrder reports a step listed twice, a Needs naming a step that is not
// in list, and a cycle of Needs (which would leave ApplyAll waiting forever).
func CheckOrder(list []*Step) error {
	byID := make(map[string]*Step, len(list))
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
	var visit func(s *Step) error
	visit = func(s *Step) error {
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
func PlanAll(ctx context.Context, r *Run, list []*Step) []Result {
	return fanOut(ctx, r, list, func(s *Step, res *Result) {
		res.Plan, res.Err = PlanStep(ctx, r, s)
	})
}

// VerifyAll runs every enabled step's live checks concurrently (`check`).
func VerifyAll(ctx context.Context, r *Run, list []*Step) []Result {
	return fanOut(ctx, r, list, func(s *Step, res *Result) {
		if s.Verify != nil {
			res.Checks = s.Verify(ctx, r)
		}
	})
}

// VerifyLive runs VerifyAll within timeout when the run's credentials work.
// Otherwise it returns no results and why the live state was not checked
// ("no AWS credentials", "AWS credentials refused: …").
func VerifyLive(ctx context.Context, r *Run, list []*Step, timeout time.Duration) ([]Result, string) {
	if r.Offline || r.AWS == nil {
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
func fanOut(ctx context.Context, r *Run, list []*Step, fn func(*Step, *Result)) []Result {
	_ = r.Identify(ctx)
	results := make([]Result, len(list))
	var wg sync.WaitGroup
	for i, s := range list {
		results[i].Step = s
		if !s.IsEnabled(r.Answers) {
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
