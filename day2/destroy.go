package day2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/inventory"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Destroy deletes what the wizard created for the env: IAM user, keys,
// group, policy, role, alarms, alarm topic, budget, CloudFront, then the
// buckets with every object version. What it deletes and what it keeps is
// decided once, by the inventory the confirmation list showed
// (inventory.Of): a resource that existed before the wizard (adopted: not
// recorded as created by it) is kept, and so is the account's budget while
// another env uses it; of an adopted user only the wizard's keys and its
// group membership go. "Not found" is success, so an interrupted destroy
// can be re-run.
func Destroy(ctx context.Context, r *steps.Run, say func(string)) error {
	// The topic's ARN and the budget's request need the account; without
	// it they stay, and destroy stops with an error.
	_ = r.Identify(ctx)
	d := &destroyer{r: r, say: say, inv: inventory.Of(r)}
	a := r.Answers
	if a.UsesAccessKeys() {
		d.accessKeyIdentity(ctx)
	} else if a.UsesInstanceRole() {
		d.roles(ctx)
	}
	d.monitoring(ctx)
	d.cloudFront(ctx)
	destroyAppFiles(r, d.try, say)
	d.buckets(ctx)
	if err := errors.Join(d.errs...); err != nil {
		return err
	}
	return forgetDestroyed(r)
}

// destroyer is one destroy run: the inventory it acts on, what it says and
// the errors it met (it goes on past them, and fails at the end).
type destroyer struct {
	r    *steps.Run
	say  func(string)
	inv  inventory.List
	errs []error
}

// try reports what was done, or records why it failed; "not found" is
// neither (nothing was there: nothing done, nothing said).
func (d *destroyer) try(what string, err error) {
	if aws.IsNotFound(err) {
		return
	}
	if err != nil {
		d.errs = append(d.errs, fmt.Errorf("%s: %w", what, aws.Explain(err)))
		return
	}
	d.say(what)
}

// kept says why the inventory keeps it.
func (d *destroyer) kept(it inventory.Item) { d.say("kept " + it.Label + ": " + it.Kept) }

// accessKeyIdentity deletes the users' keys and the users, the group and
// the policy.
func (d *destroyer) accessKeyIdentity(ctx context.Context) {
	r, a, cl := d.r, d.r.Answers, d.r.AWS.IAM
	// Every user this env made or made keys for, the answer's and any an
	// earlier answer named: each is judged by its own record.
	for _, user := range d.inv.OfKind(state.KindIAMUser) {
		destroyKeysAndUser(ctx, r, user, d.try, d.say)
	}
	group, policyName := steps.GroupName(a), steps.PolicyName(a)
	for _, arn := range []string{steps.PolicyARN(a, r.AccountID()), steps.FullAccessARN} {
		_, err := cl.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: &group, PolicyArn: sdk.String(arn)})
		d.try("detach "+steps.ARNName(arn)+" from group", err)
	}
	if it, _ := d.inv.Find(state.KindIAMGroup, group); it.Delete {
		_, err := cl.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: &group})
		d.try("delete IAM group "+group, err)
	} else {
		d.kept(it)
	}
	if it, listed := d.inv.Find(state.KindIAMPolicy, policyName); it.Delete {
		d.policy(ctx, policyName)
	} else if listed {
		d.kept(it)
	}
}

// policy deletes the env's managed policy with every version.
func (d *destroyer) policy(ctx context.Context, name string) {
	cl := d.r.AWS.IAM
	arn := steps.PolicyARN(d.r.Answers, d.r.AccountID())
	if vs, err := cl.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: &arn}); err == nil {
		for _, v := range vs.Versions {
			if !v.IsDefaultVersion {
				_, err := cl.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: &arn, VersionId: v.VersionId})
				d.try("delete policy version "+sdk.ToString(v.VersionId), err)
			}
		}
	}
	_, err := cl.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn})
	d.try("delete policy "+name, err)
}

// roles deletes the wizard's inline policy of every role, and the roles
// and instance profiles the wizard made.
func (d *destroyer) roles(ctx context.Context) {
	cl := d.r.AWS.IAM
	for _, it := range d.inv.OfKind(state.KindRole) {
		role := it.Name
		// The wizard's inline S3 policy goes in every case; an adopted
		// role keeps everything else.
		_, err := cl.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &role, PolicyName: sdk.String(steps.RoleInlinePolicy)})
		d.try("delete role policy "+steps.RoleInlinePolicy+" of "+role, err)
		if profile, _ := d.inv.Find(state.KindInstanceProfile, role); profile.Delete {
			_, err = cl.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: &role, RoleName: &role})
			d.try("remove role from instance profile "+role, err)
			_, err = cl.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: &role})
			d.try("delete instance profile "+role, err)
		}
		if !it.Delete {
			d.kept(it)
			continue
		}
		_, err = cl.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: &role, PolicyArn: sdk.String(steps.EBWebTierARN)})
		d.try("detach AWSElasticBeanstalkWebTier", err)
		_, err = cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &role})
		d.try("delete role "+role, err)
	}
}

// monitoring deletes the alarms, the alarm topic and the budget as the
// inventory decided (none on an S3-compatible provider: it lists none).
func (d *destroyer) monitoring(ctx context.Context) {
	var alarms, unproven []string
	for _, it := range d.inv.OfKind(state.KindAlarm) {
		switch {
		case !it.Delete:
			d.kept(it)
		case it.IfTagged:
			unproven = append(unproven, it.Name)
		default:
			alarms = append(alarms, it.Name)
		}
	}
	if len(unproven) > 0 {
		// No record proves them the wizard's: their tags must.
		ours, kept, err := steps.AlarmsTaggedOurs(ctx, d.r, unproven)
		if err != nil {
			d.try("read the tags of CloudWatch alarms", err)
		}
		alarms = append(alarms, ours...)
		for _, name := range slices.Sorted(maps.Keys(kept)) {
			d.say("kept CloudWatch alarm " + name + ": " + kept[name])
		}
	}
	if len(alarms) > 0 {
		d.try("delete CloudWatch alarms", steps.DeleteAlarms(ctx, d.r, alarms))
	}
	for _, it := range d.inv.OfKind(state.KindSNSTopic) {
		if !it.Delete {
			d.kept(it)
			continue
		}
		d.try("delete SNS topic "+it.Name+" (and its subscriptions)", steps.DeleteAlarmTopic(ctx, d.r))
	}
	for _, it := range d.inv.OfKind(inventory.KindBudget) {
		err := steps.ReleaseBudget(ctx, d.r, it.Name, it.Delete)
		if !it.Delete {
			d.kept(it)
			continue
		}
		d.try("delete budget "+it.Name, err)
	}
}

// cloudFront deletes the distribution, then its origin access control,
// as the inventory decided. The origin access control stays while a
// distribution that could not be deleted uses it.
func (d *destroyer) cloudFront(ctx context.Context) {
	for _, it := range d.inv.OfKind(state.KindDistribution) {
		if !it.Delete {
			d.kept(it)
			continue
		}
		if err := steps.DeleteDistribution(ctx, d.r, d.say); err != nil {
			d.try("delete CloudFront distribution", err)
			return
		}
	}
	for _, it := range d.inv.OfKind(state.KindOriginAccessControl) {
		if !it.Delete {
			d.kept(it)
			continue
		}
		if found, err := steps.DeleteOAC(ctx, d.r); found || err != nil {
			d.try("delete CloudFront origin access control "+it.Name, err)
		}
	}
}

// buckets empties and deletes the buckets the wizard made, and gives the
// adopted ones back as they were.
func (d *destroyer) buckets(ctx context.Context) {
	for _, it := range d.inv.OfKind(state.KindBucket) {
		if !it.Delete {
			restoreAdopted(ctx, d.r, it.Name, d.try)
			d.kept(it)
			continue
		}
		d.try("empty and delete bucket "+it.Name, deleteBucket(ctx, d.r.AWS.S3In(d.r.Answers.Region), it.Name))
	}
}

// forgetDestroyed resets the env's progress once everything went: what was
// deleted is no longer the wizard's, so a bucket or user of the same name
// found by a later apply is adopted, not created.
func forgetDestroyed(r *steps.Run) error {
	return r.State.Update(func(p *state.Progress) {
		p.ResetSteps()
		p.SetKeyCreation(nil)
		p.SetRotation(nil)
		for _, o := range p.Ownerships() {
			p.ForgetOwnership(o.Kind, o.Name)
		}
		p.DeleteResource(steps.PABBeforeResource)
		for _, k := range steps.CloudFrontResources {
			p.DeleteResource(k)
		}
		// What a provider refused is asked again of the next bucket.
		for k := range p.Resources() {
			if strings.HasPrefix(k, steps.ProviderRefusedPrefix) {
				p.DeleteResource(k)
			}
		}
	})
}

// deleteBucket removes every object version and delete marker, then the
// bucket itself.
func deleteBucket(ctx context.Context, cl aws.S3API, bucket string) error {
	p := s3.NewListObjectVersionsPaginator(cl, &s3.ListObjectVersionsInput{Bucket: &bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		var ids []s3types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) > 0 {
			out, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &s3types.Delete{Objects: ids, Quiet: sdk.Bool(true)}})
			if err != nil {
				return err
			}
			// Quiet mode reports only the objects that could not be
			// deleted, each with its own error (AccessDenied…).
			if len(out.Errors) > 0 {
				e := out.Errors[0]
				return fmt.Errorf("%d object version(s) not deleted, e.g. %s: %s: %s", len(out.Errors), sdk.ToString(e.Key), sdk.ToString(e.Code), sdk.ToString(e.Message))
			}
		}
	}
	_, err := cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	return err
}

// destroyKeysAndUser deletes this env's access keys, takes the user out of
// this env's group, and deletes the user when the wizard created it and
// nothing else needs it. Envs may share an IAM user (apply adopts an
// existing one): a key another env recorded, or one no env made, is never
// this env's to delete, and a user that another env's progress still uses,
// or that still has keys this env did not make, is kept.
func destroyKeysAndUser(ctx context.Context, r *steps.Run, it inventory.Item, try func(string, error), say func(string)) {
	a := r.Answers
	user := it.Name
	others := otherEnvsOfUser(r, user)
	foreign, ok := deleteOwnKeys(ctx, r, user, ownKeys(r, user, others), others, try)
	if !ok {
		return
	}
	_, err := r.AWS.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: sdk.String(steps.GroupName(a)), UserName: &user})
	try("remove "+user+" from group "+steps.GroupName(a), err)
	switch {
	case !it.Delete:
		say("kept " + it.Label + ": " + it.Kept)
	case len(others.envs) > 0:
		say(fmt.Sprintf("kept IAM user %s: env %s still uses it", user, strings.Join(others.envs, ", ")))
		handOverUser(r, user, others.envs, say)
	case len(foreign) > 0:
		var masked []string
		for _, id := range foreign {
			masked = append(masked, text.Mask(id))
		}
		say(fmt.Sprintf("kept IAM user %s: it has access key %s, which env %s did not make (delete it first if nothing uses it, then run destroy again)", user, strings.Join(masked, ", "), a.Env))
	default:
		_, err = r.AWS.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: &user})
		try("delete IAM user "+user, err)
	}
}

// ownKeys are the IDs of user's access keys that this env recorded and has
// not deleted, and the env file's key when it is this env's.
func ownKeys(r *steps.Run, user string, others userSharers) map[string]bool {
	a := r.Answers
	mine := map[string]bool{}
	for _, k := range r.State.Keys() {
		if (k.User == "" || k.User == user) && k.Status != "Deleted" {
			mine[k.ID] = true
		}
	}
	// The env file's key is this env's too when no other env recorded it
	// (a run that died between the env file and the progress file).
	if env, err := envfile.Read(r.EnvFilePath()); err == nil && user == a.IAMUser && env[appconfig.EnvKeyID] != "" && env[appconfig.EnvBucket] == a.Bucket && others.keys[env[appconfig.EnvKeyID]] == "" {
		mine[env[appconfig.EnvKeyID]] = true
	}
	return mine
}

// deleteOwnKeys deletes user's live keys that are mine and no other env's,
// and records as deleted those of mine already gone from IAM. foreign are
// the live keys it left; ok false: the keys could not be listed.
func deleteOwnKeys(ctx context.Context, r *steps.Run, user string, mine map[string]bool, others userSharers, try func(string, error)) (foreign []string, ok bool) {
	cl := r.AWS.IAM
	live, err := cl.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &user})
	if err != nil && !aws.IsNotFound(err) {
		try("list the access keys of "+user, err)
		return nil, false
	}
	if live != nil {
		for _, k := range live.AccessKeyMetadata {
			id := sdk.ToString(k.AccessKeyId)
			if !mine[id] || others.keys[id] != "" {
				foreign = append(foreign, id)
				continue
			}
			_, err := cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &user, AccessKeyId: k.AccessKeyId})
			try("delete access key "+text.Mask(id), err)
			markKey(r, id, "Deleted")
		}
	}
	for id := range mine {
		if k := r.State.Key(id); k != nil && k.Status != "Deleted" && !slices.Contains(foreign, id) {
			markKey(r, id, "Deleted") // already gone from IAM
		}
	}
	return foreign, true
}

// userSharers is what the other envs of the project hold of one IAM user.
type userSharers struct {
	envs []string          // envs whose progress still uses the user
	keys map[string]string // key ID → env that recorded it
}

// otherEnvsOfUser reads the other envs' progress for the same IAM user
// (in the same account: a user of that name in another account is another
// user).
func otherEnvsOfUser(r *steps.Run, user string) userSharers {
	a := r.Answers
	u := userSharers{keys: map[string]string{}}
	for _, env := range state.Envs(r.Dir) {
		if env == a.Env {
			continue
		}
		p, err := state.Read(r.Dir, env)
		if err != nil || p.Answers() == nil || p.Answers().IAMUser != user || !p.Answers().UsesAccessKeys() || !r.SameAccount(p) {
			continue
		}
		used := false
		for _, k := range p.Keys() {
			if (k.User == "" || k.User == user) && k.Status != "Deleted" {
				u.keys[k.ID] = env
				used = true
			}
		}
		for _, st := range p.Steps() {
			used = used || st.Status == state.Done
		}
		if used {
			u.envs = append(u.envs, env)
		}
	}
	return u
}

// handOverUser records the wizard's ownership of a kept user in the first
// env that still uses it, so that env's destroy deletes it in the end.
func handOverUser(r *steps.Run, user string, envs []string, say func(string)) {
	p, err := state.Open(r.Dir, envs[0])
	if err != nil {
		say(fmt.Sprintf("could not record in env %s that the wizard created %s (%v): its destroy will keep the user", envs[0], user, err))
		return
	}
	defer p.Close()
	if err := p.Update(func(p *state.Progress) {
		p.PutOwnership(state.Ownership{Kind: state.KindIAMUser, Name: user, Evidence: state.EvidenceCreated})
	}); err != nil {
		say(fmt.Sprintf("could not record in env %s that the wizard created %s (%v): its destroy will keep the user", envs[0], user, err))
		return
	}
	say(fmt.Sprintf("env %s now owns IAM user %s: its destroy deletes it", envs[0], user))
}

// destroyAppFiles removes what, in the project, points at (or holds the
// secret of) what destroy deleted: the env file's S3 lines (the file as it
// was is kept in EnvBackupFile), the Heroku command file, set_env.sh and its
// virtualenv hook. An env file that now serves another bucket is left alone.
func destroyAppFiles(r *steps.Run, try func(string, error), say func(string)) {
	a := r.Answers
	path := r.EnvFilePath()
	env, err := envfile.Read(path)
	if err != nil {
		try("read "+a.EnvFile, err)
		return
	}
	if env[appconfig.EnvBucket] == a.Bucket || env[appconfig.EnvBucket] == "" && env[appconfig.EnvKeyID] != "" && r.State.Key(env[appconfig.EnvKeyID]) != nil {
		if !removeS3Lines(r, path, try) {
			return
		}
	} else if env[appconfig.EnvBucket] != "" {
		say(fmt.Sprintf("kept %s as it is: it now holds bucket %s, not %s", a.EnvFile, env[appconfig.EnvBucket], a.Bucket))
	}
	deleteSecretCopies(r, try)
}

// removeS3Lines takes the wizard's lines out of the env file at path, after
// a backup of the file as it was, and deletes the file when nothing else
// is left in it. ok false: the backup failed, nothing else may go.
func removeS3Lines(r *steps.Run, path string, try func(string, error)) (ok bool) {
	a := r.Answers
	remove := appconfig.AppEnvKeys()
	if a.UsesAccessKeys() {
		remove = append(remove, appconfig.EnvKeyID, appconfig.EnvSecret)
	}
	data, err := envfile.ReadRegular(path)
	if err != nil {
		return true
	}
	backup := filepath.Join(r.Dir, inventory.EnvBackupFile(a.Env))
	if err := envfile.WriteFileAtomic(backup, data, appconfig.SecretPerm); err != nil {
		try("back up "+a.EnvFile, err)
		return false
	}
	err = state.WithEnvFiles(r.Dir, func() error {
		_, err := envfile.Merge(path, nil, remove)
		return err
	})
	try(fmt.Sprintf("remove the S3 lines from %s (the file as it was is in %s)", a.EnvFile, inventory.EnvBackupFile(a.Env)), err)
	if err == nil && onlyWizardComment(path) {
		try("delete "+a.EnvFile+" (it held only the wizard's lines)", os.Remove(path))
	}
	return true
}

// deleteSecretCopies deletes the other files that held the deleted key's
// secret: Heroku's command, and the set-env file with its venv hook.
func deleteSecretCopies(r *steps.Run, try func(string, error)) {
	a := r.Answers
	heroku := filepath.Join(r.Dir, appconfig.HerokuFile(a.Env))
	if _, err := os.Lstat(heroku); err == nil {
		try("delete "+appconfig.HerokuFile(a.Env)+" (it held the deleted key's secret)", os.Remove(heroku))
	}
	setEnv := filepath.Join(appconfig.AbsDir(r.Dir), appconfig.SetEnvFile)
	if data, err := os.ReadFile(setEnv); err == nil && strings.Contains(string(data), "for env "+a.Env+".") {
		try("delete "+appconfig.SetEnvFile+" (it held the deleted key's secret)", os.Remove(setEnv))
		if venv := appconfig.FindVenv(r.Dir); venv != "" {
			activate := filepath.Join(venv, "bin", "activate")
			if hooked, _ := appconfig.HasHook(activate, setEnv); hooked {
				try("remove the "+appconfig.SetEnvFile+" hook from "+activate, appconfig.RemoveHook(activate, setEnv))
			}
		}
	}
}

// onlyWizardComment reports whether the env file at path holds nothing but
// blank lines and the wizard's "# Added by s3wizard" marker.
func onlyWizardComment(path string) bool {
	data, err := envfile.ReadRegular(path)
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && l != envfile.AddedComment {
			return false
		}
	}
	return true
}

// restoreAdopted undoes, on a bucket that existed before the wizard, what
// the wizard changed in its access: the wizard's bucket-policy statements go
// (every other statement stays), and its CORS rule (every other rule
// stays), then the media bucket's Block Public Access
// goes back to what it was before the wizard relaxed it.
func restoreAdopted(ctx context.Context, r *steps.Run, bucket string, try func(string, error)) {
	cl := r.AWS.S3In(r.Answers.Region)
	if bucket == r.Answers.Bucket {
		// Before the policy's early return: the CORS rule is written
		// where no policy is (R2, B2, Scaleway).
		if removed, err := r.RemoveWizardCORS(ctx); removed || err != nil {
			try("remove the wizard's CORS rule "+steps.CORSRuleID+" from "+bucket+" (other rules kept)", err)
		}
	}
	if !r.PolicyWritten() {
		return // a provider where the wizard wrote no policy (its profile, or its refusal)
	}
	if !removeWizardStatements(ctx, cl, bucket, try) {
		return
	}
	if !r.Answers.IsProvided() {
		tags, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &bucket})
		if err == nil && slices.ContainsFunc(tags.TagSet, func(t s3types.Tag) bool {
			return sdk.ToString(t.Key) == steps.TagAdoptedBy && sdk.ToString(t.Value) == r.Answers.App
		}) {
			try("remove the tag "+steps.TagAdoptedBy+" from "+bucket, steps.RetagBucket(ctx, r, cl, bucket, nil, []string{steps.TagAdoptedBy}))
		}
	}
	if bucket != r.Answers.Bucket {
		return
	}
	restoreBlockPublicAccess(ctx, r, cl, bucket, try)
}

// removeWizardStatements takes the wizard's statements out of an adopted
// bucket's policy (every other statement stays), deleting the policy when
// none is left. ok false: the policy could not be read.
func removeWizardStatements(ctx context.Context, cl aws.S3API, bucket string, try func(string, error)) (ok bool) {
	out, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
	if aws.IsNotFound(err) {
		return true
	}
	if err != nil {
		try("read the bucket policy of "+bucket, err)
		return false
	}
	live := sdk.ToString(out.Policy)
	// Only an adopted bucket gets here: earlier wizards' Sids may
	// be its owner's own statements, and stay.
	merged, err := policy.MergeBySid(live, nil, false)
	switch {
	case err != nil:
		try("read the bucket policy of "+bucket, err)
		return false
	case merged.JSON == "":
		_, err := cl.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: &bucket})
		try("remove the wizard's bucket policy from "+bucket, err)
	case !policy.Equal(live, merged.JSON):
		_, err := steps.SendBucketPolicy(ctx, cl, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &merged.JSON})
		try(fmt.Sprintf("remove the wizard's statements from the bucket policy of %s (kept: %s)", bucket, policy.DescribeSids(merged.Foreign)), err)
	}
	return true
}

// restoreBlockPublicAccess puts the media bucket's Block Public Access
// back to what it was before the wizard relaxed it (as recorded).
func restoreBlockPublicAccess(ctx context.Context, r *steps.Run, cl aws.S3API, bucket string, try func(string, error)) {
	switch before := r.State.Resource(steps.PABBeforeResource); before {
	case "":
	case "none":
		_, err := cl.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: &bucket})
		try("restore the Block Public Access of "+bucket+" (it had none before the wizard)", err)
	default:
		var c s3types.PublicAccessBlockConfiguration
		if err := json.Unmarshal([]byte(before), &c); err != nil {
			try("restore the Block Public Access of "+bucket, fmt.Errorf("recorded setting %s is unreadable: %w", steps.PABBeforeResource, err))
			return
		}
		_, err := cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &bucket, PublicAccessBlockConfiguration: &c})
		try("restore the Block Public Access of "+bucket+" as it was before the wizard", err)
	}
}
