package steps

import (
	"errors"
	"fmt"

	"github.com/s3wizard/s3wizard/aws"
)

// Ownership markers (BucketCreatedResource, UserCreatedResource, …) are
// "true" once the wizard has created the resource, and ownPending from just
// before its Create call until the answer is recorded. Without the intent, a
// crash right after CreateBucket or CreateUser would make the next run find
// the resource, adopt it as someone else's, and let destroy keep it.
const (
	ownCreated = "true"
	ownPending = "pending"
)

// Owns reports whether the wizard created the resource of marker. A pending
// intent counts: the Create call may have succeeded just before a crash, and
// the plan only ever creates what did not exist.
func (r *Run) Owns(marker string) bool {
	if r.State == nil {
		return false
	}
	v := r.State.Resource(marker)
	return v == ownCreated || v == ownPending
}

// createOwned saves the intent to create the resource of marker, runs
// create, and saves the outcome. created=false with no error (it already
// existed: someone else made it meanwhile) and a 4xx refusal drop the
// intent; no answer or a 5xx keep it, since the resource may exist.
func createOwned(r *Run, marker string, create func() (created bool, err error)) error {
	if r.State.Resource(marker) != ownCreated {
		if err := r.State.SaveResource(marker, ownPending); err != nil {
			return fmt.Errorf("record the intent to create it: %w", err)
		}
	}
	created, err := create()
	switch {
	case created:
		return errors.Join(err, r.State.SaveResource(marker, ownCreated))
	case err == nil || aws.Status(err) >= 400 && aws.Status(err) < 500:
		if r.State.Resource(marker) == ownPending {
			return errors.Join(err, r.State.SaveResource(marker, ""))
		}
	}
	return err
}

// claimCreated is for a plan that finds the resource of marker existing:
// with a pending intent, a run died right after creating it, so it is the
// wizard's, not adopted (recorded when the step is applied).
func claimCreated(r *Run, p *Plan, marker, what string) {
	if r.State == nil || r.State.Resource(marker) != ownPending {
		return
	}
	p.Notice("%s was created by an interrupted run of the wizard: it stays the wizard's (destroy deletes it)", what)
	p.SetResource(marker, ownCreated)
}
