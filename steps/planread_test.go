package steps_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/steps"
)

// Plans only read: planning every step (as `plan`, the TUI's plan screen and
// ApplyStep do first) records nothing in the progress, not even in memory.
// What a plan learns (resource names, manual steps) is recorded when its
// step is applied.
func TestPlanningRecordsNothing(t *testing.T) {
	s := motoserver.Shared(t)
	a := protAnswers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\nversioning: true\nalarms:\n  email: ops@example.com\n")
	r := protRun(t, s, a)
	ctx := context.Background()
	protApply(t, r, "preflight", "bucket")
	before := snapshot(r)
	for _, res := range engine.PlanAll(ctx, r, steps.All()) {
		if res.Err != nil {
			t.Fatalf("plan %s: %v", res.Step.ID, res.Err)
		}
	}
	if after := snapshot(r); !reflect.DeepEqual(before, after) {
		t.Fatalf("planning changed the progress:\n before %+v\n after  %+v", before, after)
	}
	// Applied, the protection step records the MFA Delete manual step.
	protApply(t, r, "protection")
	if len(r.State.Manual()) == 0 {
		t.Error("the protection step did not record the MFA Delete manual step when applied")
	}
}

type progressView struct {
	Resources map[string]string
	Manual    []string
	Keys      int
}

func snapshot(r *steps.Run) progressView {
	v := progressView{Resources: map[string]string{}, Manual: append([]string(nil), r.State.Manual()...), Keys: len(r.State.Keys())}
	for k, val := range r.State.Resources() {
		v.Resources[k] = val
	}
	return v
}
