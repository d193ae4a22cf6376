// Package inventory describes, once, every resource the wizard set up for
// an env and its fate on destroy: deleted, or kept and why. It is built
// from the progress file's ownership records and the answers alone (no AWS
// call), so the confirmation list, destroy itself and the hand-off document
// all go by the same list; only an item no record proves the wizard's
// (IfTagged) waits for its tags, which destroy reads.
package inventory

import (
	"fmt"
	"slices"

	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Kinds of items that have no ownership record of their own (the others
// are state.Kind*).
const (
	KindAccessKeys   = "access_keys"        // the keys the env made for one user
	KindInlinePolicy = "role_inline_policy" // the wizard's inline policy, named by its role
	KindBudget       = "budget"
	KindFile         = "file" // a local file destroy deletes or edits
)

// Adopted is why a resource that existed before the wizard is kept.
const Adopted = "it existed before the wizard (adopted)"

// Item is one resource of the env: what it is, whether destroy deletes it
// (Delete) or keeps it (Kept says why), and how the confirmation list,
// destroy's report and the hand-off name it.
type Item struct {
	Kind   string
	Name   string
	Delete bool
	// Label names it ("IAM group mon-app-staging"); Note is what the
	// confirmation list adds to a deleted item's label.
	Label, Note string
	// Kept is why destroy keeps it ("" when it deletes it).
	Kept string
	// Said is how destroy's report of deleting it begins ("" when destroy
	// reports it otherwise, e.g. a local file).
	Said string
	// IfTagged: no record proves it the wizard's; destroy deletes it only
	// if its tags, read then, name this project and env, and keeps it
	// otherwise (an alarm of an env set up before alarms were recorded).
	IfTagged bool
}

// Line is the item's line in the confirmation list and the hand-off.
func (it Item) Line() string {
	if !it.Delete {
		return it.Label + ": " + it.Kept
	}
	return it.Label + it.Note
}

// List is an env's inventory, in the order destroy acts on it.
type List []Item

// Lines are the items' lines, those destroy deletes and those it keeps:
// the confirmation list and the hand-off's.
func (l List) Lines() (deleted, kept []string) {
	for _, it := range l {
		if it.Delete {
			deleted = append(deleted, it.Line())
		} else {
			kept = append(kept, it.Line())
		}
	}
	return deleted, kept
}

// Find is the item of kind/name (ok false when destroy does not act on it).
func (l List) Find(kind, name string) (Item, bool) {
	for _, it := range l {
		if it.Kind == kind && it.Name == name {
			return it, true
		}
	}
	return Item{}, false
}

// OfKind are the items of kind, in order.
func (l List) OfKind(kind string) []Item {
	var out []Item
	for _, it := range l {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// Of is every resource destroy acts on for r's env, each with its fate,
// from the progress file and the answers alone.
func Of(r *steps.Run) List {
	a := r.Answers
	var inv List
	add := func(it Item) { inv = append(inv, it) }
	owned := func(kind, name, label, note, said string) {
		it := Item{Kind: kind, Name: name, Delete: r.Owns(kind, name), Label: label, Note: note, Said: said}
		if !it.Delete {
			it.Kept = Adopted
		}
		add(it)
	}
	if a.UsesAccessKeys() {
		for _, user := range users(r) {
			add(Item{Kind: KindAccessKeys, Name: user, Delete: true, Label: fmt.Sprintf("the access keys env %s made for IAM user %s", a.Env, user)})
			owned(state.KindIAMUser, user, "IAM user "+user, " (kept if another env still uses it)", "delete IAM user "+user)
		}
		group := steps.GroupName(a)
		owned(state.KindIAMGroup, group, "IAM group "+group, "", "delete IAM group "+group)
		if name := steps.PolicyName(a); r.Owns(state.KindIAMPolicy, name) || a.IAMPolicy != config.PolicyFullAccess {
			owned(state.KindIAMPolicy, name, "policy "+name, " (every version)", "delete policy "+name)
		}
	} else if a.UsesInstanceRole() {
		for _, role := range union([]string{a.RoleName}, r.State.OwnedNames(state.KindRole)) {
			add(Item{Kind: KindInlinePolicy, Name: role, Delete: true, Label: fmt.Sprintf("the inline policy %s of role %s", steps.RoleInlinePolicy, role), Said: "delete role policy " + steps.RoleInlinePolicy + " of " + role})
			if r.Owns(state.KindInstanceProfile, role) {
				owned(state.KindInstanceProfile, role, "instance profile "+role, "", "delete instance profile "+role)
			}
			owned(state.KindRole, role, "role "+role, "", "delete role "+role)
		}
	}
	if !a.IsProvided() {
		// An S3-compatible provider has no CloudWatch, SNS or Budgets
		// (steps.ProviderSkips): nothing of the kind was made there.
		monitoring(r, add, owned)
	}
	cloudFront(r, add, owned)
	add(Item{Kind: KindFile, Name: a.EnvFile, Delete: true, Label: "the S3 lines of " + a.EnvFile, Note: fmt.Sprintf(" (a backup is kept in %s)", EnvBackupFile(a.Env))})
	if a.HerokuApp != "" {
		add(Item{Kind: KindFile, Name: appconfig.HerokuFile(a.Env), Delete: true, Label: appconfig.HerokuFile(a.Env), Note: " (it holds the secret)"})
	}
	if a.SetEnvSh {
		add(Item{Kind: KindFile, Name: appconfig.SetEnvFile, Delete: true, Label: appconfig.SetEnvFile, Note: " and its hook in the virtualenv's activate"})
	}
	for _, b := range buckets(r) {
		owned(state.KindBucket, b, "bucket "+b, " with EVERY file, version and delete marker in it", "empty and delete bucket "+b)
	}
	return inv
}

// monitoring adds the alarms, the alarm topic and the budget.
func monitoring(r *steps.Run, add func(Item), owned func(kind, name, label, note, said string)) {
	a := r.Answers
	// The alarms the wizard recorded making, even those the answers no
	// longer want, and those it recorded adopting (kept). An env set up
	// before alarms were recorded has no record of the alarms its answers
	// want once the monitoring step ran: destroy deletes each only if its
	// tags, read then, name this project and env (IfTagged).
	label := func(name string) string { return "CloudWatch alarm " + name }
	for _, name := range r.State.OwnedNames(state.KindAlarm) {
		add(Item{Kind: state.KindAlarm, Name: name, Delete: true, Label: label(name), Said: "delete CloudWatch alarms"})
	}
	var wanted []string
	if r.State.Step("monitoring").Status != state.Pending {
		for _, al := range steps.WantedAlarms(a) {
			wanted = append(wanted, *al.AlarmName)
		}
	}
	for _, name := range steps.AlarmNames(a.Bucket) {
		switch {
		case r.Owns(state.KindAlarm, name):
		case recorded(r, state.KindAlarm, name):
			add(Item{Kind: state.KindAlarm, Name: name, Label: label(name), Kept: Adopted})
		case slices.Contains(wanted, name):
			add(Item{Kind: state.KindAlarm, Name: name, Delete: true, IfTagged: true, Label: label(name),
				Note: " (if its tags name this env: set up before the wizard recorded its alarms)", Said: "delete CloudWatch alarms"})
		}
	}
	if name := steps.AlarmTopicName(a.Bucket); recorded(r, state.KindSNSTopic, name) {
		owned(state.KindSNSTopic, name, "SNS topic "+name, " and its email subscription", "delete SNS topic "+name)
	}
	if b := r.State.Resource(steps.BudgetResource); b != "" {
		del, kept := steps.BudgetFate(r, b)
		add(Item{Kind: KindBudget, Name: b, Delete: del, Kept: kept, Label: "budget " + b, Note: " (the account's S3 budget: no other env of this project uses it)", Said: "delete budget " + b})
	}
}

// cloudFront adds the distribution and its origin access control.
func cloudFront(r *steps.Run, add func(Item), owned func(kind, name, label, note, said string)) {
	a := r.Answers
	ref := steps.CloudFrontCallerReference(a)
	if id := r.State.Resource(steps.ResCloudFrontID); id != "" || recorded(r, state.KindDistribution, ref) {
		label := "CloudFront distribution " + id
		if id == "" {
			label = "CloudFront distribution " + ref
		}
		owned(state.KindDistribution, ref, label, " (disabled, then deleted once deployed: minutes on AWS)", "deleted CloudFront distribution")
	}
	if oac := steps.OACName(a); recorded(r, state.KindOriginAccessControl, oac) {
		owned(state.KindOriginAccessControl, oac, "CloudFront origin access control "+oac, "", "delete CloudFront origin access control "+oac)
	}
}

// recorded reports whether the progress file holds a record of kind/name,
// the wizard's or adopted.
func recorded(r *steps.Run, kind, name string) bool {
	_, ok := r.State.Ownership(kind, name)
	return ok
}

// users are the IAM users destroy acts on: the answer's, every user the
// records say this env made, and every user it recorded keys of.
func users(r *steps.Run) []string {
	users := union([]string{r.Answers.IAMUser}, r.State.OwnedNames(state.KindIAMUser))
	for _, k := range r.State.Keys() {
		if k.User != "" && k.Status != "Deleted" {
			users = union(users, []string{k.User})
		}
	}
	return users
}

// buckets are the buckets destroy acts on: the answer's, its log bucket
// once set up, and every bucket the records say this env made.
func buckets(r *steps.Run) []string {
	names := []string{r.Answers.Bucket}
	if lb := r.State.Resource(steps.LogBucketResource); lb != "" {
		names = append(names, lb)
	}
	return union(names, r.State.OwnedNames(state.KindBucket))
}

// union is a followed by the names of b not in a.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, n := range b {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// EnvBackupFile is where destroy keeps the env file as it was before it took
// the S3 lines out (mode 0600, gitignored by the `*secret*` pattern).
func EnvBackupFile(env string) string { return state.Dir + "/" + env + "-env-file.secret-backup" }
