package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/steps"
)

// TestIAMReadsTheRecordedPolicyVersion: a run that changes nothing reads
// the least-privilege policy in one round trip, asking IAM for the default
// version the progress file records. When that version is no longer the
// default (someone made a new one by hand) or is gone, the plan and the
// check read the real default and see the change: a stale record never
// hides one.
func TestIAMReadsTheRecordedPolicyVersion(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, "env: staging\napp: polver\nregion: eu-west-3\nbucket: polver-media-staging\niam_user: polver-user-staging\n")
	r, calls := callRun(t, s, a)
	ctx := context.Background()
	step := steps.Find(steps.All(), "iam")
	protApply(t, r, "preflight", "iam")
	arn := steps.PolicyARN(a, r.AccountID())
	if v := r.State.Resource(steps.PolicyVersionResource); v != "v1" {
		t.Fatalf("after creating the policy, progress records default version %q, want v1", v)
	}
	plan := func(what string) (*steps.Plan, []string) {
		t.Helper()
		calls()
		p, err := steps.PlanStep(ctx, r, step)
		if err != nil {
			t.Fatalf("%s: plan: %v", what, err)
		}
		return p, calls()
	}
	policyCheck := func() steps.Check {
		for _, c := range step.Verify(ctx, r) {
			if c.ID == steps.CheckIAMPolicy {
				return c
			}
		}
		t.Fatal("no policy check")
		return steps.Check{}
	}

	p, got := plan("unchanged")
	if !p.Empty() || slices.Contains(got, "iam:GetPolicy") || !slices.Contains(got, "iam:GetPolicyVersion") {
		t.Errorf("unchanged policy: plan %v with calls %v; want nothing to change, read by GetPolicyVersion alone", summaries(p), got)
	}

	// By hand: a broader document becomes the default (v2); v1, which the
	// progress file records, still holds the wanted document.
	broad := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	if _, err := r.AWS.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: &arn, PolicyDocument: &broad, SetAsDefault: true}); err != nil {
		t.Fatal(err)
	}
	p, got = plan("edited by hand")
	if !strings.Contains(strings.Join(summaries(p), "\n"), "update policy") || !slices.Contains(got, "iam:GetPolicy") {
		t.Errorf("policy edited by hand: plan %v with calls %v; want the update, read from the real default", summaries(p), got)
	}
	if c := policyCheck(); c.OK {
		t.Errorf("policy edited by hand: check %q passes (%s); want it to fail", c.Name, c.Detail)
	}
	protApply(t, r, "iam")
	if v := r.State.Resource(steps.PolicyVersionResource); v != "v3" {
		t.Errorf("after the update, progress records default version %q, want v3", v)
	}
	if c := policyCheck(); !c.OK {
		t.Errorf("after the update: check %q fails: %s", c.Name, c.Detail)
	}

	// A recorded version that does not exist: the real default is read.
	r.State.SetResource(steps.PolicyVersionResource, "v9")
	if p, got := plan("unknown version"); !p.Empty() || !slices.Contains(got, "iam:GetPolicy") {
		t.Errorf("recorded version unknown: plan %v with calls %v; want nothing to change, read from the real default", summaries(p), got)
	}
}

func summaries(p *steps.Plan) []string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, a.Summary)
	}
	return out
}
