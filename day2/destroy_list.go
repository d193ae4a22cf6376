package day2

import (
	"fmt"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/steps"
)

// DestroyList says, before anything is deleted, what Destroy will delete for
// the env and what it keeps, from the progress file alone (no AWS call), so
// the user can confirm knowing what goes.
func DestroyList(r *steps.Run) (deleted, kept []string) {
	a := r.Answers
	if a.Credentials == config.CredAccessKeys {
		deleted = append(deleted, fmt.Sprintf("the access keys env %s made for IAM user %s", a.Env, a.IAMUser))
		if r.Owns(steps.UserCreatedResource) {
			deleted = append(deleted, fmt.Sprintf("IAM user %s (kept if another env still uses it)", a.IAMUser))
		} else {
			kept = append(kept, "IAM user "+a.IAMUser+" (it existed before the wizard)")
		}
		deleted = append(deleted, fmt.Sprintf("IAM group %s and policy %s (every version)", steps.GroupName(a), steps.PolicyName(a)))
	} else if a.Credentials == config.CredInstanceRole {
		deleted = append(deleted, fmt.Sprintf("the inline policy %s of role %s", steps.RoleInlinePolicy, a.RoleName))
		if r.Owns(steps.RoleCreatedResource) {
			deleted = append(deleted, fmt.Sprintf("role %s and its instance profile", a.RoleName))
		} else {
			kept = append(kept, "role "+a.RoleName+" (it existed before the wizard)")
		}
	}
	if a.Credentials != config.CredProvided {
		// Only what the answers made and the progress records.
		if a.Alarms.BucketSizeGB > 0 {
			deleted = append(deleted, "CloudWatch alarm "+steps.SizeAlarmName(a.Bucket))
		}
		if a.Alarms.NumberOfObjects > 0 {
			deleted = append(deleted, "CloudWatch alarm "+steps.ObjectsAlarmName(a.Bucket))
		}
		if r.Owns(steps.AlarmTopicCreatedResource) {
			deleted = append(deleted, "SNS topic "+steps.AlarmTopicName(a.Bucket)+" and its email subscription")
		}
		if b := r.State.Resource(steps.BudgetResource); b != "" {
			deleted = append(deleted, "budget "+b+" (kept while another env of the project records it)")
		}
	}
	deleted = append(deleted, fmt.Sprintf("the S3 lines of %s (a backup is kept in %s)", a.EnvFile, EnvBackupFile(a.Env)))
	if a.HerokuApp != "" {
		deleted = append(deleted, appconfig.HerokuFile(a.Env)+" (it holds the secret)")
	}
	if a.SetEnvSh {
		deleted = append(deleted, appconfig.SetEnvFile+" and its hook in the virtualenv's activate")
	}
	for _, b := range []struct{ name, created string }{{a.Bucket, steps.BucketCreatedResource}, {steps.LogBucketName(a.Bucket), steps.LogBucketCreatedResource}} {
		switch {
		case r.Owns(b.created):
			deleted = append(deleted, fmt.Sprintf("bucket %s with EVERY file, version and delete marker in it", b.name))
		case b.name == a.Bucket || r.State.Resource(steps.LogBucketResource) != "":
			kept = append(kept, "bucket "+b.name+" (it existed before the wizard)")
		}
	}
	return deleted, kept
}
