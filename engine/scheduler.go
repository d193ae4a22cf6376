package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Scheduler applies the steps of one run, each as soon as the steps it
// needs are done, so that independent steps (the bucket's settings, IAM)
// run concurrently. A failed step stops the steps that need it; the others
// still finish.
//
// Both front ends go through it: apply runs the whole list in one batch
// (confirmed, or with --yes), the wizard one step at a time, each confirmed
// on its own — a batch of one, whose needs, outside it, were done by
// earlier batches. So every rule of an apply holds for both by
// construction: a plan that reports an error never goes on (ErrPlanRefused),
// a plan that changed since it was confirmed is refused (ErrPlanStale),
// ctrl+c is recorded as an interruption, not a failure.
type Scheduler[R Runner] struct {
	run  R
	list []*Step[R]
}

// NewScheduler returns the scheduler of list (the whole flow) for r.
func NewScheduler[R Runner](r R, list []*Step[R]) *Scheduler[R] {
	return &Scheduler[R]{run: r, list: list}
}

// Plan plans the steps of batch (none: the whole list) concurrently
// against the live state (or, offline, against nothing): what a person
// confirms.
func (sc *Scheduler[R]) Plan(ctx context.Context, batch ...*Step[R]) []Result[R] {
	if len(batch) == 0 {
		batch = sc.list
	}
	return PlanAll(ctx, sc.run, batch)
}

// Batch is what one call to Apply runs.
type Batch[R Runner] struct {
	// Steps to apply (nil: the whole list). A step they need that is not
	// among them counts as done by an earlier batch.
	Steps []*Step[R]
	// Confirmed holds the plans a person confirmed for Steps (Plan's
	// results, as shown); nil when none was asked (--yes).
	Confirmed []Result[R]
	// Start, if not nil, runs once the plans are known to be the
	// confirmed ones, before any change.
	Start func() error
}

// Apply applies the steps of b; results come back in their order. A list
// whose Needs name an unknown step or form a cycle is refused before
// anything runs.
//
// With a confirmation, what is applied is the plan the person confirmed,
// as `terraform apply` applies a saved plan and refuses a stale one: a
// plan that failed when shown is refused (nothing runs), and the steps are
// planned again first, since the person may have answered minutes later.
// If a fresh plan differs from the confirmed one in any step, nothing is
// changed and the error (wrapping ErrPlanStale) lists the differences.
// Otherwise these fresh plans are applied (a step plans again only once
// the steps it needs have changed something), and a step whose plan, made
// then, holds a change that was not confirmed stops before making it.
func (sc *Scheduler[R]) Apply(ctx context.Context, b Batch[R]) ([]Result[R], error) {
	if err := CheckOrder(sc.list); err != nil {
		return nil, err
	}
	batch := b.Steps
	if batch == nil {
		batch = sc.list
	}
	for _, s := range batch {
		if Find(sc.list, s.ID) == nil {
			return nil, fmt.Errorf("steps: %s is not a step of the list", s.ID)
		}
	}
	return sc.apply(ctx, batch, b)
}

// apply is Apply on batch, whose order is known to be valid.
func (sc *Scheduler[R]) apply(ctx context.Context, batch []*Step[R], b Batch[R]) ([]Result[R], error) {
	var pre map[string]*Plan
	var unconfirmed func(*Step[R], *Plan) []string
	if b.Confirmed != nil {
		var (
			res []Result[R]
			err error
		)
		if pre, res, err = sc.recheck(ctx, batch, b.Confirmed); err != nil {
			return res, err
		}
		unconfirmed = notConfirmed(b.Confirmed)
	}
	if b.Start != nil {
		if err := b.Start(); err != nil {
			return nil, err
		}
	}
	return sc.schedule(ctx, batch, pre, unconfirmed)
}

// recheck plans batch again before a confirmed apply and returns the fresh
// plans, by step, once they are known to be the confirmed ones. A plan
// that failed when shown is refused; a fresh plan cut short by ctrl+c
// records its step as interrupted (results, and the error); a fresh plan
// that differs is refused with ErrPlanStale. Nothing is changed in any
// of these cases.
func (sc *Scheduler[R]) recheck(ctx context.Context, batch []*Step[R], confirmed []Result[R]) (map[string]*Plan, []Result[R], error) {
	for _, res := range confirmed {
		if res.Err != nil {
			return nil, nil, fmt.Errorf("step %s: %w", res.Step.ID, res.Err)
		}
	}
	fresh := PlanAll(ctx, sc.run, batch)
	if ctx.Err() != nil {
		var errs []error
		for i, res := range fresh {
			if res.Err != nil {
				fresh[i].Err = stepFailed(ctx, sc.run, res.Step, res.Err)
				errs = append(errs, fresh[i].Err)
			}
		}
		if len(errs) == 0 {
			errs = append(errs, ctx.Err())
		}
		return nil, fresh, errors.Join(errs...)
	}
	if diff := PlanDiff(confirmed, fresh); len(diff) > 0 {
		return nil, nil, fmt.Errorf("%w: the account changed in between, so nothing was changed:\n  %s\nplan again to see and confirm the new plan", ErrPlanStale, strings.Join(diff, "\n  "))
	}
	pre := map[string]*Plan{}
	for _, res := range fresh {
		if res.Plan != nil && res.Err == nil {
			pre[res.Step.ID] = res.Plan
		}
	}
	return pre, nil, nil
}

// notConfirmed returns the function listing the changes of a step's plan
// that confirmed does not hold for it.
func notConfirmed[R Runner](confirmed []Result[R]) func(*Step[R], *Plan) []string {
	shown := map[string][]string{}
	for _, res := range confirmed {
		if res.Plan != nil {
			shown[res.Step.ID] = summaries(res.Plan)
		}
	}
	return func(s *Step[R], p *Plan) []string { return multisetMinus(summaries(p), shown[s.ID]) }
}

// node is a step's progress within a batch, which the steps that need it
// wait for.
type node struct {
	planned chan struct{} // closed once clean is known
	clean   bool          // it plans nothing to change, nor do the steps it needs
	done    chan struct{} // closed once it has ended
	ok      bool          // it ended done
	// earlier: not in the batch, done by an earlier one.
	earlier bool
}

// graph holds the nodes of a batch's steps and of the steps they need.
type graph map[string]*node

func newGraph[R Runner](batch []*Step[R]) graph {
	g := make(graph, len(batch))
	for _, s := range batch {
		g[s.ID] = &node{planned: make(chan struct{}), done: make(chan struct{})}
	}
	// A step needed from outside the batch was done by an earlier batch:
	// what it made is the live state now, and it changes nothing more.
	for _, s := range batch {
		for _, n := range s.Needs {
			if g[n] == nil {
				g[n] = &node{planned: make(chan struct{}), done: make(chan struct{}), clean: true, ok: true, earlier: true}
				close(g[n].planned)
				close(g[n].done)
			}
		}
	}
	return g
}

// waits reports whether s needs a step of the batch (not only earlier
// ones).
func (g graph) waits(needs []string) bool {
	for _, n := range needs {
		if !g[n].earlier {
			return true
		}
	}
	return false
}

// waitPlanned waits until every step s needs has planned and reports
// whether all of them plan nothing to change (clean); ok is false when
// the run was stopped first.
func (g graph) waitPlanned(ctx context.Context, needs []string) (clean, ok bool) {
	clean = true
	for _, n := range needs {
		if !wait(ctx, g[n].planned) {
			return false, false
		}
		clean = clean && g[n].clean
	}
	return clean, true
}

// waitDone waits until every step s needs has ended, and says why s
// cannot go on: the run was stopped, or one of them did not finish.
func (g graph) waitDone(ctx context.Context, id string, needs []string) error {
	for _, n := range needs {
		if !wait(ctx, g[n].done) {
			return ctx.Err()
		}
		if !g[n].ok {
			return fmt.Errorf("step %s: waiting for %s, which did not finish", id, n)
		}
	}
	return nil
}

func wait(ctx context.Context, ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// schedule runs every step of batch at once, each in its own goroutine
// (runStep), and returns their results in batch order. pre holds plans
// made against the live state just before (recheck's), used for a step
// whose needed steps plan nothing (the state they read is still the one
// acted on); unconfirmed (nil: --yes) lists what a plan holds that was not
// confirmed.
func (sc *Scheduler[R]) schedule(ctx context.Context, batch []*Step[R], pre map[string]*Plan, unconfirmed func(*Step[R], *Plan) []string) ([]Result[R], error) {
	g := newGraph(batch)
	sp := newSpeculation(sc.run, batch)
	defer sp.end()
	results := make([]Result[R], len(batch))
	var wg sync.WaitGroup
	for i, s := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var check func(*Plan) []string
			if unconfirmed != nil {
				check = func(p *Plan) []string { return unconfirmed(s, p) }
			}
			results[i] = sc.runStep(ctx, s, g, sp.start(ctx, s, pre[s.ID], g.waits(s.Needs)), check)
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

// runStep is one step's part of a batch: plan as early as the steps it
// needs allow (la, the speculation for it, may have planned already),
// wait for them to be done, then apply and verify.
func (sc *Scheduler[R]) runStep(ctx context.Context, s *Step[R], g graph, la *lookahead[R], unconfirmed func(*Plan) []string) Result[R] {
	me := g[s.ID]
	defer close(me.done)
	plannedOnce := sync.OnceFunc(func() { close(me.planned) })
	defer plannedOnce()
	clean, ok := g.waitPlanned(ctx, s.Needs)
	if !ok {
		return Result[R]{Step: s, Err: ctx.Err()}
	}
	prep := prepared{unconfirmed: unconfirmed}
	prep.plan, prep.err = la.settle(ctx, clean)
	me.clean = prep.err == nil && prep.plan != nil && prep.plan.Empty() || clean && !s.IsEnabled(sc.run.Info().Answers)
	plannedOnce()
	prep.verified = la.verifyEarly(ctx, prep.plan)
	// Never left running past the run: its probes clean up.
	defer la.stop()
	if err := g.waitDone(ctx, s.ID, s.Needs); err != nil {
		return Result[R]{Step: s, Err: err}
	}
	p, checks, err := applyStep(ctx, sc.run, s, prep)
	me.ok = err == nil
	return Result[R]{Step: s, Plan: p, Checks: checks, Err: err}
}
