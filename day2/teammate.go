package day2

import (
	"context"
	"errors"
	"fmt"

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
// step finds them (steps.AdoptCloudFront).
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
	acct, caller := r.Identity()
	var owned []state.Ownership
	var errs []error
	record := func(kind, name, arn string, exists bool, tags map[string]string, tagsKnown bool) {
		switch {
		case !exists:
			say(fmt.Sprintf("%s %s: does not exist", kind, name))
			return
		case tagsKnown && steps.ForeignOwner(a, tags) != "":
			errs = append(errs, steps.ForeignError(kind+" "+name, a, steps.ForeignOwner(a, tags)))
			return
		case tagsKnown && steps.TaggedOurs(a, tags):
			owned = append(owned, state.Ownership{Kind: kind, Name: name, ARN: arn, Evidence: state.EvidenceTagged})
			say(fmt.Sprintf("%s %s: tagged %s=%s, %s=%s: the wizard's (destroy deletes it)", kind, name, steps.TagProject, a.App, steps.TagEnv, a.Env))
		default:
			owned = append(owned, state.Ownership{Kind: kind, Name: name, ARN: arn, Evidence: state.EvidenceAdopted})
			say(fmt.Sprintf("%s %s: exists without this env's tags: recorded as not the wizard's (destroy keeps it)", kind, name))
		}
	}
	cl := r.AWS.S3In(a.Region)
	buckets := []string{a.Bucket}
	if a.AccessLogs {
		buckets = append(buckets, steps.LogBucketName(a.Bucket))
	}
	for i, b := range buckets {
		_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b, ExpectedBucketOwner: &acct})
		if err != nil && !aws.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("bucket %s: %w", b, aws.Explain(err)))
			continue
		}
		tags := map[string]string{}
		if err == nil {
			var terr error
			if tags, terr = steps.BucketTags(ctx, r, cl, b); terr != nil {
				errs = append(errs, fmt.Errorf("tags of bucket %s: %w", b, aws.Explain(terr)))
				continue
			}
		}
		record(state.KindBucket, b, "arn:aws:s3:::"+b, err == nil, tags, true)
		if i == 1 && err == nil {
			r.State.SetResource(steps.LogBucketResource, b)
		}
	}
	found := func(err error, what string) bool {
		if err != nil && !aws.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("%s: %w", what, aws.Explain(err)))
		}
		return err == nil
	}
	ic := r.AWS.IAM
	var keys []state.AccessKey
	switch a.Credentials {
	case config.CredAccessKeys:
		u, err := ic.GetUser(ctx, &iam.GetUserInput{UserName: &a.IAMUser})
		if found(err, "IAM user "+a.IAMUser) {
			record(state.KindIAMUser, a.IAMUser, sdk.ToString(u.User.Arn), true, steps.IAMTagMap(u.User.Tags), true)
			keys = envFileKey(ctx, r)
		} else {
			record(state.KindIAMUser, a.IAMUser, "", false, nil, false)
		}
		group := steps.GroupName(a)
		_, err = ic.GetGroup(ctx, &iam.GetGroupInput{GroupName: &group})
		// IAM groups take no tags: no evidence either way.
		record(state.KindIAMGroup, group, "", found(err, "IAM group "+group), nil, false)
		if a.IAMPolicy != config.PolicyFullAccess {
			arn := steps.PolicyARN(a, acct)
			p, err := ic.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
			if found(err, "policy "+steps.PolicyName(a)) {
				record(state.KindIAMPolicy, steps.PolicyName(a), arn, true, steps.IAMTagMap(p.Policy.Tags), true)
				r.State.SetResource("policy_arn", arn)
			} else {
				record(state.KindIAMPolicy, steps.PolicyName(a), arn, false, nil, false)
			}
		}
	case config.CredInstanceRole:
		role, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: &a.RoleName})
		if found(err, "role "+a.RoleName) {
			record(state.KindRole, a.RoleName, sdk.ToString(role.Role.Arn), true, steps.IAMTagMap(role.Role.Tags), true)
		} else {
			record(state.KindRole, a.RoleName, "", false, nil, false)
		}
		ip, err := ic.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &a.RoleName})
		if found(err, "instance profile "+a.RoleName) {
			record(state.KindInstanceProfile, a.RoleName, sdk.ToString(ip.InstanceProfile.Arn), true, steps.IAMTagMap(ip.InstanceProfile.Tags), true)
		} else {
			record(state.KindInstanceProfile, a.RoleName, "", false, nil, false)
		}
	}
	topic, topicARN := steps.AlarmTopicName(a.Bucket), steps.AlarmTopicARN(a, acct)
	_, err := r.AWS.SNSIn(a.Region).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topicARN})
	if found(err, "SNS topic "+topic) {
		tags, err := steps.AlarmTopicTags(ctx, r, topicARN)
		if err != nil {
			errs = append(errs, fmt.Errorf("tags of SNS topic %s: %w", topic, aws.Explain(err)))
		} else {
			record(state.KindSNSTopic, topic, topicARN, true, tags, true)
		}
	} else {
		record(state.KindSNSTopic, topic, topicARN, false, nil, false)
	}
	line, budget, err := steps.AdoptBudget(ctx, r)
	if err != nil {
		errs = append(errs, err)
	}
	cdnLines, cdn, err := steps.AdoptCloudFront(ctx, r)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w\nnothing was recorded", err)
	}
	for _, l := range append(cdnLines, line) {
		if l != "" {
			say(l)
		}
	}
	return r.State.Update(func(p *state.Progress) {
		if budget != nil {
			budget(p)
		}
		if cdn != nil {
			cdn(p)
		}
		p.SetAnswers(a)
		p.SetIdentity(acct, caller)
		for _, o := range owned {
			p.PutOwnership(o)
		}
		for _, k := range keys {
			p.PutKey(k)
		}
	})
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
