package docs_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/inventory"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// TestHandoffListsTheInventory: the hand-off document's list of resources
// is destroy's inventory (inventory.Of), line for line and in order, what
// destroy deletes apart from what it keeps: the SNS topic, the budget, the
// CloudFront distribution and origin access control and a recorded alarm
// included, an adopted bucket under "It keeps". Before, the document
// listed resources on its own (user, group, policy; role and profile) and
// never said what destroy does with them.
func TestHandoffListsTheInventory(t *testing.T) {
	r := offlineRun(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\naccess_logs: false\ncloudfront: true\npublic_prefixes: [media/blog/]\n")
	a := r.Answers
	for _, o := range []state.Ownership{
		{Kind: state.KindBucket, Name: a.Bucket, Evidence: state.EvidenceAdopted},
		{Kind: state.KindIAMUser, Name: a.IAMUser, Evidence: state.EvidenceCreated},
		{Kind: state.KindIAMGroup, Name: steps.GroupName(a), Evidence: state.EvidenceCreated},
		{Kind: state.KindIAMPolicy, Name: steps.PolicyName(a), Evidence: state.EvidenceCreated},
		{Kind: state.KindSNSTopic, Name: steps.AlarmTopicName(a.Bucket), Evidence: state.EvidenceCreated},
		{Kind: state.KindAlarm, Name: steps.SizeAlarmName(a.Bucket), Evidence: state.EvidenceCreated},
		{Kind: state.KindDistribution, Name: steps.CloudFrontCallerReference(a), Evidence: state.EvidenceCreated},
		{Kind: state.KindOriginAccessControl, Name: steps.OACName(a), Evidence: state.EvidenceCreated},
	} {
		r.State.PutOwnership(o)
	}
	r.State.SetResource(steps.BudgetResource, steps.BudgetName)
	r.State.SetResource(steps.ResCloudFrontID, "E2EXAMPLE")

	md := render(t, r, nil)
	deleted, kept := handoffResources(t, md)
	wantDeleted, wantKept := inventory.Of(r).Lines()
	if !slices.Equal(deleted, wantDeleted) || !slices.Equal(kept, wantKept) {
		t.Errorf("the hand-off's resources are not destroy's inventory:\ndeleted %q\nwant    %q\nkept %q\nwant %q", deleted, wantDeleted, kept, wantKept)
	}
	for _, want := range []string{"SNS topic " + steps.AlarmTopicName(a.Bucket), "budget " + steps.BudgetName, "CloudFront distribution E2EXAMPLE", "CloudFront origin access control " + steps.OACName(a), "CloudWatch alarm " + steps.SizeAlarmName(a.Bucket)} {
		if !slices.ContainsFunc(deleted, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("the hand-off does not say destroy deletes %q:\n%q", want, deleted)
		}
	}
	if !slices.Contains(kept, "bucket "+a.Bucket+": "+inventory.Adopted) {
		t.Errorf("the hand-off does not say destroy keeps the adopted bucket:\n%q", kept)
	}
}

// handoffResources reads the document's "Every resource" section: the
// items under "It deletes:" and under "It keeps:".
func handoffResources(t *testing.T, md string) (deleted, kept []string) {
	t.Helper()
	_, sec, ok := strings.Cut(md, "### Every resource, and what `destroy` does with it\n")
	if !ok {
		t.Fatalf("no resource section in the hand-off:\n%s", md)
	}
	sec, _, _ = strings.Cut(sec, "\n### ")
	var into *[]string
	for _, l := range strings.Split(sec, "\n") {
		switch {
		case strings.HasSuffix(l, "It deletes:"):
			into = &deleted
		case l == "It keeps:":
			into = &kept
		case strings.HasPrefix(l, "- ") && into != nil:
			*into = append(*into, strings.TrimPrefix(l, "- "))
		}
	}
	return deleted, kept
}
