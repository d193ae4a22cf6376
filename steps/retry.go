package steps

import (
	"time"

	"github.com/s3wizard/s3wizard/aws"
)

// AWS is eventually consistent in ways an emulator never shows: a new
// access key, user, policy or bucket can be unknown for seconds to the next
// call, and concurrent changes to one bucket can answer OperationAborted.
// Every such wait in the wizard is an aws.Settle declared here, beside its
// one call, or in aws (aws.NewEntity): the SDK's retryer repeats a call made
// with the context Settle.In returns (aws/settle.go), and a check that is no
// single SDK call (an HTTP probe, a new key's first use) waits through
// engine.RetryCheck. The access key's own waits are package accesskey's.

// newKeyPropagation bounds how long a new key (or a new user's grants) may
// take to work before the wizard calls it broken (Run.KeyPropagation
// shortens it for a run).
const newKeyPropagation = 60 * time.Second

func (r *Run) keyPropagation() time.Duration {
	if r.KeyPropagation > 0 {
		return r.KeyPropagation
	}
	return newKeyPropagation
}

// conflictRetryBudget bounds the retries of S3's OperationAborted.
const conflictRetryBudget = 10 * time.Second

// conflict waits out S3's OperationAborted ("a conflicting conditional
// operation is currently in progress"), which S3 may answer when several
// settings of one bucket change at once, as they do here and in the other
// steps running alongside.
var conflict = aws.Settle{NotYet: isConflict, Budget: conflictRetryBudget}

// isConflict reports S3's OperationAborted (409).
func isConflict(err error) bool { return aws.Code(err) == "OperationAborted" }
