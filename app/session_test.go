package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

func answers(t *testing.T, text string) *config.Answers {
	t.Helper()
	a, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// An env file tracked by git is refused before anything exists, with the
// command that fixes it: the wizard's .gitignore line would not keep the
// secret out of the next commit.
func TestFinishRefusesAnEnvFileTrackedByGit(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, ".env.staging"), []byte("DEBUG=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	git("add", ".env.staging")
	git("commit", "-q", "-m", "env")

	a := answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nenv_file: .env.staging\n")
	err := Finish(a, dir)
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "git rm --cached .env.staging") {
		t.Fatalf("Finish = %v, want a usage error with the git command", err)
	}
	// An instance role writes no secret there: nothing to refuse.
	b := answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nenv_file: .env.staging\ncredentials: instance-role\n")
	if err := Finish(b, dir); err != nil {
		t.Errorf("instance role: %v", err)
	}
	// Untracked (and about to be ignored): fine.
	git("rm", "-q", "--cached", ".env.staging")
	git("commit", "-q", "-m", "untrack")
	if err := Finish(answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nenv_file: .env.staging\n"), dir); err != nil {
		t.Errorf("untracked: %v", err)
	}
}

// Every bad answer is a usage error (exit 2) naming its key, before any AWS
// call or file write.
func TestFinishRefusesBadAnswersUpFront(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ yaml, key string }{
		{"env_file: .gitignore\n", "env_file"},
		{"env_file: .s3wizard/staging.json\n", "env_file"},
		{"heroku_app: 'x; touch /tmp/PWNED'\n", "heroku_app"},
		{"public_prefixes: ['media/????????/']\n", "public_prefixes"},
		{"bucket: " + strings.Repeat("b", 63) + "\n", "bucket"},
	} {
		err := Finish(answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\n"+c.yaml), dir)
		var ke *config.KeyError
		if !errors.Is(err, ErrUsage) || !errors.As(err, &ke) || ke.Key != c.key {
			t.Errorf("%q: Finish = %v, want a usage error naming %s", c.yaml, err, c.key)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%q: files written: %v", c.yaml, entries)
		}
	}
}

// TestEarlierDefaultUserNameIsKept (issue 17 item 9): iam_user's default is
// now <app>-<env>-s3-user. An env set up with the former default
// (django-s3-user-<env>, saved but not set by the user) keeps that user: a
// new default would be a changed iam_user nobody asked for. A new env gets
// the new default, and an answer given in the file wins.
func TestEarlierDefaultUserNameIsKept(t *testing.T) {
	dir := t.TempDir()
	saved, err := state.Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	old := answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	old.ApplyDefaults()
	old.IAMUser = "django-s3-user-staging" // what the earlier default filled in
	if err := saved.Update(func(p *state.Progress) { p.SetAnswers(old) }); err != nil {
		t.Fatal(err)
	}
	saved.Close()
	file := filepath.Join(dir, "answers.yaml")
	for _, c := range []struct{ yaml, env, want string }{
		{"env: staging\napp: mon-app\nregion: eu-west-3\n", "staging", "django-s3-user-staging"},
		{"env: staging\napp: mon-app\nregion: eu-west-3\niam_user: web\n", "staging", "web"},
		{"env: prod\napp: mon-app\nregion: eu-west-3\n", "prod", "mon-app-prod-s3-user"},
	} {
		if err := os.WriteFile(file, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := state.Read(dir, c.env)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Answers(Options{Dir: dir, Env: c.env, AnswersFile: file}, p)
		if err != nil {
			t.Fatal(err)
		}
		a.ApplyDefaults()
		if a.IAMUser != c.want {
			t.Errorf("%q with saved progress: iam_user %q, want %q", c.yaml, a.IAMUser, c.want)
		}
	}
}

// One bucket per env: prod naming the bucket staging's progress records is
// refused up front (exit 2), saying whose it is; the live check says the
// same while the name is typed, with no AWS call.
func TestFinishRefusesAnotherEnvsBucket(t *testing.T) {
	dir := t.TempDir()
	p, err := state.Open(dir, "staging")
	if err != nil {
		t.Fatal(err)
	}
	p.SetAnswers(answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-shared\n"))
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
	_ = p.Close()
	err = Finish(answers(t, "env: prod\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-shared\nenv_file: .env.prod\n"), dir)
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "belongs to env staging of this project") {
		t.Fatalf("Finish = %v, want a usage error naming env staging", err)
	}
	av, err := NewProbe(Options{Dir: dir}).BucketAvailability(context.Background(), "prod", "mon-app", "mon-app-shared", "eu-west-3")
	if err != nil || !av.Blocks || !strings.Contains(av.Text, "belongs to env staging") {
		t.Fatalf("live check = %+v, %v", av, err)
	}
	// staging itself keeps its bucket.
	if err := Finish(answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-shared\n"), dir); err != nil {
		t.Fatalf("staging's own bucket: %v", err)
	}
}
