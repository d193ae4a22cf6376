package day2_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/inventory"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const monAnswers = "budget: {monthly_usd: 20, email: ops@example.com}\nalarms: {bucket_size_gb: 5, number_of_objects: 1000, email: ops@example.com}\n"

// TestDestroyListIsWhatDestroyDoes: the confirmation list (DestroyList)
// and what destroy then reports it deleted and kept must name the same
// resources, on moto: for access keys with alarms, topic and budget, for an
// instance role, for a budget another env still uses, and for an adopted
// CloudFront distribution and origin access control. A listed deletion
// destroy does not do, a deletion destroy does that the list omits (the SNS
// topic, once), a listed "kept" that destroy deletes or does not say, or a
// topic, budget or CloudFront resource whose live fate is not the listed
// one, fails. Sub-steps of a listed item (policy versions, access key IDs,
// detaching) are not items of their own.
func TestDestroyListIsWhatDestroyDoes(t *testing.T) {
	fastCloudFront(t)
	s := motoserver.Shared(t)
	for _, c := range []struct {
		name, answers string
		steps         []string
		before        func(t *testing.T, dir string)   // another env of the project, applied first
		after         func(t *testing.T, r *steps.Run) // a change to the records after apply
		want          []string                         // deletions the list must hold
		kept          []string                         // what it must keep
	}{
		{name: "access keys, alarms and budget", answers: destroyAnswers + monAnswers, steps: []string{"preflight", "bucket", "iam", "access-key", "monitoring"},
			want: []string{"IAM user ", "IAM group ", "SNS topic ", "budget ", "CloudWatch alarm "}},
		{name: "instance role", answers: "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\ncredentials: instance-role\naccess_logs: false\n",
			steps: []string{"preflight", "bucket", "role"}, want: []string{"role ", "instance profile "}},
		{name: "budget another env uses", answers: destroyAnswers + monAnswers, steps: []string{"preflight", "bucket", "monitoring"},
			before: func(t *testing.T, dir string) {
				prod := strings.NewReplacer("staging", "prod").Replace(destroyAnswers) + "env_file: .env.prod\n" + monAnswers
				r := testrun.New(t, dir, testrun.Answers(t, prod), nil)
				testrun.Apply(t, r, "preflight", "bucket", "monitoring")
				r.State.Close()
			},
			want: []string{"SNS topic ", "CloudWatch alarm "}, kept: []string{"budget " + steps.BudgetName + ": env prod still uses it"}},
		{name: "adopted CloudFront", answers: cloudFrontAnswers, steps: []string{"preflight", "bucket", "public"},
			after: func(t *testing.T, r *steps.Run) {
				// As adopt records a distribution without this env's tags.
				for _, o := range []struct{ kind, name string }{{state.KindDistribution, steps.CloudFrontCallerReference(r.Answers)}, {state.KindOriginAccessControl, steps.OACName(r.Answers)}} {
					r.State.PutOwnership(state.Ownership{Kind: o.kind, Name: o.name, Evidence: state.EvidenceAdopted})
				}
			},
			kept: []string{"CloudFront distribution ", "CloudFront origin access control "}},
		{name: "CloudFront", answers: cloudFrontAnswers, steps: []string{"preflight", "bucket", "public"},
			want: []string{"CloudFront distribution ", "CloudFront origin access control "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.Reset(t)
			s.Use(t)
			dir := t.TempDir()
			if c.before != nil {
				c.before(t, dir)
			}
			r := testrun.New(t, dir, testrun.Answers(t, c.answers), nil)
			testrun.Apply(t, r, c.steps...)
			if c.after != nil {
				c.after(t, r)
			}
			inv := inventory.Of(r)
			deleted, kept := day2.DestroyList(r)
			var wantDeleted, wantKept []string
			for _, it := range inv {
				if it.Delete {
					wantDeleted = append(wantDeleted, it.Line())
				} else {
					wantKept = append(wantKept, it.Line())
				}
			}
			if !slices.Equal(deleted, wantDeleted) || !slices.Equal(kept, wantKept) {
				t.Fatalf("DestroyList is not the inventory:\ndeleted %q\nkept %q", deleted, kept)
			}
			for _, w := range c.want {
				if !slices.ContainsFunc(deleted, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("the list lacks %q:\n%s", w, strings.Join(deleted, "\n"))
				}
			}
			for _, w := range c.kept {
				if !slices.ContainsFunc(kept, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("the list does not keep %q:\nkept %q", w, kept)
				}
			}
			// destroy reports deleting the alarms even when none exist
			// (DeleteAlarms ignores unknown names): the list's must exist,
			// and be gone after; so must the topic, budget and CloudFront
			// it lists, each left or gone as listed.
			alarms := testrun.Alarms(t, r)
			for _, it := range inv {
				if _, ok := alarms[it.Name]; it.Kind == state.KindAlarm && !ok {
					t.Errorf("listed %q, which does not exist", it.Line())
				}
			}
			exists := liveChecks(r)
			for _, it := range inv {
				if live, ok := exists[it.Kind]; ok && !live(t) {
					t.Errorf("listed %q, which does not exist", it.Line())
				}
			}
			said := strings.Split(destroy(t, r), "\n")
			for name := range testrun.Alarms(t, r) {
				if strings.HasPrefix(name, r.Answers.Bucket+"-") {
					t.Errorf("alarm %s left after destroy", name)
				}
			}
			for _, it := range inv {
				if live, ok := exists[it.Kind]; ok {
					if left := live(t); left == it.Delete {
						t.Errorf("listed %q; after destroy it exists: %v", it.Line(), left)
					}
				}
			}

			for _, it := range inv {
				switch {
				case it.Delete && it.Said != "" && !slices.ContainsFunc(said, func(l string) bool { return strings.HasPrefix(l, it.Said) }):
					t.Errorf("listed %q, but destroy did not report %q", it.Line(), it.Said)
				case !it.Delete && !slices.Contains(said, "kept "+it.Label+": "+it.Kept):
					t.Errorf("listed %q as kept, destroy did not say it kept it:\n%s", it.Line(), strings.Join(said, "\n"))
				}
			}
			for _, l := range said {
				deletion := strings.HasPrefix(l, "delete ") || strings.HasPrefix(l, "empty and delete ") || strings.HasPrefix(l, "deleted ")
				sub := strings.HasPrefix(l, "delete policy version ") || strings.HasPrefix(l, "delete access key ")
				if deletion && !sub && !slices.ContainsFunc(inv, func(it inventory.Item) bool {
					return it.Delete && (it.Said != "" && strings.HasPrefix(l, it.Said) || it.Kind == inventory.KindFile && strings.HasPrefix(l, "delete "+it.Name))
				}) {
					t.Errorf("destroy reported %q, which its list did not name:\n%s", l, strings.Join(deleted, "\n"))
				}
				if rest, ok := strings.CutPrefix(l, "kept "); ok && !slices.ContainsFunc(inv, func(it inventory.Item) bool {
					return !it.Delete && strings.HasPrefix(rest, it.Label+": ")
				}) && !strings.HasPrefix(rest, "IAM user ") && !strings.HasPrefix(rest, ".env") {
					t.Errorf("destroy kept %q, which its list did not keep:\nkept %q", rest, kept)
				}
			}
		})
	}
}

// liveChecks say, per inventory kind, whether r's topic, budget,
// distribution and origin access control exist.
func liveChecks(r *steps.Run) map[string]func(t *testing.T) bool {
	ctx := context.Background()
	a := r.Answers
	id := r.State.Resource(steps.ResCloudFrontID)
	return map[string]func(t *testing.T) bool{
		state.KindSNSTopic: func(t *testing.T) bool {
			_, err := r.AWS.SNSIn(a.Region).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: sdk.String(steps.AlarmTopicARN(a, motoserver.AccountID))})
			return err == nil
		},
		inventory.KindBudget: func(t *testing.T) bool { return len(testrun.Budgets(t, r)) > 0 },
		state.KindDistribution: func(t *testing.T) bool {
			_, err := r.AWS.CloudFront.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &id})
			return err == nil
		},
		state.KindOriginAccessControl: func(t *testing.T) bool {
			out, err := r.AWS.CloudFront.ListOriginAccessControls(ctx, &cloudfront.ListOriginAccessControlsInput{})
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(out.OriginAccessControlList.Items, func(o cftypes.OriginAccessControlSummary) bool { return sdk.ToString(o.Name) == steps.OACName(a) })
		},
	}
}

// TestDestroyDeletesAlarmsTheAnswersNoLongerWant: the monitoring step
// made two alarms, then the answers set both thresholds to 0 without an
// apply. The alarms still exist; destroy listed and deleted only what the
// answers want, so it named none and left both. The step now records the
// alarms it makes, and the inventory lists what it recorded.
func TestDestroyDeletesAlarmsTheAnswersNoLongerWant(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	dir := t.TempDir()
	first := testrun.New(t, dir, testrun.Answers(t, destroyAnswers+monAnswers), nil)
	testrun.Apply(t, first, "preflight", "bucket", "monitoring")
	a := first.Answers
	made := []string{steps.SizeAlarmName(a.Bucket), steps.ObjectsAlarmName(a.Bucket)}
	for _, name := range made {
		if o, ok := first.State.Ownership(state.KindAlarm, name); !ok || o.Evidence != state.EvidenceCreated {
			t.Errorf("alarm %s recorded as %+v (%v), want created by the wizard", name, o, ok)
		}
	}
	first.State.Close()
	r := testrun.New(t, dir, testrun.Answers(t, destroyAnswers+"alarms: {bucket_size_gb: 0, number_of_objects: 0}\n"), nil)
	deleted, _ := day2.DestroyList(r)
	for _, name := range made {
		if !slices.Contains(deleted, "CloudWatch alarm "+name) {
			t.Errorf("the list lacks alarm %s, which exists:\n%s", name, strings.Join(deleted, "\n"))
		}
	}
	destroy(t, r)
	for name := range testrun.Alarms(t, r) {
		if slices.Contains(made, name) {
			t.Errorf("alarm %s survived destroy", name)
		}
	}
}
