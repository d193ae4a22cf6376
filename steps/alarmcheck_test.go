package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// TestAlarmCheckNamesTheForeignOwner: an alarm that another project's, or
// another env's, tags claim sits under the size alarm's name. check said
// "differs from the wanted alarm: run apply", but apply refuses such an
// alarm: the check now names the owner and what to do, in apply's very
// words. The wizard's own alarm, changed by hand (recorded: no tag read),
// still says to run apply.
func TestAlarmCheckNamesTheForeignOwner(t *testing.T) {
	s := motoserver.Shared(t)
	const answers = "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\naccess_logs: false\n" +
		"alarms: {bucket_size_gb: 5, email: ops@example.com}\n"
	monitoring := steps.Find(steps.All(), "monitoring")
	sizeCheck := func(t *testing.T, r *steps.Run) steps.Check {
		t.Helper()
		want := "CloudWatch alarm " + steps.SizeAlarmName(r.Answers.Bucket)
		for _, c := range monitoring.Verify(context.Background(), r) {
			if c.ID == steps.CheckAlarm && c.Name == want {
				return c
			}
		}
		t.Fatalf("check has no %s check", want)
		return steps.Check{}
	}
	for _, c := range testrun.OthersTags {
		t.Run(c.Name, func(t *testing.T) {
			s.Reset(t)
			r := testrun.OnMoto(t, s, testrun.Answers(t, answers))
			testrun.Apply(t, r, "preflight", "bucket")
			size := steps.SizeAlarmName(r.Answers.Bucket)
			testrun.SomeonesAlarm(t, r, size, c.Tags)

			got := sizeCheck(t, r)
			if got.OK || !strings.Contains(got.Detail, c.Owner) || strings.Contains(got.Detail, "run apply") {
				t.Fatalf("check of %s alarm %s: %+v, want a failure naming %s, not 'run apply'", c.Name, size, got, c.Owner)
			}
			_, _, err := steps.ApplyStep(context.Background(), r, monitoring)
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(got.Detail, "it ")) {
				t.Errorf("apply's refusal %v\ndoes not say what check says: %q", err, got.Detail)
			}
		})
	}
	t.Run("the wizard's, changed by hand", func(t *testing.T) {
		s.Reset(t)
		r := testrun.OnMoto(t, s, testrun.Answers(t, answers))
		testrun.Apply(t, r, "preflight", "bucket", "monitoring")
		size := steps.SizeAlarmName(r.Answers.Bucket)
		testrun.SomeonesAlarm(t, r, size, map[string]string{steps.TagProject: "mon-app", steps.TagEnv: "staging", steps.TagManagedBy: steps.TagManager})
		if got := sizeCheck(t, r); got.OK || !strings.Contains(got.Detail, "differs from the wanted alarm") || !strings.HasSuffix(got.Detail, "run apply") {
			t.Fatalf("check of the wizard's alarm %s changed by hand: %+v, want 'differs ...: run apply'", size, got)
		}
	})
}
