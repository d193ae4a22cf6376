// Package engine runs steps: a step plans (compares what is wanted with
// what is live), applies its plan and verifies the live result; the
// Scheduler applies a list of them as a DAG for both front ends, and
// works ahead where it can (speculation.go). It knows no step: those are
// package steps', which gives the engine its run through Runner. It
// imports no appconfig, djangoapp, assets or steps (a test enforces it).
package engine

import (
	"context"
	"fmt"
	"regexp"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// Step is one stage of the guide, for runs of type R (the steps' Run).
type Step[R any] struct {
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
	Plan func(ctx context.Context, r R) (*Plan, error)
	// Verify checks the live result (after Apply, and for `check`).
	Verify func(ctx context.Context, r R) []Check
}

// IsEnabled reports whether the step applies to a.
func (s *Step[R]) IsEnabled(a *config.Answers) bool { return s.Enabled == nil || s.Enabled(a) }

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
	// ID names the check for good (steps/checks.go); Name is for humans and may
	// change.
	ID     CheckID `json:"id"`
	Name   string  `json:"name"`
	OK     bool    `json:"ok"`
	Detail string  `json:"detail,omitempty"`
	// Skipped checks could not be run here (e.g. an API the emulator lacks).
	Skipped bool `json:"skipped,omitempty"`
}

// CheckID names a check for good. The hand-off document's checklist, `check
// --json` and the tests refer to checks by ID; a check's Name is for humans
// and may be reworded freely. The IDs are the steps' (steps/checks.go).
type CheckID string

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

// Result is the outcome of one step in a run of several.
type Result[R any] struct {
	Step   *Step[R]
	Plan   *Plan
	Checks []Check
	Err    error
}

// Find returns the step of list with that ID, or nil.
func Find[R any](list []*Step[R], id string) *Step[R] {
	for _, s := range list {
		if s.ID == id {
			return s
		}
	}
	return nil
}
