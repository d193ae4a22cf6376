package engine

import (
	"context"
	"errors"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// Runner is what the engine needs of a run (steps.Run is the one): what it
// reads of it, who the credentials are, and where progress is reported.
// The run keeps its own fields, so a step's code and a test build one as a
// plain struct.
type Runner interface {
	// Info is what the engine reads of the run.
	Info() RunInfo
	// Identify asks STS who the credentials are, once per run (nil when
	// there is no one to ask). After a refusal of the credentials it
	// answers that refusal every time (ErrWrongAccount).
	Identify(ctx context.Context) error
	// Identity returns the account and caller Identify learnt ("" before).
	Identity() (account, caller string)
	// SetGuess sets the account plans made ahead may use while STS has
	// not answered ("" ends it; see speculation).
	SetGuess(account string)
	// Emit reports a progress event, one at a time.
	Emit(Event)
}

// RunInfo is what the engine reads of a run.
type RunInfo struct {
	Answers *config.Answers
	State   *state.Progress
	// DryRun: nothing may change (plan, apply --dry-run).
	DryRun bool
	// Offline: no credentials; everything is planned as new.
	Offline bool
	// Clients: the run has AWS clients (STS can be asked).
	Clients bool
}

// provided reports whether the answers are an S3-compatible provider's
// (credentials: provided), which has no STS and no account in its ARNs.
func (i RunInfo) provided() bool { return i.Answers != nil && i.Answers.IsProvided() }

// ErrWrongAccount is returned (wrapped) when the credentials belong to
// another AWS account than the one the env's progress file records:
// nothing is changed, not even the env's record of its steps.
var ErrWrongAccount = errors.New("wrong AWS account")
