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

// gitOut runs git in dir and returns its output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// filesHolding lists the files under dir (outside .git) whose content
// holds secret.
func filesHolding(t *testing.T, dir, secret string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), secret) {
				rel, _ := filepath.Rel(dir, p)
				found = append(found, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestKillDuringEnvFileWriteStagesNoSecret (issue 17.3): a kill between
// writing the env file's temporary copy (with the new secret) and renaming
// it leaves that copy where git ignores it — `git add -A` stages no file
// holding the secret — and the next run sweeps it.
func TestKillDuringEnvFileWriteStagesNoSecret(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	git(t, dir, "init", "-q")
	crash := apply(t, dir, append(s.Env(), "S3WIZARD_CRASH_AFTER=WriteTemp:.env"))
	if crash.code != 137 {
		t.Fatalf("the simulated kill did not happen: exit %d\n%s", crash.code, crash.stderr)
	}
	temps, _ := filepath.Glob(filepath.Join(dir, "..env.s3wizard-tmp-*"))
	if len(temps) != 1 {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("the kill left no temporary env file (%v in %v): the test proves nothing\n%s", temps, entries, crash.stderr)
	}
	body, _ := os.ReadFile(temps[0])
	var secret string
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, "AWS_SECRET_ACCESS_KEY="); ok {
			secret = v
		}
	}
	if secret == "" {
		t.Fatalf("the temporary file holds no secret: the test proves nothing")
	}
	status := gitOut(t, dir, "status", "--porcelain", "--ignored")
	if !strings.Contains(status, "!! "+filepath.Base(temps[0])) {
		t.Errorf("git does not list the temporary file as ignored:\n%s", status)
	}
	gitOut(t, dir, "add", "-A")
	for _, f := range strings.Fields(gitOut(t, dir, "diff", "--cached", "--name-only")) {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); strings.Contains(string(b), secret) {
			t.Errorf("`git add -A` staged %s, which holds the secret", f)
		}
	}

	mustOK(t, apply(t, dir, s.Env()))
	if left, _ := filepath.Glob(filepath.Join(dir, "..env.s3wizard-tmp-*")); len(left) != 0 {
		t.Errorf("the next run left the killed write's temporary file: %v", left)
	}
	if f := filesHolding(t, dir, secret); len(f) != 0 {
		t.Errorf("the lost key's secret is still in %v", f)
	}
}

// TestNegatedGitignoreLineLetsNoKeyBeCreated (issue 17.4): .gitignore lists
// .env but a later `!.env` un-ignores it. Reading our own line said
// "ignored"; git itself is asked now, before the key exists, and check
// reports what git says.
func TestNegatedGitignoreLineLetsNoKeyBeCreated(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	git(t, dir, "init", "-q")
	must(t, os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(".env\n!.env\n"), 0o644))
	r := apply(t, dir, s.Env())
	if r.code == 0 || !strings.Contains(r.stderr, "git does not ignore .env") {
		t.Fatalf("apply with .env un-ignored: exit %d\n%s", r.code, r.stderr)
	}
	if keys := userKeys(t, s, "mon-app-staging-s3-user"); len(keys) != 0 {
		t.Errorf("a key was created although git would commit .env: %v", keys)
	}
	c := run(t, dir, s.Env(), "check", "--env", "staging")
	if !strings.Contains(c.stdout, "✗ [app-config] secret files ignored by git: git does not ignore .env") {
		t.Errorf("check does not report what git says:\n%s", c.stdout)
	}
}

// TestEnvFileNameGitReadsOtherwiseRefused (issue 17.4): an env file name
// whose .gitignore line git would not honour is refused before anything
// changes (exit 2), not after the key exists.
func TestEnvFileNameGitReadsOtherwiseRefused(t *testing.T) {
	for _, name := range []string{`a\\b.env`, `".env "`, `" .env"`} {
		dir := project(t, stagingAnswers+"env_file: "+name+"\n")
		git(t, dir, "init", "-q")
		// In-process: refused before any session (AWS client) is opened.
		r := inDir(t, dir, cli.Deps{Open: noSession(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
		if r.code != 2 || !strings.Contains(r.stderr, "env_file") {
			t.Errorf("env_file %s: exit %d, want 2\n%s", name, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, ".s3wizard")); err == nil {
			t.Errorf("env_file %s: .s3wizard was created before the refusal", name)
		}
	}
}

// TestSecretsThroughSymlinkedFoldersRefused (issue 17.6): an env file in a
// folder that links out of the project, and a .s3wizard that does, are
// refused before anything is written there or in AWS.
func TestSecretsThroughSymlinkedFoldersRefused(t *testing.T) {
	outside := t.TempDir()

	// In-process: the env file is refused before any session is opened;
	// the progress folder by the opening itself (app.Open), before any AWS
	// client is used (the session is offline: no call could leave).
	dir := project(t, stagingAnswers+"env_file: conf/.env\n")
	must(t, os.Symlink(outside, filepath.Join(dir, "conf")))
	r := inDir(t, dir, cli.Deps{Open: noSession(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "outside the project") {
		t.Errorf("env file through a linked folder: exit %d\n%s", r.code, r.stderr)
	}

	dir = project(t, stagingAnswers)
	must(t, os.Symlink(outside, filepath.Join(dir, ".s3wizard")))
	r = inDir(t, dir, cli.Deps{Open: offline(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	// Bad input refused before anything changes: a usage error (exit 2),
	// as the linked env-file folder above.
	if r.code != 2 || !strings.Contains(r.stderr, "outside the project") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Errorf("linked .s3wizard: exit %d, want 2\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files written outside the project: %v", entries)
	}
}

// TestDocsDoesNotWriteThroughLinkedHandoff (issue 17.6): a hand-off file
// that is a link to a file outside the project is refused, the target
// untouched.
//
// In-process, on a saved env, offline (the live checks fail; the document
// is still written, but never through the link).
func TestDocsDoesNotWriteThroughLinkedHandoff(t *testing.T) {
	dir := t.TempDir()
	savedEnv(t, dir, stagingAnswers)
	target := filepath.Join(t.TempDir(), "elsewhere.md")
	must(t, os.WriteFile(target, []byte("mine\n"), 0o600))
	must(t, os.Symlink(target, filepath.Join(dir, "S3-HANDOFF-staging.md")))
	r := inDir(t, dir, cli.Deps{Open: offline(t)}, "docs", "--env", "staging")
	if r.code == 0 || !strings.Contains(r.stderr, "symbolic link") {
		t.Errorf("docs through a link: exit %d\n%s", r.code, r.stderr)
	}
	wantFile(t, target, "mine\n", 0o600)
}

// TestRefusedRunLeavesNoLockFiles (issue 17.17): a run refused for a
// read-only progress file or a FIFO env file creates nothing in .s3wizard.
func TestRefusedRunLeavesNoLockFiles(t *testing.T) {
	// In-process, offline: the refusals are the opening's (app.Open) and
	// the answers' (app.Finish); no AWS call could leave.
	dir := project(t, stagingAnswers)
	p := filepath.Join(dir, ".s3wizard", "staging.json")
	must(t, os.MkdirAll(filepath.Dir(p), 0o700))
	must(t, os.WriteFile(p, []byte(`{"schema": 1, "env": "staging", "steps": {}}`+"\n"), 0o400))
	r := inDir(t, dir, cli.Deps{Open: offline(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if r.code == 0 || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("read-only progress: exit %d\n%s", r.code, r.stderr)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the refused run created %v in .s3wizard", names)
	}

	dir = project(t, stagingAnswers)
	must(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("DEBUG=1\n"), 0o400))
	r = inDir(t, dir, cli.Deps{Open: noSession(t)}, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("read-only env file: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".s3wizard")); err == nil {
		t.Error("the run refused for a read-only env file created .s3wizard")
	}
}

// TestOtherServicesKeyInEnvFileKeptInBackup (issue 17.2): an env file that
// already holds another service's AWS key (no key of the app's user, none
// the wizard made) is not overwritten silently: apply says so, and the file
// as it was is kept, mode 0600, where git ignores it.
func TestOtherServicesKeyInEnvFileKeptInBackup(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers)
	git(t, dir, "init", "-q")
	const otherID, otherSecret = "AKIAOTHERSERVICE0042", "otherServiceSecret/0123456789abcdefghijklmn"
	before := "SENTRY_DSN=x\nAWS_ACCESS_KEY_ID=" + otherID + "\nAWS_SECRET_ACCESS_KEY=" + otherSecret + "\n"
	must(t, os.WriteFile(filepath.Join(dir, ".env"), []byte(before), 0o600))
	r := apply(t, dir, s.Env())
	mustOK(t, r)
	if !strings.Contains(r.stderr+r.stdout, "AKIA…042, which is no key of mon-app-staging-s3-user") {
		t.Errorf("apply did not say it replaces another key:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, otherSecret) {
		t.Error("the other key's secret was printed")
	}
	backup := filepath.Join(dir, ".s3wizard", "staging-env-file-before-key.secret-backup")
	wantFile(t, backup, before, 0o600)
	if out := gitOut(t, dir, "status", "--porcelain", "--ignored", "--", ".s3wizard"); !strings.Contains(out, "!! .s3wizard/staging-env-file-before-key.secret-backup") && !strings.Contains(out, "!! .s3wizard/\n") {
		t.Errorf("git does not ignore the backup:\n%s", out)
	}
	if readEnv(t, dir)["AWS_ACCESS_KEY_ID"] == otherID {
		t.Error("the env file still holds the other key: the test proves nothing")
	}
}

// TestSymlinkedEnvFileSaysLinkNotParseError (issue 17.17): a .env that is a
// link got "parse … line N" from check and doctor; they say what is wrong.
//
// In-process, on a saved env: refused before any session is opened.
func TestSymlinkedEnvFileSaysLinkNotParseError(t *testing.T) {
	dir := t.TempDir()
	savedEnv(t, dir, stagingAnswers)
	target := filepath.Join(t.TempDir(), "shared.env")
	must(t, os.WriteFile(target, []byte("AWS_STORAGE_BUCKET_NAME=mon-app-media-staging\n{not an env line}\n"), 0o600))
	must(t, os.Symlink(target, filepath.Join(dir, ".env")))
	for _, cmd := range []string{"check", "doctor"} {
		r := inDir(t, dir, cli.Deps{Open: noSession(t)}, cmd, "--env", "staging")
		if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "is a symbolic link") || strings.Contains(r.stderr+r.stdout, "parse ") {
			t.Errorf("%s with a linked .env: exit %d\n%s%s", cmd, r.code, r.stdout, r.stderr)
		}
	}
}
