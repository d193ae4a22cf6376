package steps

import (
	"context"
	"errors"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/state"
)

// Destroy deletes what the wizard created for the env: IAM user, keys,
// group, policy, role, alarms, budget, then the buckets with every object
// version. A bucket, log bucket or IAM user that existed before the wizard
// (adopted: not recorded as created by it) is kept; of an adopted user only
// the wizard's keys and its group membership go. "Not found" is success, so
// an interrupted destroy can be re-run.
func Destroy(ctx context.Context, r *Run, say func(string)) error {
	a := r.Answers
	cl := r.AWS.IAM
	var errs []error
	try := func(what string, err error) {
		if err != nil && !aws.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("%s: %w", what, aws.Explain(err)))
			return
		}
		say(what)
	}
	// The budget's name needs the account; without it the budget is left.
	_ = r.Identify(ctx)
	kept := func(name string) { say("kept " + name + ": it existed before the wizard (adopted)") }
	if a.Credentials == "access-keys" {
		userCreated := r.State.Resource("iam_user_created_by_wizard") == "true"
		if userCreated {
			// Every key must go before the user can.
			if out, err := cl.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser}); err == nil {
				for _, k := range out.AccessKeyMetadata {
					_, err := cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: k.AccessKeyId})
					try("delete access key "+Mask(deref(k.AccessKeyId)), err)
					markKey(r, deref(k.AccessKeyId), "Deleted")
				}
			}
		} else {
			// An adopted user keeps its own keys: only those the wizard
			// created (recorded in the progress file) go.
			for _, k := range r.State.Keys {
				if (k.User != "" && k.User != a.IAMUser) || k.Status == "Deleted" {
					continue
				}
				_, err := cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &a.IAMUser, AccessKeyId: sdk.String(k.ID)})
				try("delete access key "+Mask(k.ID), err)
				markKey(r, k.ID, "Deleted")
			}
		}
		_, err := cl.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: sdk.String(GroupName(a)), UserName: &a.IAMUser})
		try("remove "+a.IAMUser+" from group "+GroupName(a), err)
		if userCreated {
			_, err = cl.DeleteUser(ctx, &iam.DeleteUserInput{UserName: &a.IAMUser})
			try("delete IAM user "+a.IAMUser, err)
		} else {
			kept("IAM user " + a.IAMUser)
		}
		for _, arn := range []string{PolicyARN(a, r.AccountID()), FullAccessARN} {
			_, err = cl.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: sdk.String(GroupName(a)), PolicyArn: sdk.String(arn)})
			try("detach "+arnName(arn)+" from group", err)
		}
		_, err = cl.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: sdk.String(GroupName(a))})
		try("delete IAM group "+GroupName(a), err)
		arn := PolicyARN(a, r.AccountID())
		if vs, err := cl.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: &arn}); err == nil {
			for _, v := range vs.Versions {
				if !v.IsDefaultVersion {
					_, err := cl.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: &arn, VersionId: v.VersionId})
					try("delete policy version "+deref(v.VersionId), err)
				}
			}
		}
		_, err = cl.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn})
		try("delete policy "+PolicyName(a), err)
		_, err = envfile.Merge(r.EnvFilePath(), nil, []string{EnvKeyID, EnvSecret})
		try("remove the deleted key from "+a.EnvFile, err)
	} else {
		role := a.RoleName
		// The wizard's inline S3 policy goes in every case; an adopted role
		// keeps everything else.
		_, err := cl.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &role, PolicyName: sdk.String(RoleInlinePolicy)})
		try("delete role policy "+RoleInlinePolicy, err)
		if r.State.Resource(RoleCreatedResource) == "true" {
			_, err = cl.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: &role, RoleName: &role})
			try("remove role from instance profile "+role, err)
			_, err = cl.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: &role})
			try("delete instance profile "+role, err)
			_, err = cl.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: &role, PolicyArn: sdk.String(EBWebTierARN)})
			try("detach AWSElasticBeanstalkWebTier", err)
			_, err = cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &role})
			try("delete role "+role, err)
		} else {
			kept("role " + role)
		}
	}
	_, err := r.AWS.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{a.Bucket + "-size", a.Bucket + "-objects"}})
	try("delete CloudWatch alarms", err)
	if acct, _ := r.Identity(); acct != "" {
		_, err = r.AWS.Budgets.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: &acct, BudgetName: sdk.String(a.Bucket + "-monthly")})
		try("delete budget "+a.Bucket+"-monthly", err)
	}
	for _, b := range []struct{ name, created string }{{a.Bucket, BucketCreatedResource}, {LogBucketName(a.Bucket), LogBucketCreatedResource}} {
		if r.State.Resource(b.created) != "true" {
			// A log bucket never set up (access logs off) is not news.
			if b.name == a.Bucket || r.State.Resource("log_bucket") != "" {
				kept("bucket " + b.name)
			}
			continue
		}
		try("empty and delete bucket "+b.name, deleteBucket(ctx, r.AWS.S3In(a.Region), b.name))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return r.State.Update(func(p *state.Progress) {
		for id := range p.Steps {
			p.Steps[id] = &state.StepState{Status: state.Pending}
		}
		p.KeyCreation, p.Rotation = nil, nil
		// What was deleted is no longer the wizard's: a bucket or user of
		// the same name found by a later apply is adopted, not created.
		for _, k := range []string{BucketCreatedResource, LogBucketCreatedResource, "iam_user_created_by_wizard", RoleCreatedResource} {
			delete(p.Resources, k)
		}
	})
}

// deleteBucket removes every object version and delete marker, then the
// bucket itself.
func deleteBucket(ctx context.Context, cl *s3.Client, bucket string) error {
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
			if _, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &s3types.Delete{Objects: ids, Quiet: sdk.Bool(true)}}); err != nil {
				return err
			}
		}
	}
	_, err := cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	return err
}
