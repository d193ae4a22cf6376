// Package accesskey is the app's IAM access key's crash-safe life: the
// intent recorded before CreateAccessKey, the secret written into the env
// file (atomically, under the env-file lock) before the key is recorded,
// the keys an interrupted run lost told apart and deleted, the keys an
// earlier iam_user made retired, and the key's verification. The
// access-key step (package steps) plans and verifies through it, and
// rotate-keys (package day2) replaces a key through the same procedures
// (ReplaceKey, DeleteOrphanKeys, RecoverLandedKey).
package accesskey

import (
	"context"
	"sync"
	"time"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/state"
)

// Keys is what the lifecycle works with: one env of the project (its
// answers and progress) and the wizard's AWS clients. steps.Run.Keys builds
// it from the run.
type Keys struct {
	Dir     string
	Answers *config.Answers
	State   *state.Progress
	AWS     *aws.Clients
	// Offline: no credentials; reads that fail are taken as empty.
	Offline bool
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Propagation bounds how long a new key may take to work before it is
	// called broken.
	Propagation time.Duration
	// New remembers the keys this run created (the run's, shared by every
	// Keys built from it); never nil when a key may be created.
	New *Tracker
	// EnvSecretFiles are the env file and an example of its temporary copy,
	// relative to Dir (none when it is outside): git must ignore them before
	// the secret exists.
	EnvSecretFiles []string
	// Probe proves that cl can put, get and delete under prefix of bucket
	// (steps.Run.Probe).
	Probe func(ctx context.Context, cl aws.S3API, bucket, prefix string, id engine.CheckID, name string) engine.Check
}

// envFilePath is the env file's path in the project.
func (ks *Keys) envFilePath() string { return ks.Answers.EnvFilePath(ks.Dir) }

func (ks *Keys) now() time.Time {
	if ks.Now != nil {
		return ks.Now()
	}
	return time.Now()
}

// Tracker remembers the access keys one run created: a key this run made
// may still be propagating through IAM, whatever the progress file says.
// The zero value is ready; it is not copied once used.
type Tracker struct {
	mu   sync.Mutex
	made map[string]bool
}

// add records that this run created the access key id.
func (t *Tracker) add(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.made == nil {
		t.made = map[string]bool{}
	}
	t.made[id] = true
}

// has reports whether this run created the access key id.
func (t *Tracker) has(id string) bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.made[id]
}

// keyIsNew reports whether the access key id may still be propagating
// through IAM: this run created it, or the progress file records it as
// created less than the propagation bound ago (a run that stopped right
// after making it). Only such a key's failures are retried: an established
// key that AWS refuses (deleted, deactivated) or that cannot use the bucket
// is reported at once, not after a minute of retries.
func (ks *Keys) keyIsNew(id string) bool {
	if ks.New.has(id) {
		return true
	}
	if ks.State == nil {
		return false
	}
	k := ks.State.Key(id)
	return k != nil && !k.Created.IsZero() && ks.now().Sub(k.Created) < ks.Propagation
}

// settleNewKey marks ctx for a call made with the access key id: while the
// key is new (keyIsNew), AWS's "unknown key" is waited out; otherwise the
// first answer is final.
func (ks *Keys) settleNewKey(ctx context.Context, id string) context.Context {
	if !ks.keyIsNew(id) {
		return ctx
	}
	return aws.Settle{NotYet: aws.IsInvalidKey, Budget: ks.Propagation}.In(ctx)
}

// retryFreshKey is engine.RetryCheck for a check made with the access key
// id: retried only while the key is new (keyIsNew), run once otherwise.
func (ks *Keys) retryFreshKey(ctx context.Context, id string, fn func() engine.Check) engine.Check {
	if !ks.keyIsNew(id) {
		return fn()
	}
	return engine.RetryCheck(ctx, ks.Propagation, fn)
}

// throttleBudget bounds the retries of CreateAccessKey (keyCreation).
const throttleBudget = 60 * time.Second

// keyCreation is CreateAccessKey's wait, with aws.NewEntity: a throttled call
// and a user IAM does not know yet made nothing, so they are retried;
// nothing else is (Only: CreateAccessKey is not idempotent, and a retry after
// a lost answer would make a second key while the first one's secret is
// gone).
var keyCreation = aws.Settle{NotYet: aws.IsThrottle, Budget: throttleBudget, Only: true}

// The key's checks (steps' checks.go names the step that makes them).
const (
	CheckInEnvFile engine.CheckID = "access-key-in-env-file" // access-key step
	CheckWorks     engine.CheckID = "access-key-works"
	CheckAppProbe  engine.CheckID = "app-key-probe"

	// checkRotateProbe is rotate-keys' proof that the new key works.
	checkRotateProbe engine.CheckID = "rotate-new-key-probe"
)
