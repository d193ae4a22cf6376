package day2_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// TestTeammateAdoptsTheEnvFromTheAccount (issue 19 §2): two project
// directories, one account. The first sets staging up; the second, a fresh
// clone with the same answers (and the env file's secret handed over),
// rebuilds its progress from the resources' tags: the bucket, user and
// policy are the wizard's, the untaggable group is not claimed, the key
// of the env file is recorded, and nothing changes in AWS. Another
// project's adopt over the same names is refused with the owner named.
func TestTeammateAdoptsTheEnvFromTheAccount(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	const answers = "env: staging\napp: mon-app\nregion: eu-west-3\n"
	first := testrun.OnMoto(t, s, testrun.Answers(t, answers))
	testrun.Apply(t, first, "preflight", "bucket", "iam", "access-key")
	env, err := os.ReadFile(first.EnvFilePath())
	if err != nil {
		t.Fatal(err)
	}

	a := testrun.Answers(t, answers)
	second := testrun.New(t, t.TempDir(), a, nil)
	if err := os.WriteFile(filepath.Join(second.Dir, ".env"), env, 0o600); err != nil {
		t.Fatal(err)
	}
	var said []string
	if err := day2.Adopt(ctx, second, func(m string) { said = append(said, m) }); err != nil {
		t.Fatalf("adopt: %v\n%s", err, strings.Join(said, "\n"))
	}
	for _, c := range []struct{ kind, name, evidence string }{
		{state.KindBucket, a.Bucket, state.EvidenceTagged},
		{state.KindIAMUser, a.IAMUser, state.EvidenceTagged},
		{state.KindIAMPolicy, steps.PolicyName(a), state.EvidenceTagged},
		{state.KindIAMGroup, steps.GroupName(a), state.EvidenceAdopted},
	} {
		if o, _ := second.State.Ownership(c.kind, c.name); o.Evidence != c.evidence {
			t.Errorf("%s %s recorded %+v, want evidence %s", c.kind, c.name, o, c.evidence)
		}
	}
	if keys := second.State.Keys(); len(keys) != 1 || keys[0].ID != first.State.Keys()[0].ID {
		t.Errorf("keys recorded %+v, want the env file's key", keys)
	}
	deleted, _ := day2.DestroyList(second)
	if list := strings.Join(deleted, "\n"); !strings.Contains(list, "bucket "+a.Bucket) || !strings.Contains(list, "IAM user "+a.IAMUser) {
		t.Errorf("destroy from the teammate's checkout would not delete the env's bucket and user:\n%s", list)
	}
	// Nothing changed in AWS: the first checkout plans nothing.
	for _, id := range []string{"bucket", "iam"} {
		p, err := steps.PlanStep(ctx, first, steps.Find(steps.All(), id))
		if err != nil || !p.Empty() {
			t.Errorf("after adopt, the first checkout's %s plans %v (%v)", id, p, err)
		}
	}
	if err := day2.Adopt(ctx, second, func(string) {}); err == nil || !strings.Contains(err.Error(), "already has saved progress") {
		t.Errorf("adopt over saved progress: %v, want a refusal", err)
	}

	other := testrun.New(t, t.TempDir(), testrun.Answers(t, "env: staging\napp: blog\nregion: eu-west-3\nbucket: "+a.Bucket+"\niam_user: "+a.IAMUser+"\n"), nil)
	err = day2.Adopt(ctx, other, func(string) {})
	if err == nil || !strings.Contains(err.Error(), `project "mon-app"`) {
		t.Errorf("another project's adopt of mon-app's resources: %v, want a refusal naming mon-app", err)
	}
	if len(other.State.Ownerships()) != 0 || other.State.Answers() != nil {
		t.Error("a refused adopt recorded something")
	}
}

// TestTeammateDestroyAfterAdoptDeletesCloudFront: a teammate's checkout
// adopts an env served through CloudFront and destroys it. Adopt records
// the tagged distribution as the wizard's and the origin access control it
// uses (untaggable) with it, so destroy deletes both with the bucket: no
// distribution is left pointing at a bucket name anyone could then create.
func TestTeammateDestroyAfterAdoptDeletesCloudFront(t *testing.T) {
	fastCloudFront(t)
	s := motoserver.Shared(t)
	ctx := context.Background()
	first := testrun.OnMoto(t, s, testrun.Answers(t, cloudFrontAnswers))
	testrun.Apply(t, first, "preflight", "bucket", "public")
	id, oac := first.State.Resource(steps.ResCloudFrontID), first.State.Resource(steps.ResCloudFrontOAC)
	if id == "" || oac == "" {
		t.Fatalf("apply made no distribution (%q) or OAC (%q)", id, oac)
	}

	a := testrun.Answers(t, cloudFrontAnswers)
	second := testrun.New(t, t.TempDir(), a, nil)
	var said []string
	if err := day2.Adopt(ctx, second, func(m string) { said = append(said, m) }); err != nil {
		t.Fatalf("adopt: %v\n%s", err, strings.Join(said, "\n"))
	}
	for _, c := range []struct{ kind, name string }{{state.KindDistribution, steps.CloudFrontCallerReference(a)}, {state.KindOriginAccessControl, steps.OACName(a)}} {
		if o, _ := second.State.Ownership(c.kind, c.name); o.Evidence != state.EvidenceTagged {
			t.Errorf("adopt recorded %s %s as %+v, want it tagged the wizard's\n%s", c.kind, c.name, o, strings.Join(said, "\n"))
		}
	}
	destroy(t, second)
	cf := second.AWS.CloudFront
	if _, err := cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &id}); err == nil {
		t.Errorf("the distribution %s survived destroy from the teammate's checkout", id)
	}
	if _, err := cf.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: &oac}); err == nil {
		t.Errorf("the origin access control %s survived destroy from the teammate's checkout", oac)
	}
}

// TestAdoptRefusesABucketAnotherProjectAdopted: a bucket that project blog
// adopted (tagged s3wizard:adopted-by=blog, no project tag) is refused by
// adopt with blog named, as preflight refuses it, instead of being recorded
// as adopted here.
func TestAdoptRefusesABucketAnotherProjectAdopted(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: blog-adopted-media\naccess_logs: false\n")
	r := testrun.OnMoto(t, s, a)
	testrun.Bucket(t, r, a.Bucket, map[string]string{steps.TagAdoptedBy: "blog"})
	err := day2.Adopt(ctx, r, func(string) {})
	if err == nil || !strings.Contains(err.Error(), `project "blog"`) {
		t.Errorf("adopt of a bucket project blog adopted: %v, want a refusal naming blog", err)
	}
	if len(r.State.Ownerships()) != 0 || r.State.Answers() != nil {
		t.Error("a refused adopt recorded something")
	}
}

// TestTeammateDestroyAfterAdoptDeletesAlarms: the first checkout's
// monitoring step made the size alarm (tagged with the project and env);
// a teammate's checkout adopts the env and destroys it. adopt recorded no
// alarm, so the teammate's inventory named none and destroy left the
// alarm behind. adopt now reads the alarms by the names the wizard gives
// them and records those whose tags are this project's and env's: the
// list names the size alarm and destroy deletes it. An alarm under the
// wizard's other name (the objects alarm, which these answers do not want)
// that another project's tags claim, that another env's tags claim, or
// that carries no tag is not recorded: nothing proves this env made it,
// and destroy keeps it.
func TestTeammateDestroyAfterAdoptDeletesAlarms(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	const answers = "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\naccess_logs: false\nalarms: {bucket_size_gb: 5, email: ops@example.com}\n"
	first := testrun.OnMoto(t, s, testrun.Answers(t, answers))
	testrun.Apply(t, first, "preflight", "bucket", "monitoring")
	a := first.Answers
	size, objects := steps.SizeAlarmName(a.Bucket), steps.ObjectsAlarmName(a.Bucket)
	cw := steps.CloudWatchClient(first)
	for _, c := range []struct {
		name string
		tags map[string]string // of the objects alarm, made by someone else
	}{
		{"untagged", nil},
		{"another env's", map[string]string{steps.TagProject: "mon-app", steps.TagEnv: "prod"}},
		{"another project's", map[string]string{steps.TagProject: "blog", steps.TagEnv: "staging", steps.TagManagedBy: steps.TagManager}},
	} {
		if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{objects}}); err != nil {
			t.Fatal(err)
		}
		in := &cloudwatch.PutMetricAlarmInput{AlarmName: sdk.String(objects), Namespace: sdk.String("AWS/S3"), MetricName: sdk.String("NumberOfObjects"),
			Statistic: cwtypes.StatisticAverage, Period: sdk.Int32(86400), EvaluationPeriods: sdk.Int32(1), Threshold: sdk.Float64(10),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}
		for k, v := range c.tags {
			in.Tags = append(in.Tags, cwtypes.Tag{Key: sdk.String(k), Value: sdk.String(v)})
		}
		if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
			t.Fatal(err)
		}

		second := testrun.New(t, t.TempDir(), testrun.Answers(t, answers), nil)
		var said []string
		if err := day2.Adopt(ctx, second, func(m string) { said = append(said, m) }); err != nil {
			t.Fatalf("%s: adopt: %v\n%s", c.name, err, strings.Join(said, "\n"))
		}
		if o, _ := second.State.Ownership(state.KindAlarm, size); o.Evidence != state.EvidenceTagged {
			t.Errorf("%s: adopt recorded alarm %s as %+v, want it tagged the wizard's\n%s", c.name, size, o, strings.Join(said, "\n"))
		}
		if out := strings.Join(said, "\n"); !strings.Contains(out, state.KindAlarm+" "+size+": tagged") || !strings.Contains(out, state.KindAlarm+" "+objects+": ") || !strings.Contains(out, "not recorded (destroy keeps it)") {
			t.Errorf("%s: adopt does not say which alarm it recorded and which it left:\n%s", c.name, out)
		}
		if o, ok := second.State.Ownership(state.KindAlarm, objects); ok {
			t.Errorf("%s objects alarm: adopt recorded it as %+v, want no record\n%s", c.name, o, strings.Join(said, "\n"))
		}
		deleted, kept := day2.DestroyList(second)
		if !slices.Contains(deleted, "CloudWatch alarm "+size) {
			t.Errorf("%s: the teammate's destroy list does not name alarm %s:\n%s", c.name, size, strings.Join(deleted, "\n"))
		}
		if list := strings.Join(append(deleted, kept...), "\n"); strings.Contains(list, objects) {
			t.Errorf("%s: the teammate's destroy list names the alarm %s, which is not this env's:\n%s", c.name, objects, list)
		}
		if c.name != "another project's" {
			second.State.Close()
			continue
		}
		out := destroy(t, second)
		live := testrun.Alarms(t, second)
		if _, ok := live[size]; ok {
			t.Errorf("alarm %s survived destroy from the teammate's checkout\n%s", size, out)
		}
		if _, ok := live[objects]; !ok {
			t.Errorf("destroy deleted alarm %s, which project blog's tags claim\n%s", objects, out)
		}
	}
}
