package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
)

// What the day-2 procedures (package day2: doctor, rotate-keys, destroy)
// use of the steps' internals. The access key's crash-safe life (intent
// recorded before CreateAccessKey, secret into the env file before the
// progress file, orphans deleted) stays here, with the access-key step.

// Probe writes, reads back and deletes a small object under prefix with cl
// (the app's or the wizard's credentials), then purges every trace of it.
func (r *Run) Probe(ctx context.Context, cl aws.S3API, bucket, prefix string, id CheckID, name string) Check {
	return probe(ctx, r, cl, bucket, prefix, id, name)
}

// ARNName is the name at the end of an ARN (a policy's, a role's).
func ARNName(arn string) string { return arnName(arn) }

// WithEnvFiles runs fn holding the project's env-file lock, as every writer
// of an env file does.
func (r *Run) WithEnvFiles(fn func() error) error { return r.withEnvFiles(fn) }

// DeleteOrphanKeys deletes the keys an interrupted run created and whose
// secret was never saved (the creation record tells them apart), then
// closes that record.
func DeleteOrphanKeys(ctx context.Context, r *Run, say func(string)) error {
	v, err := readKeys(ctx, r)
	if err != nil {
		return err
	}
	if len(v.orphans) > 0 {
		say(fmt.Sprintf("deleting orphan key %s (created by an interrupted run; its secret was never saved)", maskAll(v.orphans)))
	}
	return deleteOrphans(ctx, r, v.orphans)
}

// RecoverLandedKey rebuilds the rotation record when a run died after the
// new key (current, the env file's) reached the env file but before it was
// recorded.
func RecoverLandedKey(r *Run, current string) error {
	c := r.State.KeyCreation()
	if r.State.Rotation() != nil || c == nil || c.Replaces == "" || current == "" || slices.Contains(c.Existing, current) {
		return nil
	}
	return r.State.Update(func(p *state.Progress) { recordLanded(p, current, r.Answers.IAMUser, c.At, c.Replaces) })
}

// ReplaceKey creates the user's new key in place of current, proves it works
// (from memory: the env file still holds current), then writes it to the
// env file and records the rotation in the same step. A key that does not
// work is deleted again. It returns the new key's ID.
func ReplaceKey(ctx context.Context, r *Run, current string, say func(string)) (string, error) {
	say(fmt.Sprintf("creating a new key for %s", r.Answers.IAMUser))
	k, err := newKey(ctx, r, current)
	if err != nil {
		return "", fmt.Errorf("create the new key: %w", err)
	}
	say(fmt.Sprintf("checking the new key %s works (IAM can take a few seconds to accept it)", text.Mask(k.id)))
	if err := checkKey(ctx, r, k.id, k.secret); err != nil {
		return "", errors.Join(fmt.Errorf("the new key %s does not work: %w; it was deleted and the old key %s is still in use", text.Mask(k.id), err, text.Mask(current)), dropKey(ctx, r, k.id))
	}
	if err := landKey(ctx, r, k); err != nil {
		return "", err
	}
	return k.id, nil
}

// checkKey proves a key authenticates and can use the bucket's media/.
func checkKey(ctx context.Context, r *Run, id, secret string) error {
	app, err := r.AWS.WithCredentials(ctx, id, secret)
	if err != nil {
		return err
	}
	if _, err := r.CallerOfKey(ctx, app, id); err != nil {
		return aws.Explain(err)
	}
	c := r.retryFreshKey(ctx, id, func() Check {
		return probe(ctx, r, app.S3In(r.Answers.Region), r.Answers.Bucket, "media/", RotateNewKeyProbe, "new key can put/get/delete under media/")
	})
	if !c.OK {
		return fmt.Errorf("%s: %s", c.Name, c.Detail)
	}
	return nil
}
