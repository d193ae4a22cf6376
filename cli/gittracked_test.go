package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/cli"
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
// (the secret would be in the next commit). In-process: refused before any
// session (AWS client, lock) is opened.
func TestTrackedEnvFileIsRefusedBeforeAnyChange(t *testing.T) {
	dir := project(t, stagingAnswers)
	git(t, dir, "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("DEBUG=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", ".env")

	r := inDir(t, dir, cli.Deps{Open: noSession(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "git rm --cached .env") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("apply with a tracked .env: exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".env")); string(b) != "DEBUG=1\n" {
		t.Fatalf(".env was written: %q", b)
	}
	noFile(t, dir, ".s3wizard", "before the refusal")
}

// Issue 10.5: check tells the truth about a tracked .env: passed once it
// is untracked, failed once `git add -f` tracks it again.
func TestCheckSaysWhenGitTracksTheEnvFile(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	git(t, dir, "init", "-q")
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
