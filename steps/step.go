// Package steps is the wizard's flow as data: an ordered list of steps that
// the TUI, apply, plan, status, check and docs all walk. Each step plans
// (compares what is wanted with what is live), applies its plan idempotently
// and verifies the live result; package engine runs them.
package steps

import (
	"context"
	"sync"
	"time"

	"github.com/s3wizard/s3wizard/accesskey"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/djangoapp"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/state"
	"golang.org/x/sync/singleflight"
)

// The engine's types, for the steps' Run: the names every step and every
// front end use.
type (
	Step   = engine.Step[*Run]
	Result = engine.Result[*Run]
	Plan   = engine.Plan
	Action = engine.Action
	Check  = engine.Check
	Event  = engine.Event
)

// PlanStep plans one step (engine.PlanStep): a plan that reports an error
// comes back with an error wrapping engine.ErrPlanRefused.
func PlanStep(ctx context.Context, r *Run, s *Step) (*Plan, error) { return engine.PlanStep(ctx, r, s) }

// ApplyStep plans, applies and verifies one step whose needs are done, with
// no confirmation (engine.ApplyStep).
func ApplyStep(ctx context.Context, r *Run, s *Step) (*Plan, []Check, error) {
	return engine.ApplyStep(ctx, r, s)
}

// Find returns the step of list with that ID, or nil.
func Find(list []*Step, id string) *Step { return engine.Find(list, id) }

// Pass, Fail and Skip build checks.
func Pass(id CheckID, name, detail string) Check {
	return Check{ID: id, Name: name, OK: true, Detail: detail}
}
func Fail(id CheckID, name, detail string) Check {
	return Check{ID: id, Name: name, OK: false, Detail: detail}
}
func Skip(id CheckID, name, detail string) Check {
	return Check{ID: id, Name: name, OK: true, Skipped: true, Detail: detail}
}

// Run is what a step works with; the engine runs steps with it
// (engine.Runner: Info, Identify, Identity, SetGuess, Emit).
type Run struct {
	Dir string
	// Python is the interpreter named to ask first for the project's
	// Django (--python); "" names none.
	Python  djangoapp.Python
	Answers *config.Answers
	State   *state.Progress
	AWS     *aws.Clients
	// DryRun: nothing may change (plan, apply --dry-run).
	DryRun bool
	// Offline: no credentials; reads are skipped and everything is planned
	// as new.
	Offline bool
	// Account and Caller come from STS (placeholders when offline). Identify
	// writes them during a run: read them through Identity or AccountID
	// while steps may still be running.
	Account string
	Caller  string
	// identityMu guards Account, Caller and guess, which Identify writes
	// while other steps of the same run read them (the engine runs steps
	// concurrently); one per run, so a Run is not copied.
	identityMu sync.Mutex
	// guess is the account an earlier run recorded, which the engine's
	// scheduler lets plans use while STS confirms it (SetGuess); ""
	// otherwise.
	guess string
	// identifying holds the GetCallerIdentity in flight, which concurrent
	// callers of Identify wait for instead of asking again.
	identifying singleflight.Group
	// refused is the refusal of credentials of another account than the
	// env's (checkAccount): once set, Identify answers it every time.
	refused error
	// emitMu serializes the calls to Report: a step's reads run
	// concurrently and each reports its call, but a Report (a TUI channel,
	// a test's buffer, a line printer) need not be safe for concurrent use.
	emitMu sync.Mutex
	Now    func() time.Time
	// KeyPropagation bounds how long a new access key (or a new user's
	// grants) may take to work (0: 60 s; tests against an emulator, where
	// nothing propagates, shorten it).
	KeyPropagation time.Duration
	// newKeys are the access keys this run created (accesskey.Keys.New).
	newKeys accesskey.Tracker
	// Report receives progress events; never nil after Prepare.
	Report func(Event)
}

// Emit reports e to Report, one event at a time.
func (r *Run) Emit(e Event) {
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	if r.Report != nil {
		r.Report(e)
	}
}

// Info is what the engine reads of the run (engine.Runner).
func (r *Run) Info() engine.RunInfo {
	return engine.RunInfo{Answers: r.Answers, State: r.State, DryRun: r.DryRun, Offline: r.Offline, Clients: r.AWS != nil}
}

// SetReport replaces Report under the lock emit holds: a front end that
// hands each call its own event stream (the TUI) may do so while reads of
// an earlier call are still reporting.
func (r *Run) SetReport(report func(Event)) {
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	r.Report = report
}

// AccountID returns the account, or aws.PlaceholderAccount when it is not
// known (offline); the AWS layer refuses to change anything with the
// placeholder.
//
// During an apply, before STS has answered, it returns the account an
// earlier run recorded: only plans made ahead read it then, and the scheduler
// drops every such plan unless STS confirms that account (no action runs
// before it has answered).
func (r *Run) AccountID() string {
	r.identityMu.Lock()
	defer r.identityMu.Unlock()
	switch {
	case r.Account != "":
		return r.Account
	case r.guess != "":
		return r.guess
	}
	return aws.PlaceholderAccount
}
