package day2

import (
	"fmt"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// DestroyList says, before anything is deleted, what Destroy will delete for
// the env and what it keeps, from the progress file alone (no AWS call), so
// the user can confirm knowing what goes. Like Destroy, it goes by the
// ownership record of each named resource.
func DestroyList(r *steps.Run) (deleted, kept []string) {
	a := r.Answers
	adopted := func(what string) { kept = append(kept, what+" (it existed before the wizard)") }
	if a.UsesAccessKeys() {
		for _, user := range destroyUsers(r) {
			deleted = append(deleted, fmt.Sprintf("the access keys env %s made for IAM user %s", a.Env, user))
			if r.Owns(state.KindIAMUser, user) {
				deleted = append(deleted, fmt.Sprintf("IAM user %s (kept if another env still uses it)", user))
			} else {
				adopted("IAM user " + user)
			}
		}
		if group := steps.GroupName(a); r.Owns(state.KindIAMGroup, group) {
			deleted = append(deleted, "IAM group "+group)
		} else {
			adopted("IAM group " + group)
		}
		if name := steps.PolicyName(a); r.Owns(state.KindIAMPolicy, name) {
			deleted = append(deleted, fmt.Sprintf("policy %s (every version)", name))
		} else if a.IAMPolicy != config.PolicyFullAccess {
			adopted("policy " + name)
		}
	} else if a.UsesInstanceRole() {
		for _, role := range union([]string{a.RoleName}, r.State.OwnedNames(state.KindRole)) {
			deleted = append(deleted, fmt.Sprintf("the inline policy %s of role %s", steps.RoleInlinePolicy, role))
			if r.Owns(state.KindInstanceProfile, role) {
				deleted = append(deleted, "instance profile "+role)
			}
			if r.Owns(state.KindRole, role) {
				deleted = append(deleted, "role "+role)
			} else {
				adopted("role " + role)
			}
		}
	}
	if !a.IsProvided() {
		// Only what the answers made and the progress records.
		if a.Alarms.BucketSizeGB > 0 {
			deleted = append(deleted, "CloudWatch alarm "+steps.SizeAlarmName(a.Bucket))
		}
		if a.Alarms.NumberOfObjects > 0 {
			deleted = append(deleted, "CloudWatch alarm "+steps.ObjectsAlarmName(a.Bucket))
		}
		if name := steps.AlarmTopicName(a.Bucket); r.Owns(state.KindSNSTopic, name) {
			deleted = append(deleted, "SNS topic "+name+" and its email subscription")
		}
		if b := r.State.Resource(steps.BudgetResource); b != "" {
			deleted = append(deleted, "budget "+b+" (kept while another env of the project in this account uses it, and when this project did not make it)")
		}
	}
	if id := r.State.Resource(steps.ResCloudFrontID); id != "" || r.Owns(state.KindDistribution, steps.CloudFrontCallerReference(a)) {
		if r.Owns(state.KindDistribution, steps.CloudFrontCallerReference(a)) {
			deleted = append(deleted, fmt.Sprintf("CloudFront distribution %s (disabled, then deleted once deployed: minutes on AWS)", id))
		} else {
			adopted("CloudFront distribution " + id)
		}
	}
	if r.Owns(state.KindOriginAccessControl, steps.OACName(a)) {
		deleted = append(deleted, "CloudFront origin access control "+steps.OACName(a))
	}
	deleted = append(deleted, fmt.Sprintf("the S3 lines of %s (a backup is kept in %s)", a.EnvFile, EnvBackupFile(a.Env)))
	if a.HerokuApp != "" {
		deleted = append(deleted, appconfig.HerokuFile(a.Env)+" (it holds the secret)")
	}
	if a.SetEnvSh {
		deleted = append(deleted, appconfig.SetEnvFile+" and its hook in the virtualenv's activate")
	}
	for _, b := range destroyBuckets(r) {
		if r.Owns(state.KindBucket, b) {
			deleted = append(deleted, fmt.Sprintf("bucket %s with EVERY file, version and delete marker in it", b))
		} else {
			adopted("bucket " + b)
		}
	}
	return deleted, kept
}
