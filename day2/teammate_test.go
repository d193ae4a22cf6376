package day2_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
