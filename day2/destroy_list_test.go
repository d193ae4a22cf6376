package day2_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// TestDestroyListCountsAPendingCreation: a run killed just after
// CreateBucket / CreateUser leaves the ownership record "pending", and
// Destroy deletes those resources (steps.Run.Owns). The list shown for the
// confirmation must say so, not "kept (it existed before the wizard)".
func TestDestroyListCountsAPendingCreation(t *testing.T) {
	a := testrun.Answers(t, destroyAnswers)
	prog := state.New(a.Env)
	prog.PutOwnership(state.Ownership{Kind: state.KindBucket, Name: a.Bucket, Evidence: state.EvidencePending})
	prog.PutOwnership(state.Ownership{Kind: state.KindIAMUser, Name: a.IAMUser, Evidence: state.EvidencePending})
	prog.PutOwnership(state.Ownership{Kind: state.KindIAMGroup, Name: steps.GroupName(a), Evidence: state.EvidenceCreated})
	prog.PutOwnership(state.Ownership{Kind: state.KindIAMPolicy, Name: steps.PolicyName(a), Evidence: state.EvidenceCreated})
	r := &steps.Run{Answers: a, State: prog}
	deleted, kept := day2.DestroyList(r)
	for _, want := range []string{"bucket " + a.Bucket + " with EVERY file", "IAM user " + a.IAMUser + " (kept if another env still uses it)"} {
		if !slices.ContainsFunc(deleted, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("deleted lacks %q:\n%s", want, strings.Join(deleted, "\n"))
		}
	}
	if len(kept) != 0 {
		t.Errorf("kept %q, want nothing: the wizard made them (their creation was pending)", kept)
	}
}
