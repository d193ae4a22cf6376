package day2

import (
	"context"
	"errors"
	"fmt"
	"slices"

	sdk "github.com/aws/aws-sdk-go-v2/aws"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// RotateOptions are the rotation's questions and output.
type RotateOptions struct {
	// ConfirmDelete says whether a replaced key may be deleted now (an
	// inactive key can still be re-activated if something used it).
	ConfirmDelete func(oldID string) bool
	// ConfirmDeactivate says whether the replaced key may be deactivated
	// now: every running process that read it must have been restarted.
	// Nil: deactivate without asking.
	ConfirmDeactivate func(oldID string) bool
	// DeployHeroku pushes the env file's values to the Heroku app; it
	// returns false when that was not done (no CLI, or declined). Nil: not
	// possible here.
	DeployHeroku func(ctx context.Context) (bool, error)
	Say          func(string)
}

// ErrRotationPending means the new key is in the env file but must still be
// deployed before the old one can be deactivated.
var ErrRotationPending = errors.New("rotation not finished")

// RotateKeys replaces the app's access key without downtime: create the
// second key → check it works (from memory: the env file still holds the old
// one) → write it to the env file, recording the rotation in the same step →
// refresh the app's files and deploy it (Heroku) → deactivate the old key →
// delete it only if confirmed. Every stage is recorded, so running
// rotate-keys again after any failure or crash finishes the same rotation.
func RotateKeys(ctx context.Context, r *steps.Run, o RotateOptions) error {
	a := r.Answers
	if !a.UsesAccessKeys() {
		return fmt.Errorf("env %s uses an instance role: there is no key to rotate (AWS rotates role credentials itself)", a.Env)
	}
	// The new key's secret can only go into the env file: refuse a file
	// that cannot take it before any key is made.
	if err := envfile.CheckWritable(r.EnvFilePath()); err != nil {
		return fmt.Errorf("env file: %w; no key was created", err)
	}
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return err
	}
	current := env[appconfig.EnvKeyID]
	keys := r.Keys()
	if err := keys.RecoverLandedKey(current); err != nil {
		return err
	}
	if r.State.KeyCreation() != nil && r.State.Rotation() == nil {
		// An earlier run died right after CreateAccessKey: its key's
		// secret is lost; delete it before making a new one.
		if err := keys.DeleteOrphanKeys(ctx, o.Say); err != nil {
			return err
		}
	}
	if rot := r.State.Rotation(); rot != nil && rot.New == current {
		o.Say(fmt.Sprintf("finishing the rotation started earlier: new key %s is in %s, old key %s still active", text.Mask(rot.New), a.EnvFile, text.Mask(rot.Old)))
		return finishRotation(ctx, r, o, *rot)
	}
	if err := makeRoom(ctx, r, o, current); err != nil {
		return err
	}
	id, err := keys.ReplaceKey(ctx, current, o.Say)
	if err != nil {
		return err
	}
	o.Say(fmt.Sprintf("new key %s written to %s", text.Mask(id), a.EnvFile))
	return finishRotation(ctx, r, o, state.Rotation{Old: current, New: id})
}

// finishRotation deploys the new key wherever the old one is used, then
// retires the old one. The old key stays active until every deployment has
// the new one.
func finishRotation(ctx context.Context, r *steps.Run, o RotateOptions, rot state.Rotation) error {
	a := r.Answers
	if s := steps.Find(steps.All(), "app-config"); s != nil {
		o.Say("refreshing the app's configuration files with the new key")
		if _, _, err := steps.ApplyStep(ctx, r, s); err != nil {
			return fmt.Errorf("deploy the new key: %w (the old key %s is still active; run rotate-keys again to continue)", err, text.Mask(rot.Old))
		}
	}
	if a.HerokuApp != "" {
		deployed := rot.HandedOff || deployedTo(r, rot.New, "heroku")
		if rot.HandedOff {
			o.Say(fmt.Sprintf("taking it that the new key was set on Heroku app %s, as the previous run asked", a.HerokuApp))
		}
		if !deployed && o.DeployHeroku != nil {
			var err error
			if deployed, err = o.DeployHeroku(ctx); err != nil {
				return fmt.Errorf("deploy the new key to Heroku: %w (the old key %s is still active; run rotate-keys again to retry)", err, text.Mask(rot.Old))
			}
		}
		if !deployed {
			if err := r.State.Update(func(p *state.Progress) {
				if rot := p.Rotation(); rot != nil {
					rot.HandedOff = true
					p.SetRotation(rot)
				}
			}); err != nil {
				return err
			}
			return fmt.Errorf("%w: the new key is in %s and in %s, but Heroku app %s still uses the old key %s, which stays active: run `sh %s` (or set the variables in the Heroku dashboard), then run `s3wizard rotate-keys --env %s` again to deactivate the old key",
				ErrRotationPending, a.EnvFile, appconfig.HerokuFile(a.Env), a.HerokuApp, text.Mask(rot.Old), appconfig.HerokuFile(a.Env), a.Env)
		}
	}
	return retireOld(ctx, r, o, rot.Old)
}

func deployedTo(r *steps.Run, id, where string) bool {
	k := r.State.Key(id)
	return k != nil && slices.Contains(k.Deployed, where)
}

// makeRoom frees a key slot: IAM allows 2 keys per user.
func makeRoom(ctx context.Context, r *steps.Run, o RotateOptions, current string) error {
	a := r.Answers
	out, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser})
	if err != nil {
		return fmt.Errorf("list access keys of %s: %w", a.IAMUser, err)
	}
	if len(out.AccessKeyMetadata) < 2 {
		return nil
	}
	for _, k := range out.AccessKeyMetadata {
		id := sdk.ToString(k.AccessKeyId)
		if id == current {
			continue
		}
		if k.Status == iamtypes.StatusTypeActive {
			return fmt.Errorf("user %s already has 2 active keys (%s is not in %s): find what still uses it before you deactivate it (aws iam update-access-key --status Inactive --user-name %s --access-key-id ID), then run rotate-keys again", a.IAMUser, text.Mask(id), a.EnvFile, a.IAMUser)
		}
		if !o.ConfirmDelete(id) {
			return fmt.Errorf("user %s has 2 keys; the inactive %s must be deleted to make room for a new one (run with --yes to allow it)", a.IAMUser, text.Mask(id))
		}
		if _, err := r.AWS.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: &id}); err != nil && !aws.IsNotFound(err) {
			return fmt.Errorf("delete inactive key %s: %w", text.Mask(id), err)
		}
		markKey(r, id, "Deleted")
		o.Say(fmt.Sprintf("deleted the inactive key %s left by the previous rotation", text.Mask(id)))
		return nil
	}
	return fmt.Errorf("user %s has 2 keys and none is free", a.IAMUser)
}

// retireOld deactivates the replaced key, and deletes it when confirmed.
func retireOld(ctx context.Context, r *steps.Run, o RotateOptions, oldID string) error {
	a := r.Answers
	if oldID != "" {
		if o.ConfirmDeactivate != nil && !o.ConfirmDeactivate(oldID) {
			return fmt.Errorf("%w: the old key %s stays active; once nothing uses it any more, run `s3wizard rotate-keys --env %s` again to deactivate it", ErrRotationPending, text.Mask(oldID), a.Env)
		}
		_, err := r.AWS.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: &oldID, Status: iamtypes.StatusTypeInactive})
		switch {
		case aws.IsNotFound(err):
			// Said as it is, never reported as deactivated or deleted: IAM
			// knows no such key of this user (deleted already, or the
			// progress file names a key that is not its own).
			markKey(r, oldID, "Deleted")
			o.Say(fmt.Sprintf("old key %s is no key of IAM user %s (deleted already, or the progress file names another key): nothing was deactivated or deleted", text.Mask(oldID), a.IAMUser))
			return r.State.Update(func(p *state.Progress) { p.SetRotation(nil) })
		case err != nil:
			return fmt.Errorf("deactivate the old key %s: %w", text.Mask(oldID), err)
		}
		markKey(r, oldID, "Inactive")
		o.Say(fmt.Sprintf("old key %s deactivated", text.Mask(oldID)))
		if o.ConfirmDelete(oldID) {
			_, err := r.AWS.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: &oldID})
			if err != nil && !aws.IsNotFound(err) {
				return fmt.Errorf("delete the old key %s: %w", text.Mask(oldID), err)
			}
			markKey(r, oldID, "Deleted")
			if err != nil {
				o.Say(fmt.Sprintf("old key %s was gone already (deleted by someone else in the meantime)", text.Mask(oldID)))
			} else {
				o.Say(fmt.Sprintf("old key %s deleted", text.Mask(oldID)))
			}
		} else {
			o.Say(fmt.Sprintf("old key %s left inactive: if nothing broke, the next rotate-keys deletes it (or re-activate it in IAM if something still needed it)", text.Mask(oldID)))
		}
	}
	return r.State.Update(func(p *state.Progress) { p.SetRotation(nil) })
}

func markKey(r *steps.Run, id, status string) {
	k := r.State.Key(id)
	if k == nil {
		k = &state.AccessKey{ID: id, User: r.Answers.IAMUser}
	}
	k.Status = status
	r.State.PutKey(*k)
}
