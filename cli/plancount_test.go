package cli_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// plan and apply count the same changes: the .gitignore action was listed by
// both the access-key and the app-config steps in plan (34 planned, 33
// made).
func TestPlanAndApplyCountTheSameChanges(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	r := run(t, dir, s.Env(), "plan", "--env", "staging", "--answers", "answers.yaml")
	mustOK(t, r)
	planned := regexp.MustCompile(`(\d+) change\(s\) planned`).FindStringSubmatch(r.stdout)
	if planned == nil {
		t.Fatalf("plan:\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, "file .gitignore"); n != 1 {
		t.Errorf("the .gitignore action is planned %d times:\n%s", n, r.stdout)
	}
	a := apply(t, dir, s.Env())
	mustOK(t, a)
	made := regexp.MustCompile(`(\d+) change\(s\) made`).FindStringSubmatch(a.stderr)
	if made == nil || made[1] != planned[1] {
		t.Fatalf("plan counted %s change(s), apply made %v:\n%s", planned[1], made, a.stderr)
	}
}
