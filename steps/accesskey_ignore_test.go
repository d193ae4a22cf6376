package steps_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/steps"
)

// The env file is ignored by git before the access key exists: a run that
// stops after the key (before app-config) leaves no secret git would
// commit.
func TestEnvFileIgnoredBeforeTheKeyExists(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	a := testrun.Answers(t, "env: staging\napp: ign-app\nregion: eu-west-3\nenv_file: .env.staging\n")
	dir := t.TempDir()
	ctx := context.Background()
	r := testrun.New(t, dir, a, nil)
	r.KeyPropagation = time.Nanosecond
	for _, id := range []string{"preflight", "bucket", "iam"} {
		if _, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), id)); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	step := steps.Find(steps.All(), "access-key")
	p, err := step.Plan(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) < 2 || !strings.Contains(p.Actions[0].Summary, ".gitignore: .env.staging") ||
		!strings.Contains(p.Actions[len(p.Actions)-1].Summary, "create an access key") {
		var got []string
		for _, ac := range p.Actions {
			got = append(got, ac.Summary)
		}
		t.Fatalf("plan: %q, want the ignore action before the key", got)
	}
	if _, _, err := steps.ApplyStep(ctx, r, step); err != nil {
		t.Fatal(err)
	}
	gi, _ := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if !strings.Contains("\n"+string(gi), "\n.env.staging\n") {
		t.Errorf(".gitignore after the access key:\n%s", gi)
	}
}
