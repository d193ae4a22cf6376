package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/internal/motoserver"
)

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// Issue 10.5: a .env that git tracks is refused before anything is created
// (the secret would be in the next commit), and check tells the truth about
// it.
func TestTrackedEnvFileIsRefusedBeforeAnyChange(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	git(t, dir, "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("DEBUG=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", ".env")

	r := apply(t, dir, s.Env())
	if r.code != 2 || !strings.Contains(r.stderr, "git rm --cached .env") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("apply with a tracked .env: exit %d\n%s", r.code, r.stderr)
	}
	if bucketExists(t, s, "mon-app-media-staging") || userExists(t, s, "mon-app-staging-s3-user") {
		t.Fatal("apply created resources before refusing the tracked .env")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".env")); string(b) != "DEBUG=1\n" {
		t.Fatalf(".env was written: %q", b)
	}

	git(t, dir, "rm", "-q", "--cached", ".env")
	mustOK(t, apply(t, dir, s.Env()))
	c := run(t, dir, s.Env(), "check", "--env", "staging")
	if !strings.Contains(c.stdout, "✓ [app-config] secret files ignored by git") {
		t.Fatalf("check after untracking:\n%s", c.stdout)
	}
	// `git add -f` makes it tracked again, .gitignore notwithstanding.
	git(t, dir, "add", "-f", ".env")
	c = run(t, dir, s.Env(), "check", "--env", "staging")
	if c.code != 1 || !strings.Contains(c.stdout, "✗ [app-config] secret files ignored by git: git tracks .env") {
		t.Fatalf("check with a tracked .env: exit %d\n%s\n%s", c.code, c.stdout, c.stderr)
	}
}
