package steps

import (
	"context"
	"errors"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// Tag keys the wizard puts on everything it creates: the project (the app
// answer) and the env. A resource carrying another project's tags is
// foreign: never modified, taken over or deleted.
const (
	TagProject   = "s3wizard:project"
	TagEnv       = "s3wizard:env"
	TagManagedBy = "s3wizard:managed-by"
	// TagManager is TagManagedBy's value.
	TagManager = "s3wizard"
	// TagAdoptedBy marks a bucket that existed before the wizard with the
	// project that adopted it (it changes the bucket's policy, Block Public
	// Access and logging): another project may not adopt it too.
	TagAdoptedBy = "s3wizard:adopted-by"
)

// ownerTags are the tags of what the wizard creates for a.
func ownerTags(a *config.Answers) map[string]string {
	return map[string]string{TagProject: a.App, TagEnv: a.Env, TagManagedBy: TagManager}
}

// ownerTagList is ownerTags as a service's tag list, in a stable order.
func ownerTagList[T any](a *config.Answers, tag func(k, v *string) T) []T {
	tags := ownerTags(a)
	var out []T
	for _, k := range sortedKeys(tags) {
		out = append(out, tag(sdk.String(k), sdk.String(tags[k])))
	}
	return out
}

// iamTags are ownerTags for IAM's Create* calls.
func iamTags(a *config.Answers) []iamtypes.Tag {
	return ownerTagList(a, func(k, v *string) iamtypes.Tag { return iamtypes.Tag{Key: k, Value: v} })
}

// budgetTags are ownerTags for Budgets' CreateBudget: the project and the
// env that made the account's budget (its setter).
func budgetTags(a *config.Answers) []btypes.ResourceTag {
	return ownerTagList(a, func(k, v *string) btypes.ResourceTag { return btypes.ResourceTag{Key: k, Value: v} })
}

// tagMap is a service's tag list as a map (the reverse of ownerTagList).
func tagMap[T any](tags []T, kv func(T) (k, v *string)) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		k, v := kv(t)
		m[sdk.ToString(k)] = sdk.ToString(v)
	}
	return m
}

// IAMTagMap is an IAM tag list as a map.
func IAMTagMap(tags []iamtypes.Tag) map[string]string {
	return tagMap(tags, func(t iamtypes.Tag) (*string, *string) { return t.Key, t.Value })
}

// s3TagMap is an S3 tag set as a map.
func s3TagMap(tags []s3types.Tag) map[string]string {
	return tagMap(tags, func(t s3types.Tag) (*string, *string) { return t.Key, t.Value })
}

// TaggedOurs reports whether tags name this project and env.
func TaggedOurs(a *config.Answers, tags map[string]string) bool {
	return tags[TagProject] == a.App && tags[TagEnv] == a.Env
}

// ForeignOwner names the owner that tags claim when it is another project
// ("" when untagged or this project's): such a resource is never ours to
// change.
func ForeignOwner(a *config.Answers, tags map[string]string) string {
	p, ok := tags[TagProject]
	if by := tags[TagAdoptedBy]; !ok && by != "" && by != a.App {
		return fmt.Sprintf("project %q, which adopted it", by)
	}
	if !ok || p == a.App {
		return ""
	}
	if e := tags[TagEnv]; e != "" {
		return fmt.Sprintf("project %q (env %q)", p, e)
	}
	return fmt.Sprintf("project %q", p)
}

// OtherEnv names the env that tags claim when they are this project's but
// another env's ("" otherwise): for what one env makes alone (an alarm),
// such a resource is not this env's either.
func OtherEnv(a *config.Answers, tags map[string]string) string {
	if e := tags[TagEnv]; tags[TagProject] == a.App && e != "" && e != a.Env {
		return e
	}
	return ""
}

// ForeignError is the refusal to touch what another project's tags claim.
func ForeignError(what string, a *config.Answers, owner string) error {
	return fmt.Errorf("%s belongs to %s (its %s tag), not to project %q: the wizard never changes or takes over another project's resources; choose another name in the answers", what, owner, TagProject, a.App)
}

// Owns reports whether the wizard made the resource kind/name for this env,
// by the progress file's record of that very name. A pending intent counts:
// the Create call may have succeeded just before a crash, and the plan
// only ever creates what did not exist.
func (r *Run) Owns(kind, name string) bool {
	return r.State != nil && name != "" && r.State.Owns(kind, name)
}

// ownership is the record of kind/name (ok false when none, or no progress).
func (r *Run) ownership(kind, name string) (state.Ownership, bool) {
	if r.State == nil {
		return state.Ownership{}, false
	}
	return r.State.Ownership(kind, name)
}

// createOwned saves the intent to create the resource kind/name, runs
// create, and saves the outcome. create answers created=true when the call
// made it, or when the name already existed by then but the evidence says
// that is this env's own earlier attempt (a lost reply the SDK retried:
// BucketAlreadyOwnedByYou/EntityAlreadyExists on a name the plan found free
// and whose intent is recorded). created=false with no error (someone else
// made it meanwhile) and a 4xx refusal drop the intent; no answer or a 5xx
// keep it, since the resource may exist.
func createOwned(r *Run, kind, name, arn string, create func() (created bool, err error)) error {
	if !r.Owns(kind, name) {
		if err := r.State.SaveOwnership(state.Ownership{Kind: kind, Name: name, ARN: arn, Evidence: state.EvidencePending}); err != nil {
			return fmt.Errorf("record the intent to create it: %w", err)
		}
	}
	created, err := create()
	switch {
	case created:
		return errors.Join(err, r.State.SaveOwnership(state.Ownership{Kind: kind, Name: name, ARN: arn, Evidence: state.EvidenceCreated}))
	case err == nil || aws.Status(err) >= 400 && aws.Status(err) < 500:
		if o, ok := r.State.Ownership(kind, name); ok && o.Evidence == state.EvidencePending {
			return errors.Join(err, r.State.Update(func(p *state.Progress) { p.ForgetOwnership(kind, name) }))
		}
	}
	return err
}

// claimCreated is for a plan that finds the resource kind/name existing:
// with a pending intent, a run died right after creating it; tagged with
// this project and env (and not recorded as adopted), it is this env's
// (a lost progress file, a teammate's checkout). Either way it is the
// wizard's, recorded when the step is applied. It reports whether it is.
func claimCreated(r *Run, p *Plan, kind, name, arn, what string, tags map[string]string) bool {
	if r.State == nil {
		return false
	}
	o, ok := r.State.Ownership(kind, name)
	switch {
	case ok && o.Evidence == state.EvidencePending:
		p.Notice("%s was created by an interrupted run of the wizard: it stays the wizard's (destroy deletes it)", what)
		recordOwnership(p, kind, name, arn, state.EvidenceCreated)
	case ok && o.Mine():
		if arn != "" && o.ARN == "" {
			recordOwnership(p, kind, name, arn, o.Evidence)
		}
	case !ok && TaggedOurs(r.Answers, tags):
		p.Notice("%s carries this project's and env's tags (%s=%s, %s=%s): it is the wizard's (destroy deletes it)", what, TagProject, r.Answers.App, TagEnv, r.Answers.Env)
		recordOwnership(p, kind, name, arn, state.EvidenceTagged)
	default:
		if !ok {
			recordOwnership(p, kind, name, arn, state.EvidenceAdopted)
		}
		return false
	}
	return true
}

// recordOwnership records kind/name with evidence when p's step is applied.
func recordOwnership(p *Plan, kind, name, arn, evidence string) {
	p.Record(func(s *state.Progress) {
		s.PutOwnership(state.Ownership{Kind: kind, Name: name, ARN: arn, Evidence: evidence})
	})
}

// refuseOtherProjectsBucket stops preflight (refuseForeignBucket), so the
// whole run, when the bucket is this account's but another project's tags
// claim it or another project adopted it: the IAM steps do not wait for
// the bucket step, and would otherwise make a user, a policy and a key
// for it, whose probes then write into the other project's bucket.
func refuseOtherProjectsBucket(ctx context.Context, r *Run) error {
	a := r.Answers
	if r.Offline {
		return nil
	}
	tags, err := BucketTags(ctx, r, r.AWS.S3In(a.Region), a.Bucket)
	if err != nil {
		return nil // the bucket step reads them again and reports
	}
	if owner := ForeignOwner(a, tags); owner != "" {
		return ForeignError("bucket "+a.Bucket, a, owner)
	}
	return nil
}
