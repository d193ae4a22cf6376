package day2

import (
	"context"
	"errors"
	"fmt"
	"slices"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Adopt rebuilds the progress of an env that was set up on another machine
// (a teammate's checkout: the progress file is not committed) from the
// account: it reads the resources the answers name and their tags, records
// as the wizard's what carries this project's and env's tags, as adopted
// what exists without them, and refuses what another project's tags claim
// (steps.ForeignOwner: its project tag, or its adopted-by tag). The
// CloudFront distribution and origin access control are read as the public
// step finds them (steps.AdoptCloudFront); the CloudWatch alarms by the
// names the monitoring step gives them, recorded only when tagged this
// env's (steps.AdoptAlarms: destroy never deletes another's alarm).
// It changes nothing in AWS and writes no secret; the env file's key is
// recorded when IAM lists it for the user. Progress that already holds
// answers is refused: adopt never overwrites what a run recorded.
func Adopt(ctx context.Context, r *steps.Run, say func(string)) error {
	a := r.Answers
	if p := r.State.Answers(); p != nil || len(r.State.Ownerships()) > 0 {
		return fmt.Errorf("env %s already has saved progress in %s: adopt only rebuilds a missing one (check, doctor, docs and destroy use it as it is)", a.Env, state.Path(r.Dir, a.Env))
	}
	if a.IsProvided() {
		return errors.New("credentials: provided: an S3-compatible provider's buckets carry no tags to read ownership from; run `s3wizard apply` with the same answers instead (it adopts what exists)")
	}
	if err := r.Identify(ctx); err != nil {
		return err
	}
	ad := &adoption{r: r, say: say}
	ad.buckets(ctx)
	switch a.Credentials {
	case config.CredAccessKeys:
		ad.accessKeyIdentity(ctx)
	case config.CredInstanceRole:
		ad.role(ctx)
	}
	ad.alarmTopic(ctx)
	alarmLines, alarms, err := steps.AdoptAlarms(ctx, r)
	ad.fail(err)
	line, budget, err := steps.AdoptBudget(ctx, r)
	ad.fail(err)
	cdnLines, cdn, err := steps.AdoptCloudFront(ctx, r)
	ad.fail(err)
	if err := errors.Join(ad.errs...); err != nil {
		return fmt.Errorf("%w\nnothing was recorded", err)
	}
	for _, l := range slices.Concat(alarmLines, cdnLines, []string{line}) {
		if l != "" {
			say(l)
		}
	}
	acct, caller := r.Identity()
	return r.State.Update(func(p *state.Progress) {
		for _, rec := range []func(*state.Progress){alarms, budget, cdn} {
			if rec != nil {
				rec(p)
			}
		}
		p.SetAnswers(a)
		p.SetIdentity(acct, caller)
		for _, o := range ad.owned {
			p.PutOwnership(o)
		}
		for _, k := range ad.keys {
			p.PutKey(k)
		}
	})
}

// adoption is what one adopt run found: the ownership records and keys to
// save, and the errors that stop it before anything is saved.
type adoption struct {
	r     *steps.Run
	say   func(string)
	owned []state.Ownership
	keys  []state.AccessKey
	errs  []error
}

func (ad *adoption) fail(err error) {
	if err != nil {
		ad.errs = append(ad.errs, err)
	}
}

// found reports whether a read found the resource; an error other than
// "not found" stops the adoption.
func (ad *adoption) found(err error, what string) bool {
	if err != nil && !aws.IsNotFound(err) {
		ad.fail(fmt.Errorf("%s: %w", what, aws.Explain(err)))
	}
	return err == nil
}

// record judges one resource by its tags (tagsKnown false: it takes none
// the wizard reads): the wizard's when tagged with this project and env,
// adopted when untagged, refused when another project's.
func (ad *adoption) record(kind, name, arn string, exists bool, tags map[string]string, tagsKnown bool) {
	a := ad.r.Answers
	switch {
	case !exists:
		ad.say(fmt.Sprintf("%s %s: does not exist", kind, name))
	case tagsKnown && steps.ForeignOwner(a, tags) != "":
		ad.fail(steps.ForeignError(kind+" "+name, a, steps.ForeignOwner(a, tags)))
	case tagsKnown && steps.TaggedOurs(a, tags):
		ad.owned = append(ad.owned, state.Ownership{Kind: kind, Name: name, ARN: arn, Evidence: state.EvidenceTagged})
		ad.say(fmt.Sprintf("%s %s: tagged %s=%s, %s=%s: the wizard's (destroy deletes it)", kind, name, steps.TagProject, a.App, steps.TagEnv, a.Env))
	default:
		ad.owned = append(ad.owned, state.Ownership{Kind: kind, Name: name, ARN: arn, Evidence: state.EvidenceAdopted})
		ad.say(fmt.Sprintf("%s %s: exists without this env's tags: recorded as not the wizard's (destroy keeps it)", kind, name))
	}
}

// buckets reads the bucket and, with access logs, its log bucket.
func (ad *adoption) buckets(ctx context.Context) {
	r, a := ad.r, ad.r.Answers
	acct, _ := r.Identity()
	cl := r.AWS.S3In(a.Region)
	buckets := []string{a.Bucket}
	if a.AccessLogs {
		buckets = append(buckets, steps.LogBucketName(a.Bucket))
	}
	for i, b := range buckets {
		_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b, ExpectedBucketOwner: &acct})
		if err != nil && !aws.IsNotFound(err) {
			ad.fail(fmt.Errorf("bucket %s: %w", b, aws.Explain(err)))
			continue
		}
		tags := map[string]string{}
		if err == nil {
			var terr error
			if tags, terr = steps.BucketTags(ctx, r, cl, b); terr != nil {
				ad.fail(fmt.Errorf("tags of bucket %s: %w", b, aws.Explain(terr)))
				continue
			}
		}
		ad.record(state.KindBucket, b, "arn:aws:s3:::"+b, err == nil, tags, true)
		if i == 1 && err == nil {
			r.State.SetResource(steps.LogBucketResource, b)
		}
	}
}

// accessKeyIdentity reads the IAM user (and the env file's key), the
// group and the policy.
func (ad *adoption) accessKeyIdentity(ctx context.Context) {
	r, a, ic := ad.r, ad.r.Answers, ad.r.AWS.IAM
	u, err := ic.GetUser(ctx, &iam.GetUserInput{UserName: &a.IAMUser})
	if ad.found(err, "IAM user "+a.IAMUser) {
		ad.record(state.KindIAMUser, a.IAMUser, sdk.ToString(u.User.Arn), true, steps.IAMTagMap(u.User.Tags), true)
		ad.keys = envFileKey(ctx, r)
	} else {
		ad.record(state.KindIAMUser, a.IAMUser, "", false, nil, false)
	}
	group := steps.GroupName(a)
	_, err = ic.GetGroup(ctx, &iam.GetGroupInput{GroupName: &group})
	// IAM groups take no tags: no evidence either way.
	ad.record(state.KindIAMGroup, group, "", ad.found(err, "IAM group "+group), nil, false)
	if a.IAMPolicy == config.PolicyFullAccess {
		return
	}
	arn := steps.PolicyARN(a, r.AccountID())
	p, err := ic.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
	if ad.found(err, "policy "+steps.PolicyName(a)) {
		ad.record(state.KindIAMPolicy, steps.PolicyName(a), arn, true, steps.IAMTagMap(p.Policy.Tags), true)
		r.State.SetResource("policy_arn", arn)
	} else {
		ad.record(state.KindIAMPolicy, steps.PolicyName(a), arn, false, nil, false)
	}
}

// role reads the instance role and its instance profile.
func (ad *adoption) role(ctx context.Context) {
	a, ic := ad.r.Answers, ad.r.AWS.IAM
	role, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: &a.RoleName})
	if ad.found(err, "role "+a.RoleName) {
		ad.record(state.KindRole, a.RoleName, sdk.ToString(role.Role.Arn), true, steps.IAMTagMap(role.Role.Tags), true)
	} else {
		ad.record(state.KindRole, a.RoleName, "", false, nil, false)
	}
	ip, err := ic.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &a.RoleName})
	if ad.found(err, "instance profile "+a.RoleName) {
		ad.record(state.KindInstanceProfile, a.RoleName, sdk.ToString(ip.InstanceProfile.Arn), true, steps.IAMTagMap(ip.InstanceProfile.Tags), true)
	} else {
		ad.record(state.KindInstanceProfile, a.RoleName, "", false, nil, false)
	}
}

// alarmTopic reads the alarms' SNS topic and its tags.
func (ad *adoption) alarmTopic(ctx context.Context) {
	r, a := ad.r, ad.r.Answers
	topic, topicARN := steps.AlarmTopicName(a.Bucket), steps.AlarmTopicARN(a, r.AccountID())
	_, err := r.AWS.SNSIn(a.Region).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topicARN})
	if !ad.found(err, "SNS topic "+topic) {
		ad.record(state.KindSNSTopic, topic, topicARN, false, nil, false)
		return
	}
	tags, err := steps.AlarmTopicTags(ctx, r, topicARN)
	if err != nil {
		ad.fail(fmt.Errorf("tags of SNS topic %s: %w", topic, aws.Explain(err)))
		return
	}
	ad.record(state.KindSNSTopic, topic, topicARN, true, tags, true)
}

// envFileKey is the env file's access key when IAM lists it for the user:
// the key a teammate's apply made, whose secret this checkout was given.
func envFileKey(ctx context.Context, r *steps.Run) []state.AccessKey {
	a := r.Answers
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil || env[appconfig.EnvKeyID] == "" {
		return nil
	}
	out, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser})
	if err != nil {
		return nil
	}
	for _, k := range out.AccessKeyMetadata {
		if sdk.ToString(k.AccessKeyId) == env[appconfig.EnvKeyID] {
			return []state.AccessKey{{ID: env[appconfig.EnvKeyID], User: a.IAMUser, Created: sdk.ToTime(k.CreateDate), Status: string(k.Status), Deployed: []string{"env_file"}}}
		}
	}
	return nil
}
