package accesskey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
)

// keyView is what one plan knows about the user's keys.
type keyView struct {
	live     []iamtypes.AccessKeyMetadata
	envID    string
	envOK    bool // env file has the ID and a secret
	usable   *iamtypes.AccessKeyMetadata
	orphans  []iamtypes.AccessKeyMetadata
	foreigns []iamtypes.AccessKeyMetadata
}

func readKeys(ctx context.Context, ks *Keys) (*keyView, error) {
	a := ks.Answers
	v := &keyView{}
	env, err := envfile.Read(ks.envFilePath())
	if err != nil {
		return nil, err
	}
	v.envID = env[appconfig.EnvKeyID]
	v.envOK = v.envID != "" && env[appconfig.EnvSecret] != ""
	if v.live, err = userKeys(ctx, ks, a.IAMUser); err != nil {
		return nil, fmt.Errorf("list access keys of %s: %w", a.IAMUser, err)
	}
	lost := lostKeys(ks)
	for i := range v.live {
		v.place(i, lost)
	}
	return v, nil
}

// userKeys are user's keys in AWS: none when IAM does not know the user, or
// offline, where the listing is not sent.
func userKeys(ctx context.Context, ks *Keys, user string) ([]iamtypes.AccessKeyMetadata, error) {
	out, err := ks.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &user})
	if err != nil && !aws.IsNotFound(err) && !ks.Offline {
		return nil, err
	}
	if out == nil {
		return nil, nil
	}
	return out.AccessKeyMetadata, nil
}

// place sorts live key i: the env file's usable key, a key a crash lost (an
// orphan), or a key that is not this env's to delete (a foreign one).
func (v *keyView) place(i int, lost orphanCheck) {
	k := v.live[i]
	id := sdk.ToString(k.AccessKeyId)
	switch {
	case id == v.envID && v.envOK && k.Status == iamtypes.StatusTypeActive:
		v.usable = &v.live[i]
	case id == v.envID:
		// In the env file but unusable (inactive, or no secret there).
		v.foreigns = append(v.foreigns, k)
	case lost.orphan(id, k.CreateDate):
		// Created by a run that died before saving its secret.
		v.orphans = append(v.orphans, k)
	default:
		v.foreigns = append(v.foreigns, k)
	}
}

// orphanCheck tells a key an interrupted creation made and no run recorded:
// by the creation record, this env's records and the other envs'.
type orphanCheck struct {
	ks       *Keys
	creation *state.KeyCreation
	others   map[string]bool // the keys other envs recorded
}

// lostKeys is the orphan check of this plan: the open creation record, and,
// when there is one, the keys the other envs recorded.
func lostKeys(ks *Keys) orphanCheck {
	o := orphanCheck{ks: ks, creation: ks.State.KeyCreation()}
	if o.creation != nil {
		o.others = otherEnvsKeys(ks)
	}
	return o
}

// otherEnvsKeys are the key IDs the project's other envs recorded. Envs may
// share an IAM user: a key another env recorded is never this env's orphan.
func otherEnvsKeys(ks *Keys) map[string]bool {
	others := map[string]bool{}
	for _, p := range state.Others(ks.Dir, ks.Answers.Env) {
		for _, k := range p.Keys() {
			others[k.ID] = true
		}
	}
	return others
}

// orphan: key id, created at created, is one the recorded creation made
// (isOrphan) that neither this env nor another one recorded.
func (o orphanCheck) orphan(id string, created *time.Time) bool {
	return isOrphan(o.creation, o.ks.Answers.IAMUser, id, created) && o.ks.State.Key(id) == nil && !o.others[id]
}

// Plan plans the access key: the keys an interrupted run lost deleted, a
// key found in the env file but not recorded recorded, the keys an earlier
// iam_user made retired, and, when no usable key is in the env file, a new
// one created and written there. ignoreSecrets adds the action that makes
// git ignore the secret files: called before the create action, so a run
// that stops in between leaves no secret git would commit. The caller has
// checked the env file can take the secret.
func (ks *Keys) Plan(ctx context.Context, ignoreSecrets func(*engine.Plan) error) (*engine.Plan, error) {
	a := ks.Answers
	p := &engine.Plan{}
	v, err := readKeys(ctx, ks)
	if err != nil {
		return nil, err
	}
	retire, err := planRetireKeys(ctx, ks, p)
	if err != nil {
		return nil, err
	}
	if len(v.orphans) > 0 {
		p.Add(&engine.Action{
			Summary: fmt.Sprintf("delete orphan key %s of %s (created by an interrupted run; its secret was never saved)", maskAll(v.orphans), a.IAMUser),
			Calls:   []string{"iam:DeleteAccessKey"},
			Do:      func(ctx context.Context) error { return deleteOrphans(ctx, ks, v.orphans) },
		})
	}
	for _, k := range v.foreigns {
		p.Warn("IAM user %s also has key %s, which is not in %s: if nothing uses it, delete it (`s3wizard rotate-keys` helps)", a.IAMUser, text.Mask(sdk.ToString(k.AccessKeyId)), a.EnvFile)
	}
	if v.usable != nil {
		planKeep(ks, p, v)
	} else if err := planCreate(ks, p, v, ignoreSecrets); err != nil {
		return nil, err
	}
	for _, ra := range retire {
		p.Add(ra)
	}
	return p, nil
}

// planKeep keeps the env file's usable key, recording it when the run that
// made it died before it was recorded.
func planKeep(ks *Keys, p *engine.Plan, v *keyView) {
	a := ks.Answers
	id := sdk.ToString(v.usable.AccessKeyId)
	if ks.State.Key(id) == nil || ks.State.KeyCreation() != nil && len(v.orphans) == 0 {
		// The key reached the env file but the run died before
		// recording it: the env file is the truth, record it (and the
		// rotation it was made for, so rotate-keys can finish it) when
		// the step is applied.
		replaces := ""
		if c := ks.State.KeyCreation(); c != nil && !slices.Contains(c.Existing, id) {
			replaces = c.Replaces
		}
		created := sdk.ToTime(v.usable.CreateDate)
		p.Record(func(s *state.Progress) { recordLanded(s, id, a.IAMUser, created, replaces) })
	}
	p.Notice("access key %s in %s is active: keeping it", text.Mask(id), a.EnvFile)
}

// planCreate plans a new key when the env file holds no usable one: the
// secret files ignored by git first (ignoreSecrets), then the key created
// and written to the env file, which is backed up first when it holds
// another service's key.
func planCreate(ks *Keys, p *engine.Plan, v *keyView, ignoreSecrets func(*engine.Plan) error) error {
	a := ks.Answers
	if len(v.foreigns) >= 2 {
		return fmt.Errorf("IAM user %s already has 2 access keys (%s, %s) and neither is in %s with its secret: an IAM user has at most 2 keys; delete the one you do not use (aws iam delete-access-key --user-name %s --access-key-id ID) or run `s3wizard rotate-keys`",
			a.IAMUser, text.Mask(sdk.ToString(v.foreigns[0].AccessKeyId)), text.Mask(sdk.ToString(v.foreigns[1].AccessKeyId)), a.EnvFile, a.IAMUser)
	}
	// The env file is ignored by git before the secret exists, not later
	// in app-config: a run that stops in between leaves no secret git
	// would commit.
	if err := ignoreSecrets(p); err != nil {
		return err
	}
	files := []string{a.EnvFile}
	foreign := v.envID != "" && !v.isLive(v.envID) && ks.State.Key(v.envID) == nil
	if foreign {
		// Another service's key (not the user's, not one the wizard made):
		// replacing it silently would lose its secret.
		p.Warn("%s already holds %s %s, which is no key of %s nor one the wizard created (another service's?): the new key replaces it; the file as it is now is kept in %s (mode 0600, ignored by git)",
			a.EnvFile, appconfig.EnvKeyID, text.Mask(v.envID), a.IAMUser, appconfig.KeyBackupFile(a.Env))
		files = append(files, appconfig.KeyBackupFile(a.Env))
	}
	p.Add(&engine.Action{
		Summary: fmt.Sprintf("create an access key for %s and write it to %s (mode 0600)", a.IAMUser, a.EnvFile),
		Calls:   []string{"iam:CreateAccessKey"},
		Files:   files,
		Do: func(ctx context.Context) error {
			if foreign {
				if err := backUpEnvFile(ks); err != nil {
					return err
				}
			}
			return createKey(ctx, ks)
		},
	})
	return nil
}

// isLive reports whether id is one of the user's keys.
func (v *keyView) isLive(id string) bool {
	return slices.ContainsFunc(v.live, func(k iamtypes.AccessKeyMetadata) bool { return sdk.ToString(k.AccessKeyId) == id })
}

// backUpEnvFile copies the env file, as it is, to appconfig.KeyBackupFile
// (mode 0600, under the `*secret*` ignore rule) before a new key replaces
// the one in it. An older backup is never overwritten: it may hold
// another key's only copy.
func backUpEnvFile(ks *Keys) error {
	data, err := envfile.ReadRegular(ks.envFilePath())
	if err != nil {
		return fmt.Errorf("back up %s: %w; no key was created", ks.Answers.EnvFile, err)
	}
	backup := filepath.Join(ks.Dir, appconfig.KeyBackupFile(ks.Answers.Env))
	for i := 2; ; i++ {
		old, err := envfile.ReadRegular(backup)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err == nil && bytes.Equal(old, data) {
			return nil
		}
		backup = filepath.Join(ks.Dir, appconfig.KeyBackupFile(ks.Answers.Env)+"."+strconv.Itoa(i))
	}
	if err := appconfig.WriteSecret(backup, data); err != nil {
		return fmt.Errorf("back up %s: %w; no key was created", ks.Answers.EnvFile, err)
	}
	return nil
}

// planRetireKeys handles the keys this env made for another IAM user than
// iam_user names now (the answer changed after an apply): their secret is
// in the env file, which the new user's key replaces. A key gone from IAM is
// recorded deleted; a key only in the env file is deleted once the new one
// is there (an action of the plan, after it); a key deployed elsewhere too
// (Heroku) stops the plan: deleting it would cut that deployment off, and
// keeping it would leave a live key whose secret no file holds.
func planRetireKeys(ctx context.Context, ks *Keys, p *engine.Plan) ([]*engine.Action, error) {
	var retire []*engine.Action
	live := liveKeyIDs{}
	for _, k := range ks.State.Keys() {
		if !madeForEarlierUser(k, ks.Answers.IAMUser) {
			continue
		}
		inAWS, err := live.has(ctx, ks, k.User, k.ID)
		if err != nil {
			return nil, err
		}
		if !inAWS && !ks.Offline {
			id := k.ID
			p.Record(func(s *state.Progress) { markDeleted(s, id) })
			continue
		}
		if err := checkRetirable(ks.Answers, k); err != nil {
			return nil, err
		}
		retire = append(retire, retireAction(ks, k.User, k.ID))
	}
	return retire, nil
}

// madeForEarlierUser: k is a recorded key, not deleted, of another IAM user
// than user, the one iam_user names now.
func madeForEarlierUser(k state.AccessKey, user string) bool {
	return k.User != "" && k.User != user && k.Status != "Deleted"
}

// liveKeyIDs are the key IDs in AWS by user, each user listed once.
type liveKeyIDs map[string]map[string]bool

// has: user's key id is in AWS (false offline, where nothing is listed).
func (live liveKeyIDs) has(ctx context.Context, ks *Keys, user, id string) (bool, error) {
	if live[user] == nil {
		live[user] = map[string]bool{}
		keys, err := userKeys(ctx, ks, user)
		if err != nil {
			return false, fmt.Errorf("list access keys of %s (the previous iam_user): %w", user, err)
		}
		for _, lk := range keys {
			live[user][sdk.ToString(lk.AccessKeyId)] = true
		}
	}
	return live[user][id], nil
}

// checkRetirable stops the plan when the earlier user's key k is deployed
// elsewhere than the env file: deleting it would cut that deployment off.
func checkRetirable(a *config.Answers, k state.AccessKey) error {
	if !slices.ContainsFunc(k.Deployed, func(d string) bool { return d != "env_file" }) {
		return nil
	}
	user, id := k.User, k.ID
	return fmt.Errorf("iam_user changed from %s to %s, but env %s's key %s of %s is deployed to %s too: a new key would replace its secret in %s while it stays live. Set iam_user back to %s; or deploy another key there, delete this one (aws iam delete-access-key --user-name %s --access-key-id %s), and apply again; nothing was changed",
		user, a.IAMUser, a.Env, text.Mask(id), user, strings.Join(k.Deployed, ", "), a.EnvFile, user, user, text.Mask(id))
}

// retireAction deletes the earlier user's key id, then records it deleted.
func retireAction(ks *Keys, user, id string) *engine.Action {
	a := ks.Answers
	return &engine.Action{
		Summary: fmt.Sprintf("delete access key %s of IAM user %s (iam_user was %s: env %s made that key, and %s's key replaces its secret in %s)", text.Mask(id), user, user, a.Env, a.IAMUser, a.EnvFile),
		Calls:   []string{"iam:DeleteAccessKey"},
		Do: func(ctx context.Context) error {
			_, err := ks.AWS.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &user, AccessKeyId: &id})
			if err != nil && !aws.IsNotFound(err) {
				return err
			}
			return ks.State.Update(func(s *state.Progress) { markDeleted(s, id) })
		},
	}
}

// markDeleted records key id as deleted (under the progress lock).
func markDeleted(s *state.Progress, id string) {
	if k := s.Key(id); k != nil {
		k.Status = "Deleted"
		s.PutKey(*k)
	}
}

// orphanWindow bounds how far from the recorded creation an orphan's AWS
// creation date may be. The key-ID set decides; the window only keeps a key
// made by hand long after a crash from being taken for the lost one.
const orphanWindow = 15 * time.Minute

// deleteOrphans deletes keys whose secret a crash lost, then closes the
// creation record that made them.
func deleteOrphans(ctx context.Context, ks *Keys, orphans []iamtypes.AccessKeyMetadata) error {
	for _, k := range orphans {
		_, err := ks.AWS.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &ks.Answers.IAMUser, AccessKeyId: k.AccessKeyId})
		if err != nil && !aws.IsNotFound(err) {
			return fmt.Errorf("delete orphan key %s: %w", text.Mask(sdk.ToString(k.AccessKeyId)), err)
		}
	}
	return ks.State.Update(func(p *state.Progress) { p.SetKeyCreation(nil) })
}

func maskAll(keys []iamtypes.AccessKeyMetadata) string {
	var m []string
	for _, k := range keys {
		m = append(m, text.Mask(sdk.ToString(k.AccessKeyId)))
	}
	return strings.Join(m, ", ")
}

// isOrphan: a key of user that is not among the keys it had when the
// creation was recorded, created around that time.
func isOrphan(c *state.KeyCreation, user, id string, created *time.Time) bool {
	if c == nil || c.User != user || slices.Contains(c.Existing, id) {
		return false
	}
	return created == nil || created.Sub(c.At).Abs() <= orphanWindow
}

// createKey creates a key and lands its secret in the env file before the
// step can be recorded as done.
func createKey(ctx context.Context, ks *Keys) error {
	if err := envfile.Check(ks.envFilePath()); err != nil {
		return err
	}
	if err := envfile.CheckWritable(ks.envFilePath()); err != nil {
		return err
	}
	if err := checkGitIgnoresEnvFile(ks); err != nil {
		return err
	}
	k, err := newKey(ctx, ks, "")
	if err != nil {
		return err
	}
	return landKey(ctx, ks, k)
}

// newKeyPair is a key whose secret is only in memory.
type newKeyPair struct {
	id, secret string
	created    time.Time
	// replaces is the key a rotation retires ("" for apply).
	replaces string
}

// newKey records the user's current keys, then creates one. If the process
// dies before landKey, the next run finds a key that is in no record and
// deletes it (its secret is lost), instead of leaving it active.
func newKey(ctx context.Context, ks *Keys, replaces string) (*newKeyPair, error) {
	a := ks.Answers
	out, err := ks.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser})
	if err != nil {
		return nil, fmt.Errorf("list access keys of %s: %w", a.IAMUser, err)
	}
	// AWS's own time, so that comparing it with AWS's CreateDate later does
	// not depend on the local clock.
	at, ok := awsmiddleware.GetServerTime(out.ResultMetadata)
	if !ok {
		at = ks.now()
	}
	c := &state.KeyCreation{User: a.IAMUser, At: at.UTC().Truncate(time.Second), Replaces: replaces}
	for _, k := range out.AccessKeyMetadata {
		c.Existing = append(c.Existing, sdk.ToString(k.AccessKeyId))
	}
	if err := ks.State.Update(func(p *state.Progress) { p.SetKeyCreation(c) }); err != nil {
		return nil, fmt.Errorf("record key creation: %w", err)
	}
	// A throttled call created nothing, and a user created moments ago may
	// be unknown to IAM for a few seconds: these two answers are retried,
	// and no other (keyCreation).
	created, err := ks.AWS.IAM.CreateAccessKey(aws.NewEntity.In(keyCreation.In(ctx)), &iam.CreateAccessKeyInput{UserName: &a.IAMUser})
	if err != nil {
		if st := aws.Status(err); st >= 400 && st < 500 {
			// IAM said no: no key was made, nothing to clean up.
			return nil, errors.Join(err, ks.State.Update(func(p *state.Progress) { p.SetKeyCreation(nil) }))
		}
		// No answer, or a 5xx (network, cancelled, server error): a key
		// may exist. The record stays, so the next run deletes it if so.
		return nil, fmt.Errorf("%w (if IAM made the key anyway, the next run deletes it)", err)
	}
	ks.New.add(sdk.ToString(created.AccessKey.AccessKeyId))
	return &newKeyPair{id: sdk.ToString(created.AccessKey.AccessKeyId), secret: sdk.ToString(created.AccessKey.SecretAccessKey),
		created: sdk.ToTime(created.AccessKey.CreateDate), replaces: replaces}, nil
}

// landKey writes a new key into the env file, then records it — with the
// rotation it belongs to, in the same write, so no crash can separate them.
func landKey(ctx context.Context, ks *Keys, k *newKeyPair) error {
	a := ks.Answers
	// The bucket name goes in with the key: it marks the env file as this
	// env's, so another env cannot take it over before app-config runs.
	vals := map[string]string{appconfig.EnvKeyID: k.id, appconfig.EnvSecret: k.secret, appconfig.EnvBucket: a.Bucket}
	err := state.WithEnvFiles(ks.Dir, func() error {
		_, err := envfile.Merge(ks.envFilePath(), vals, nil)
		return err
	})
	if err != nil {
		// The secret cannot be kept anywhere else: remove the key rather
		// than leave an active key nobody can use.
		return errors.Join(fmt.Errorf("write the new key to %s: %w (the key was deleted again)", a.EnvFile, err), dropKey(ctx, ks, k.id))
	}
	return ks.State.Update(func(p *state.Progress) {
		recordLanded(p, k.id, a.IAMUser, k.created, k.replaces)
	})
}

// recordLanded records a key found (or just put) in the env file and closes
// its creation record; a key that replaces another opens the rotation.
// Called under the progress lock.
func recordLanded(p *state.Progress, id, user string, created time.Time, replaces string) {
	if p.Key(id) == nil {
		p.PutKey(state.AccessKey{ID: id, User: user, Created: created, Status: "Active", Deployed: []string{"env_file"}})
	}
	p.SetKeyCreation(nil)
	if replaces != "" && replaces != id {
		p.SetRotation(&state.Rotation{Old: replaces, New: id})
	}
}

// dropKey deletes a new key that will not be used and forgets its creation.
func dropKey(ctx context.Context, ks *Keys, id string) error {
	a := ks.Answers
	cctx, cancel := engine.CleanupContext(ctx)
	defer cancel()
	_, err := ks.AWS.IAM.DeleteAccessKey(cctx, &iam.DeleteAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: &id})
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("delete unused key %s: %w", text.Mask(id), err)
	}
	return ks.State.Update(func(p *state.Progress) { p.SetKeyCreation(nil) })
}

// Verify checks the env file's key: it authenticates, and can put, get and
// delete under media/.
func (ks *Keys) Verify(ctx context.Context) []engine.Check {
	a := ks.Answers
	env, err := envfile.Read(ks.envFilePath())
	if err != nil {
		return []engine.Check{fail(CheckInEnvFile, "access key in env file", err.Error())}
	}
	id, secret := env[appconfig.EnvKeyID], env[appconfig.EnvSecret]
	if id == "" || secret == "" {
		return []engine.Check{fail(CheckInEnvFile, "access key in env file", a.EnvFile+" has no "+appconfig.EnvKeyID+"/"+appconfig.EnvSecret)}
	}
	app, err := ks.AWS.WithCredentials(ctx, id, secret)
	if err != nil {
		return []engine.Check{fail(CheckWorks, "access key works", err.Error())}
	}
	// Who the key is and what it can do are asked together; the probe's
	// answer counts only when the key authenticates.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	probed := engine.Async(func() (engine.Check, error) {
		return ks.retryFreshKey(pctx, id, func() engine.Check {
			return ks.Probe(pctx, app.S3In(a.Region), a.Bucket, "media/", CheckAppProbe, "app key can put/get/delete under media/")
		}), nil
	})
	arn, err := ks.CallerOfKey(ctx, app, id)
	if err != nil {
		cancel()
		_, _ = probed()
		return []engine.Check{fail(CheckWorks, "access key works", fmt.Sprintf("key %s: %v", text.Mask(id), aws.Explain(err)))}
	}
	checks := []engine.Check{engine.Check{ID: CheckWorks, Name: "access key works", OK: true, Detail: fmt.Sprintf("key %s authenticates as %s", text.Mask(id), arn)}}
	c, _ := probed()
	return append(checks, c)
}

// CallerOfKey asks STS who the clients' key id belongs to, waiting for IAM
// to propagate it when it is brand-new (keyIsNew).
func (ks *Keys) CallerOfKey(ctx context.Context, cl *aws.Clients, id string) (string, error) {
	out, err := cl.STS.GetCallerIdentity(ks.settleNewKey(ctx, id), &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return sdk.ToString(out.Arn), nil
}

// fail is a failed check.
func fail(id engine.CheckID, name, detail string) engine.Check {
	return engine.Check{ID: id, Name: name, Detail: detail}
}

// checkGitIgnoresEnvFile asks git itself, before the secret exists, whether
// it ignores the env file (and an atomic write's temporary copy of it): a
// later `!` rule in .gitignore, or a line git reads otherwise, would let the
// next `git add -A` take the secret.
func checkGitIgnoresEnvFile(ks *Keys) error {
	un, _, err := envfile.NotIgnored(ks.Dir, ks.EnvSecretFiles)
	if err != nil {
		return err
	}
	if len(un) > 0 {
		return fmt.Errorf("git does not ignore %s although .gitignore lists it (a later `!` rule, or a line git reads otherwise: see `git check-ignore -v --no-index %s`): fix .gitignore and run again; no key was created", strings.Join(un, ", "), strings.Join(un, " "))
	}
	return nil
}

// rotate-keys (package day2) replaces the key through the same life as the
// step: the procedures below.

// DeleteOrphanKeys deletes the keys an interrupted run created and whose
// secret was never saved (the creation record tells them apart), then
// closes that record.
func (ks *Keys) DeleteOrphanKeys(ctx context.Context, say func(string)) error {
	v, err := readKeys(ctx, ks)
	if err != nil {
		return err
	}
	if len(v.orphans) > 0 {
		say(fmt.Sprintf("deleting orphan key %s (created by an interrupted run; its secret was never saved)", maskAll(v.orphans)))
	}
	return deleteOrphans(ctx, ks, v.orphans)
}

// RecoverLandedKey rebuilds the rotation record when a run died after the
// new key (current, the env file's) reached the env file but before it was
// recorded.
func (ks *Keys) RecoverLandedKey(current string) error {
	c := ks.State.KeyCreation()
	if ks.State.Rotation() != nil || c == nil || c.Replaces == "" || current == "" || slices.Contains(c.Existing, current) {
		return nil
	}
	return ks.State.Update(func(p *state.Progress) { recordLanded(p, current, ks.Answers.IAMUser, c.At, c.Replaces) })
}

// ReplaceKey creates the user's new key in place of current, proves it works
// (from memory: the env file still holds current), then writes it to the
// env file and records the rotation in the same step. A key that does not
// work is deleted again. It returns the new key's ID.
func (ks *Keys) ReplaceKey(ctx context.Context, current string, say func(string)) (string, error) {
	say(fmt.Sprintf("creating a new key for %s", ks.Answers.IAMUser))
	k, err := newKey(ctx, ks, current)
	if err != nil {
		return "", fmt.Errorf("create the new key: %w", err)
	}
	say(fmt.Sprintf("checking the new key %s works (IAM can take a few seconds to accept it)", text.Mask(k.id)))
	if err := checkKey(ctx, ks, k.id, k.secret); err != nil {
		return "", errors.Join(fmt.Errorf("the new key %s does not work: %w; it was deleted and the old key %s is still in use", text.Mask(k.id), err, text.Mask(current)), dropKey(ctx, ks, k.id))
	}
	if err := landKey(ctx, ks, k); err != nil {
		return "", err
	}
	return k.id, nil
}

// checkKey proves a key authenticates and can use the bucket's media/.
func checkKey(ctx context.Context, ks *Keys, id, secret string) error {
	app, err := ks.AWS.WithCredentials(ctx, id, secret)
	if err != nil {
		return err
	}
	if _, err := ks.CallerOfKey(ctx, app, id); err != nil {
		return aws.Explain(err)
	}
	c := ks.retryFreshKey(ctx, id, func() engine.Check {
		return ks.Probe(ctx, app.S3In(ks.Answers.Region), ks.Answers.Bucket, "media/", checkRotateProbe, "new key can put/get/delete under media/")
	})
	if !c.OK {
		return fmt.Errorf("%s: %s", c.Name, c.Detail)
	}
	return nil
}
