package day2_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// alarmAnswers want the size alarm only (5 GiB), notifying ops@.
const alarmAnswers = alarmEnv + "alarms: {bucket_size_gb: 5, email: ops@example.com}\n"

const alarmEnv = "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\naccess_logs: false\n"

// runWithSomeonesAlarm is a run of alarmAnswers on a reset moto, its
// bucket set up, where someone put the alarm named (testrun.SomeonesAlarm) (from the bucket) with
// tags.
func runWithSomeonesAlarm(t *testing.T, s *motoserver.Server, alarm func(bucket string) string, tags map[string]string) (*steps.Run, string) {
	t.Helper()
	s.Reset(t)
	r := testrun.OnMoto(t, s, testrun.Answers(t, alarmAnswers))
	testrun.Apply(t, r, "preflight", "bucket")
	name := alarm(r.Answers.Bucket)
	testrun.SomeonesAlarm(t, r, name, tags)
	return r, name
}

// alarmAsMade is the alarm name as testrun.SomeonesAlarm made it, its tags
// included: "" when it is so, else what differs.
func alarmAsMade(t *testing.T, r *steps.Run, name string, tags map[string]string) string {
	t.Helper()
	al, ok := testrun.Alarms(t, r)[name]
	if !ok {
		return "it is gone"
	}
	out, err := steps.CloudWatchClient(r).ListTagsForResource(context.Background(), &cloudwatch.ListTagsForResourceInput{ResourceARN: al.AlarmArn})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tag := range out.Tags {
		got[sdk.ToString(tag.Key)] = sdk.ToString(tag.Value)
	}
	if tags == nil {
		tags = map[string]string{}
	}
	switch {
	case sdk.ToFloat64(al.Threshold) != 10 || sdk.ToString(al.MetricName) != "NumberOfObjects" || len(al.AlarmActions) != 0:
		return fmt.Sprintf("it was overwritten: %s > %g, actions %v", sdk.ToString(al.MetricName), sdk.ToFloat64(al.Threshold), al.AlarmActions)
	case !maps.Equal(got, tags):
		return "its tags are now " + strings.Join(slices.Sorted(maps.Keys(got)), ",")
	}
	return ""
}

// TestForeignAlarmUnderTheWizardsNameIsRefused: an alarm that another
// project's, or another env's, tags claim sits under the name the
// monitoring step gives the size alarm. Only adopt read an alarm's tags:
// apply overwrote it with PutMetricAlarm (the wizard's threshold, its
// topic as action) and, once the step had run, destroy deleted it as an
// alarm the answers want. The plan now reads the tags of an alarm this
// env has no record of and refuses, naming the owner; nothing changes,
// and destroy leaves the alarm as it was.
func TestForeignAlarmUnderTheWizardsNameIsRefused(t *testing.T) {
	s := motoserver.Shared(t)
	for _, c := range testrun.OthersTags {
		t.Run(c.Name, func(t *testing.T) {
			r, size := runWithSomeonesAlarm(t, s, steps.SizeAlarmName, c.Tags)

			_, _, err := steps.ApplyStep(context.Background(), r, steps.Find(steps.All(), "monitoring"))
			if err == nil || !strings.Contains(err.Error(), c.Owner) || !strings.Contains(err.Error(), size) {
				t.Fatalf("apply over %s alarm %s: %v, want a refusal naming %s", c.Name, size, err, c.Owner)
			}
			if diff := alarmAsMade(t, r, size, c.Tags); diff != "" {
				t.Errorf("after the refused apply, %s alarm %s: %s", c.Name, size, diff)
			}
			if o, ok := r.State.Ownership(state.KindAlarm, size); ok {
				t.Errorf("the refused apply recorded %s alarm as %+v", c.Name, o)
			}
			destroy(t, r)
			if diff := alarmAsMade(t, r, size, c.Tags); diff != "" {
				t.Errorf("after destroy, %s alarm %s: %s", c.Name, size, diff)
			}
		})
	}
}

// TestUnrecordedAlarmUnderTheWizardsName: an alarm exists under the size
// alarm's name with no record of this env. Tagged with this project and
// env (a lost progress file), it is the wizard's: the plan records it as
// tagged, updates it, and destroy deletes it. Untagged (made by hand), it
// is adopted as the alarm topic is: updated to the answers, recorded as
// adopted, and kept by destroy. Before, neither was recorded: destroy
// deleted both as alarms the answers want.
func TestUnrecordedAlarmUnderTheWizardsName(t *testing.T) {
	s := motoserver.Shared(t)
	for _, c := range []struct {
		name     string
		tags     map[string]string
		evidence string
		deleted  bool
	}{
		{"this env's tags", map[string]string{steps.TagProject: "mon-app", steps.TagEnv: "staging", steps.TagManagedBy: steps.TagManager}, state.EvidenceTagged, true},
		{"untagged", nil, state.EvidenceAdopted, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, size := runWithSomeonesAlarm(t, s, steps.SizeAlarmName, c.tags)

			p := testrun.Apply(t, r, "monitoring")["monitoring"]
			if o, _ := r.State.Ownership(state.KindAlarm, size); o.Evidence != c.evidence {
				t.Errorf("alarm %s recorded as %+v, want evidence %s\nnotices %q", size, o, c.evidence, p.Notices)
			}
			if al := testrun.Alarms(t, r)[size]; sdk.ToFloat64(al.Threshold) != 5*(1<<30) {
				t.Errorf("alarm %s not set to the answers: %+v", size, al)
			}
			if again := testrun.Apply(t, r, "monitoring")["monitoring"]; !again.Empty() {
				t.Errorf("second apply planned %d action(s)", len(again.Actions))
			}
			deleted, kept := day2.DestroyList(r)
			listed := slices.Contains(deleted, "CloudWatch alarm "+size)
			if listed != c.deleted {
				t.Errorf("destroy list names alarm %s for deletion: %v, want %v\ndeleted %q\nkept %q", size, listed, c.deleted, deleted, kept)
			}
			out := destroy(t, r)
			if _, left := testrun.Alarms(t, r)[size]; left == c.deleted {
				t.Errorf("after destroy alarm %s exists: %v\n%s", size, left, out)
			}
		})
	}
}

// TestOldEnvDestroyDeletesOnlyItsTaggedAlarms: an env set up before the
// wizard recorded its alarms (the monitoring step done, no alarm record).
// destroy deleted the alarms its answers want, whoever's they were: here
// the size alarm is another project's. It now deletes such an alarm only
// if its tags, read at destroy time, name this project and env: the
// objects alarm (the wizard's, tagged) goes, the size alarm stays, and
// destroy says why.
func TestOldEnvDestroyDeletesOnlyItsTaggedAlarms(t *testing.T) {
	s := motoserver.Shared(t)
	s.Reset(t)
	r := testrun.OnMoto(t, s, testrun.Answers(t, alarmEnv+"alarms: {bucket_size_gb: 5, number_of_objects: 1000, email: ops@example.com}\n"))
	testrun.Apply(t, r, "preflight", "bucket", "monitoring")
	a := r.Answers
	size, objects := steps.SizeAlarmName(a.Bucket), steps.ObjectsAlarmName(a.Bucket)
	// moto keeps the tags of a deleted alarm for the next of its name:
	// the same keys as the wizard's.
	blog := map[string]string{steps.TagProject: "blog", steps.TagEnv: "staging", steps.TagManagedBy: steps.TagManager}
	testrun.SomeonesAlarm(t, r, size, blog)
	// As a progress file of an earlier version: no alarm record.
	if err := r.State.Update(func(p *state.Progress) {
		p.ForgetOwnership(state.KindAlarm, size)
		p.ForgetOwnership(state.KindAlarm, objects)
	}); err != nil {
		t.Fatal(err)
	}

	deleted, _ := day2.DestroyList(r)
	for _, name := range []string{size, objects} {
		if !slices.ContainsFunc(deleted, func(l string) bool {
			return strings.HasPrefix(l, "CloudWatch alarm "+name+" (if its tags name this env")
		}) {
			t.Errorf("the list does not say alarm %s goes only if its tags name this env:\n%s", name, strings.Join(deleted, "\n"))
		}
	}
	out := destroy(t, r)
	if diff := alarmAsMade(t, r, size, blog); diff != "" {
		t.Errorf("destroy of an env set up before alarms were recorded, alarm %s of project blog: %s\n%s", size, diff, out)
	}
	if !strings.Contains(out, "kept CloudWatch alarm "+size+`: it belongs to project "blog"`) {
		t.Errorf("destroy does not say why it kept alarm %s:\n%s", size, out)
	}
	if _, left := testrun.Alarms(t, r)[objects]; left {
		t.Errorf("the wizard's objects alarm %s (tagged this env's) survived destroy:\n%s", objects, out)
	}
}

// TestUnwantedAlarmOfAnotherIsLeftAlone: the answers want no objects
// alarm (number_of_objects 0), and one exists under its name that this
// env has no record of: another project's, or untagged. apply deleted it
// ("its threshold is now 0") whoever's it was. It now deletes only an
// alarm the records or its tags prove this env's, and leaves this one as
// it was, through apply and destroy.
func TestUnwantedAlarmOfAnotherIsLeftAlone(t *testing.T) {
	s := motoserver.Shared(t)
	for _, c := range []struct {
		name string
		tags map[string]string
	}{
		{"another project's", map[string]string{steps.TagProject: "blog", steps.TagEnv: "staging", steps.TagManagedBy: steps.TagManager}},
		{"untagged", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, objects := runWithSomeonesAlarm(t, s, steps.ObjectsAlarmName, c.tags)
			p := testrun.Apply(t, r, "monitoring")["monitoring"]
			if diff := alarmAsMade(t, r, objects, c.tags); diff != "" {
				t.Errorf("after apply, %s alarm %s: %s\nnotices %q", c.name, objects, diff, p.Notices)
			}
			if o, ok := r.State.Ownership(state.KindAlarm, objects); ok {
				t.Errorf("apply recorded %s alarm %s as %+v", c.name, objects, o)
			}
			out := destroy(t, r)
			if diff := alarmAsMade(t, r, objects, c.tags); diff != "" {
				t.Errorf("after destroy, %s alarm %s: %s\n%s", c.name, objects, diff, out)
			}
		})
	}
}
