// Package steps is the wizard's flow as data: an ordered list of steps that
// the TUI, apply, plan, status, check and docs all walk. Each step plans
// (compares what is wanted with what is live), applies its plan idempotently
// and verifies the live result.
package steps

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"golang.org/x/sync/singleflight"
)

// Step is one stage of the guide.
type Step struct {
	ID    string
	Title string
	// Guide is the section of the guides this step automates.
	Guide string
	// Why is the one-paragraph reason shown before the step.
	Why string
	// Departures say where the wizard does better than the guide, and why.
	Departures []string
	// Keys are the answers this step asks for.
	Keys []string
	// Needs are the steps that must be done first.
	Needs []string
	// Enabled tells whether the step applies to these answers (nil: always).
	Enabled func(a *config.Answers) bool
	// Plan reads the live state and returns what must change.
	Plan func(ctx context.Context, r *Run) (*Plan, error)
	// Verify checks the live result (after Apply, and for `check`).
	Verify func(ctx context.Context, r *Run) []Check
}

// IsEnabled reports whether the step applies to a.
func (s *Step) IsEnabled(a *config.Answers) bool { return s.Enabled == nil || s.Enabled(a) }

// Plan is what a step will do.
type Plan struct {
	Actions []*Action
	// Notices are information for the user (already exists, departures).
	Notices []string
	// Warnings need the user's attention but do not stop the step.
	Warnings []string
	// Errors stop the step before any action runs (see PlanStep): a plan
	// that reports an error never goes on.
	Errors []string
	// Concurrent actions do not depend on one another.
	Concurrent bool
	// records are what the plan learnt for the progress file (resource
	// names, manual steps): a plan only reads, so they are written when the
	// step is applied, after its actions (Record, SetResource, AddManual).
	records []func(*state.Progress)
}

// Record asks for fn to update the progress file when the step is applied
// (never in a dry run, and never by planning).
func (p *Plan) Record(fn func(*state.Progress)) { p.records = append(p.records, fn) }

// SetResource records a resource name or ARN when the step is applied.
func (p *Plan) SetResource(k, v string) {
	p.Record(func(s *state.Progress) { s.SetResource(k, v) })
}

// AddManual records a manual step for the hand-off document when the step
// is applied.
func (p *Plan) AddManual(format string, args ...any) {
	m := fmt.Sprintf(format, args...)
	p.Record(func(s *state.Progress) { s.AddManual(m) })
}

// Empty reports whether nothing needs to change.
func (p *Plan) Empty() bool { return p == nil || len(p.Actions) == 0 }

// Add appends an action.
func (p *Plan) Add(a *Action) { p.Actions = append(p.Actions, a) }

// Notice appends a notice.
func (p *Plan) Notice(format string, args ...any) {
	p.Notices = append(p.Notices, fmt.Sprintf(format, args...))
}

// Warn appends a warning.
func (p *Plan) Warn(format string, args ...any) {
	p.Warnings = append(p.Warnings, fmt.Sprintf(format, args...))
}

// Errorf records a problem that forbids the step to go on: PlanStep then
// fails, so neither apply nor the TUI can run the plan's actions.
func (p *Plan) Errorf(format string, args ...any) {
	p.Errors = append(p.Errors, fmt.Sprintf(format, args...))
}

// errorMarker is how a message marks itself as an error ("ERROR: …", any
// case); a warning carrying it counts as an error (see Plan.refusals).
var errorMarker = regexp.MustCompile(`(?i)^\s*error\s*:`)

// refusals are the plan's errors, plus any warning written as an error
// ("ERROR: …"): a message marked as an error never lets a step go on.
func (p *Plan) refusals() []string {
	if p == nil {
		return nil
	}
	out := append([]string(nil), p.Errors...)
	for _, w := range p.Warnings {
		if errorMarker.MatchString(w) {
			out = append(out, w)
		}
	}
	return out
}

// Action is one change: what it does, the AWS calls it makes, the files it
// writes, and the code that does it.
type Action struct {
	Summary string
	Calls   []string
	Files   []string
	Do      func(ctx context.Context) error
	// After names AWS calls (e.g. "iam:CreateGroup") this action needs done
	// first: in a concurrent plan it waits for the earlier actions that make
	// them, and runs alongside the rest.
	After []string
}

// Check is one item of a live verification.
type Check struct {
	// ID names the check for good (checks.go); Name is for humans and may
	// change.
	ID     CheckID `json:"id"`
	Name   string  `json:"name"`
	OK     bool    `json:"ok"`
	Detail string  `json:"detail,omitempty"`
	// Skipped checks could not be run here (e.g. an API the emulator lacks).
	Skipped bool `json:"skipped,omitempty"`
}

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

// Run is what a step works with.
type Run struct {
	Dir     string
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
	// identityMu guards Account, Caller and guess, which
	// Identify writes while other steps of the same run read them
	// (the scheduler, PlanAll and VerifyAll run steps concurrently); one per
	// run, so a Run is not copied.
	identityMu sync.Mutex
	// guess is the account an earlier run recorded, which the scheduler lets
	// plans use while STS confirms it (see speculation); "" otherwise.
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
	// newKeys are the access keys this run created (see keyIsNew), under
	// newKeysMu.
	newKeysMu sync.Mutex
	newKeys   map[string]bool
	// Report receives progress events; never nil after Prepare.
	Report func(Event)
}

// Event kinds.
const (
	EvStepStart = "step-start"
	EvCall      = "call"
	EvNotice    = "notice"
	EvWarn      = "warn"
	EvAction    = "action"
	EvCheck     = "check"
	EvStepDone  = "step-done"
	EvStepFail  = "step-failed"
	EvStepSkip  = "step-skipped"
)

// Event is one progress report of a run.
type Event struct {
	Kind  string
	Step  string
	Text  string
	Check *Check
	Err   error
}

func (r *Run) emit(e Event) {
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	if r.Report != nil {
		r.Report(e)
	}
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
