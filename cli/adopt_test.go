package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// TestTeammateRunsDoctorAfterAdopt (issue 19 §2): a fresh clone of a project
// set up elsewhere (same answers file, the env file's secret handed over, no
// .s3wizard/) could not run doctor ("no saved progress"). adopt rebuilds the
// progress from the account, read-only, and doctor and status then work.
func TestTeammateRunsDoctorAfterAdopt(t *testing.T) {
	s := motoserver.Shared(t)
	first := project(t, stagingAnswers)
	mustOK(t, apply(t, first, s.Env()))

	second := project(t, stagingAnswers)
	env, err := os.ReadFile(filepath.Join(first, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(second, ".env"), env, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, second, s.Env(), "doctor", "--env", "staging"); r.code != 2 || !strings.Contains(r.stderr, "no saved progress") {
		t.Fatalf("doctor in a fresh clone: exit %d\n%s", r.code, r.stderr)
	}
	r := run(t, second, s.Env(), "adopt", "--env", "staging", "--answers", "answers.yaml")
	mustOK(t, r)
	for _, want := range []string{"bucket mon-app-media-staging: tagged", "iam_user mon-app-staging-s3-user: tagged"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("adopt did not say %q:\n%s", want, r.stdout)
		}
	}
	mustOK(t, run(t, second, s.Env(), "doctor", "--env", "staging"))
	if r := run(t, second, s.Env(), "adopt", "--env", "staging", "--answers", "answers.yaml"); r.code != 2 {
		t.Errorf("adopt over saved progress: exit %d, want 2\n%s", r.code, r.stderr)
	}
}
