package engine

import (
	"context"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/state"
)

// speculation is the scheduler's work ahead of time in one batch. On a
// real network each AWS read costs a round trip, so:
//
//   - A step whose needed steps have all planned nothing to change
//     (directly or through their own needs) plans at once, while they still
//     verify: the live state it reads is the one it will act on. Otherwise
//     it plans once they are done, as it must (the bucket has to exist
//     before its settings are read), and no call is made twice.
//   - When an earlier run finished the steps a step needs (the progress
//     file says so), they most likely plan nothing again: the step then
//     plans at once, alongside them — a bet, which counts only if they do
//     plan nothing; otherwise it is dropped and the step plans again once
//     they are done. Its reads are the same either way; only their timing
//     is a bet.
//   - In the same way, those plans use the account the progress file
//     records (the guess) while STS is asked, and count only if STS answers
//     that account. No action runs before the steps it needs are done, so
//     before STS has answered.
//   - A plan that changes nothing keeps its reads' answers (aws.ReadCache)
//     for the step's verification, made at once, while the steps it needs
//     still verify; its checks count only once they are done.
//
// None of it changes anything.
type speculation[R Runner] struct {
	r R
	// guess is the account the progress file records, which plans made
	// ahead use while STS answers ("": none).
	guess string
	// earlier says, per step, whether the progress file says an earlier
	// run finished (or skipped) the steps it needs. It is read before any
	// step starts: read later, a goroutine started late would see this
	// run's own results and bet on them (a plan made twice).
	earlier map[string]bool
	// account waits for STS's answer and returns the account it names
	// (Identify; a test's fake).
	account func(ctx context.Context) (string, error)
}

// newSpeculation starts the speculation of a batch: while STS has not
// answered, plans made ahead may use the recorded account. end stops it.
func newSpeculation[R Runner](r R, batch []*Step[R]) *speculation[R] {
	sp := &speculation[R]{r: r, earlier: make(map[string]bool, len(batch)), account: func(ctx context.Context) (string, error) {
		if err := r.Identify(ctx); err != nil {
			return "", err
		}
		acct, _ := r.Identity()
		return acct, nil
	}}
	info := r.Info()
	for _, s := range batch {
		sp.earlier[s.ID] = finishedBefore(info.State, s.Needs)
	}
	if acct, _ := r.Identity(); acct == "" && !info.Offline && info.Clients && info.State != nil && !info.provided() {
		sp.guess = info.State.Account()
		r.SetGuess(sp.guess)
	}
	return sp
}

// end stops the use of the guessed account.
func (sp *speculation[R]) end() {
	if sp.guess != "" {
		sp.r.SetGuess("")
	}
}

// confirmed reports whether STS confirms the guessed account (it waits
// for STS's answer).
func (sp *speculation[R]) confirmed(ctx context.Context) bool {
	acct, err := sp.account(ctx)
	return err == nil && acct == sp.guess
}

// finishedBefore reports whether the progress file says an earlier run
// finished (or skipped) every step of needs.
func finishedBefore(prog *state.Progress, needs []string) bool {
	if prog == nil {
		return false
	}
	for _, n := range needs {
		if st := prog.Step(n).Status; st != state.Done && st != state.Skipped {
			return false
		}
	}
	return true
}

// lookahead is the speculation for one step of the batch.
type lookahead[R Runner] struct {
	sp *speculation[R]
	s  *Step[R]
	// waits: s needs steps of the batch (not only earlier ones).
	waits bool
	// pre is a plan made against the live state just before (a confirmed
	// apply's recheck).
	pre *Plan
	// reads keeps the answers of the plan made ahead, for the early
	// verification; pctx records them.
	reads *aws.ReadCache
	pctx  context.Context
	// bet: s planned alongside the steps it needs (plan; nil when that
	// plan failed), on the guessed account if guessed.
	bet, guessed bool
	plan         *Plan
	// verified is the early verification, once started.
	verified func() ([]Check, error)
}

// start begins the speculation for s (pre: a plan already made, or nil;
// waits: s needs steps of the batch), and makes its bet if it bets.
func (sp *speculation[R]) start(ctx context.Context, s *Step[R], pre *Plan, waits bool) *lookahead[R] {
	r := sp.r
	la := &lookahead[R]{sp: sp, s: s, waits: waits, pre: pre, reads: aws.NewReadCache()}
	la.pctx = aws.Recording(ctx, la.reads)
	acct, _ := r.Identity()
	la.guessed = acct == "" && sp.guess != ""
	la.bet = pre == nil && s.IsEnabled(r.Info().Answers) && waits && (acct != "" || la.guessed) && sp.earlier[s.ID]
	if la.bet {
		if p, err := planStep(la.pctx, r, s, false); err == nil {
			la.plan = p
		}
	}
	return la
}

// settle is called once the steps s needs have planned (clean: none of
// them changes anything) and returns the plan made ahead that s applies:
// the bet's, when it is won (they are clean and STS confirmed a guessed
// account); pre, when they are clean; else, when they are clean and the
// account is known, a plan made now, or the error it gave. A nil plan and
// error: s plans once they are done.
func (la *lookahead[R]) settle(ctx context.Context, clean bool) (*Plan, error) {
	r, s := la.sp.r, la.s
	if la.plan != nil && (!clean || la.guessed && !la.sp.confirmed(ctx)) {
		la.plan = nil // the bet is lost: plan again once they are done
	}
	switch {
	case la.pre != nil && clean:
		return la.pre, nil
	case la.bet || la.pre != nil || !clean || !s.IsEnabled(r.Info().Answers):
		return la.plan, nil
	}
	if acct, _ := r.Identity(); acct == "" && !r.Info().Offline && la.waits {
		return nil, nil
	}
	p, err := PlanStep(la.pctx, r, s)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// verifyEarly starts the verification of s when its plan ahead, p,
// changes nothing and s waits for steps of the batch: the live state is
// final already, so it is verified now, while they still verify theirs.
// What the plan has just read is not read again (each answer is given
// back once, so a check that waits for AWS still reads anew). It returns
// the function that waits for the checks, or nil.
func (la *lookahead[R]) verifyEarly(ctx context.Context, p *Plan) func() ([]Check, error) {
	r, s := la.sp.r, la.s
	if p == nil || !p.Empty() || s.Verify == nil || r.Info().DryRun || !la.waits {
		return nil
	}
	vctx := observed(aws.Replaying(ctx, la.reads), r, s)
	la.verified = Async(func() ([]Check, error) { return s.Verify(vctx, r), nil })
	return la.verified
}

// stop waits for the early verification, if any: it is never left
// running past the run (its probes clean up).
func (la *lookahead[R]) stop() {
	if la.verified != nil {
		_, _ = la.verified()
	}
}
