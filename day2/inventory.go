package day2

import (
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Kinds of inventory items that have no ownership record of their own (the
// others are state.Kind*).
const (
	KindAccessKeys   = "access_keys"        // the keys the env made for one user
	KindInlinePolicy = "role_inline_policy" // the wizard's inline policy, named by its role
	KindAlarm        = "cloudwatch_alarm"
	KindBudget       = "budget"
	KindFile         = "file" // a local file destroy deletes or edits
)

// Item is one resource of the env as destroy sees it: what it is, whether
// destroy deletes it (Delete) or keeps it because it existed before the
// wizard, and how the confirmation list and destroy's report name it.
type Item struct {
	Kind   string
	Name   string
	Delete bool
	// Label names it ("IAM group mon-app-staging"); Note is what the
	// confirmation list adds to a deleted item's label.
	Label, Note string
	// Said is how destroy's report of deleting it begins ("" when destroy
	// reports it otherwise, e.g. a local file).
	Said string
}

// Line is the item's line in the confirmation list.
func (it Item) Line() string {
	if !it.Delete {
		return it.Label + " (it existed before the wizard)"
	}
	return it.Label + it.Note
}

// Inventory is every resource destroy acts on for the env, from the
// progress file's ownership records and the answers alone (no AWS call):
// Destroy iterates it to decide what it deletes and keeps, and DestroyList
// renders it, so the list names exactly what destroy touches. The alarms,
// the SNS topic, the budget and CloudFront are deleted by
// steps.DestroyMonitoring and steps.DestroyCloudFront on the same records.
func Inventory(r *steps.Run) []Item {
	a := r.Answers
	var inv []Item
	add := func(kind, name string, del bool, label, note, said string) {
		inv = append(inv, Item{Kind: kind, Name: name, Delete: del, Label: label, Note: note, Said: said})
	}
	if a.UsesAccessKeys() {
		for _, user := range destroyUsers(r) {
			add(KindAccessKeys, user, true, fmt.Sprintf("the access keys env %s made for IAM user %s", a.Env, user), "", "")
			add(state.KindIAMUser, user, r.Owns(state.KindIAMUser, user), "IAM user "+user, " (kept if another env still uses it)", "delete IAM user "+user)
		}
		group := steps.GroupName(a)
		add(state.KindIAMGroup, group, r.Owns(state.KindIAMGroup, group), "IAM group "+group, "", "delete IAM group "+group)
		if name := steps.PolicyName(a); r.Owns(state.KindIAMPolicy, name) || a.IAMPolicy != config.PolicyFullAccess {
			add(state.KindIAMPolicy, name, r.Owns(state.KindIAMPolicy, name), "policy "+name, " (every version)", "delete policy "+name)
		}
	} else if a.UsesInstanceRole() {
		for _, role := range union([]string{a.RoleName}, r.State.OwnedNames(state.KindRole)) {
			add(KindInlinePolicy, role, true, fmt.Sprintf("the inline policy %s of role %s", steps.RoleInlinePolicy, role), "", "delete role policy "+steps.RoleInlinePolicy+" of "+role)
			if r.Owns(state.KindInstanceProfile, role) {
				add(state.KindInstanceProfile, role, true, "instance profile "+role, "", "delete instance profile "+role)
			}
			add(state.KindRole, role, r.Owns(state.KindRole, role), "role "+role, "", "delete role "+role)
		}
	}
	if !a.IsProvided() {
		// Only what the answers made and the progress records: the alarms
		// once the monitoring step ran (they have no ownership record).
		if r.State.Step("monitoring").Status != state.Pending {
			for _, al := range steps.WantedAlarms(a) {
				name := sdk.ToString(al.AlarmName)
				add(KindAlarm, name, true, "CloudWatch alarm "+name, "", "delete CloudWatch alarms")
			}
		}
		if name := steps.AlarmTopicName(a.Bucket); r.Owns(state.KindSNSTopic, name) {
			add(state.KindSNSTopic, name, true, "SNS topic "+name, " and its email subscription", "delete SNS topic "+name)
		}
		if b := r.State.Resource(steps.BudgetResource); b != "" {
			add(KindBudget, b, true, "budget "+b, " (kept while another env of the project in this account uses it, and when this project did not make it)", "delete budget "+b)
		}
	}
	ref := steps.CloudFrontCallerReference(a)
	if id := r.State.Resource(steps.ResCloudFrontID); id != "" || r.Owns(state.KindDistribution, ref) {
		add(state.KindDistribution, ref, r.Owns(state.KindDistribution, ref), "CloudFront distribution "+id, " (disabled, then deleted once deployed: minutes on AWS)", "deleted CloudFront distribution")
	}
	if oac := steps.OACName(a); r.Owns(state.KindOriginAccessControl, oac) {
		add(state.KindOriginAccessControl, oac, true, "CloudFront origin access control "+oac, "", "delete CloudFront origin access control "+oac)
	}
	add(KindFile, a.EnvFile, true, "the S3 lines of "+a.EnvFile, fmt.Sprintf(" (a backup is kept in %s)", EnvBackupFile(a.Env)), "")
	if a.HerokuApp != "" {
		add(KindFile, appconfig.HerokuFile(a.Env), true, appconfig.HerokuFile(a.Env), " (it holds the secret)", "")
	}
	if a.SetEnvSh {
		add(KindFile, appconfig.SetEnvFile, true, appconfig.SetEnvFile, " and its hook in the virtualenv's activate", "")
	}
	for _, b := range destroyBuckets(r) {
		add(state.KindBucket, b, r.Owns(state.KindBucket, b), "bucket "+b, " with EVERY file, version and delete marker in it", "empty and delete bucket "+b)
	}
	return inv
}

// find is the item of kind/name in inv (ok false when destroy does not act
// on it).
func find(inv []Item, kind, name string) (Item, bool) {
	for _, it := range inv {
		if it.Kind == kind && it.Name == name {
			return it, true
		}
	}
	return Item{}, false
}

// ofKind are the items of kind in inv, in order.
func ofKind(inv []Item, kind string) []Item {
	var out []Item
	for _, it := range inv {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}
