package steps

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
)

// RotateKeys replaces the app's access key without downtime: create the
// second key → deploy it (env file, then the app-config step's files) →
// verify it works → deactivate the old key → delete it only if confirm says
// so (an inactive key can be re-activated if something still used it).
func RotateKeys(ctx context.Context, r *Run, confirmDelete func(oldID string) bool, say func(string)) error {
	a := r.Answers
	if a.Credentials != "access-keys" {
		return fmt.Errorf("env %s uses an instance role: there is no key to rotate (AWS rotates role credentials itself)", a.Env)
	}
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		return err
	}
	oldID := env[EnvKeyID]
	out, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser})
	if err != nil {
		return fmt.Errorf("list access keys of %s: %w", a.IAMUser, err)
	}
	var others []iamtypes.AccessKeyMetadata
	for _, k := range out.AccessKeyMetadata {
		if deref(k.AccessKeyId) != oldID {
			others = append(others, k)
		}
	}
	// IAM allows 2 keys: a slot is needed for the new one.
	if len(out.AccessKeyMetadata) >= 2 {
		if len(others) == 0 {
			return fmt.Errorf("user %s has 2 keys and none is free", a.IAMUser)
		}
		k := others[0]
		id := deref(k.AccessKeyId)
		if k.Status == iamtypes.StatusTypeActive {
			return fmt.Errorf("user %s already has 2 active keys (%s is not in %s): deactivate or delete the one nothing uses first (aws iam update-access-key --status Inactive --user-name %s --access-key-id ID)", a.IAMUser, Mask(id), a.EnvFile, a.IAMUser)
		}
		if !confirmDelete(id) {
			return fmt.Errorf("user %s has 2 keys; the inactive %s must be deleted to make room for a new one", a.IAMUser, Mask(id))
		}
		if _, err := r.AWS.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: &id}); err != nil && !aws.IsNotFound(err) {
			return fmt.Errorf("delete inactive key %s: %w", Mask(id), err)
		}
		markKey(r, id, "Deleted")
		say(fmt.Sprintf("deleted the inactive key %s left by the previous rotation", Mask(id)))
	}

	say(fmt.Sprintf("creating a new key for %s and writing it to %s", a.IAMUser, a.EnvFile))
	if err := createKey(ctx, r); err != nil {
		return fmt.Errorf("create the new key: %w", err)
	}
	env, err = envfile.Read(r.EnvFilePath())
	if err != nil {
		return err
	}
	newID, secret := env[EnvKeyID], env[EnvSecret]
	if s := Find(All(), "app-config"); s != nil {
		say("refreshing the app's configuration files with the new key")
		if _, _, err := ApplyStep(ctx, r, s); err != nil {
			return fmt.Errorf("deploy the new key: %w (the old key %s is still active)", err, Mask(oldID))
		}
	}
	say(fmt.Sprintf("verifying the new key %s (IAM can take a few seconds to accept it)", Mask(newID)))
	app, err := r.AWS.WithCredentials(ctx, newID, secret)
	if err != nil {
		return err
	}
	if _, err := CallerOfNewKey(ctx, app); err != nil {
		return fmt.Errorf("the new key %s does not work yet: %w; the old key %s is still active — run rotate-keys again later", Mask(newID), aws.Explain(err), Mask(oldID))
	}
	if c := probe(ctx, app.S3In(a.Region), a.Bucket, "media/", "new key can put/get/delete under media/"); !c.OK {
		return fmt.Errorf("%s: %s; the old key %s is still active", c.Name, c.Detail, Mask(oldID))
	}
	if oldID == "" || oldID == newID {
		return nil
	}
	if _, err := r.AWS.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: &oldID, Status: iamtypes.StatusTypeInactive}); err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("deactivate the old key %s: %w", Mask(oldID), err)
	}
	markKey(r, oldID, "Inactive")
	say(fmt.Sprintf("old key %s deactivated", Mask(oldID)))
	if confirmDelete(oldID) {
		if _, err := r.AWS.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: &oldID}); err != nil && !aws.IsNotFound(err) {
			return fmt.Errorf("delete the old key %s: %w", Mask(oldID), err)
		}
		markKey(r, oldID, "Deleted")
		say(fmt.Sprintf("old key %s deleted", Mask(oldID)))
	} else {
		say(fmt.Sprintf("old key %s left inactive: if nothing broke, the next rotate-keys deletes it (or re-activate it in IAM if something still needed it)", Mask(oldID)))
	}
	return r.State.Save()
}

func markKey(r *Run, id, status string) {
	k := r.State.Key(id)
	if k == nil {
		k = &state.AccessKey{ID: id, User: r.Answers.IAMUser}
	}
	k.Status = status
	r.State.PutKey(*k)
}
