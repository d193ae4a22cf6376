package cli_test

// The CLI's questions, answered or declined, and its no-terminal refusals,
// in-process (issue 21.2): a scripted person answers, the session opener is
// a fake (noSession) or app.Open with every AWS call refused (offline).
// What an answer does in AWS stays end to end through the binary on moto
// (TestApplyInTerminalShowsThePlanAndAsks, TestRotateAsksBeforeDeactivating,
// TestDestroyNeedsTheTypedName).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/internal/minioserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
)

// Issue 10.4 / CONTRACT: no terminal and no --yes is exit 2, before
// anything: no session opened, no progress file.
func TestApplyWithoutTerminalNeedsYes(t *testing.T) {
	dir := project(t, stagingAnswers)
	p := &person{terminal: false}
	r := inDir(t, dir, cli.Deps{Prompter: p, Open: noSession(t)}, "apply", "--env", "staging", "--answers", "answers.yaml")
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "--yes") || !strings.Contains(r.stderr, "no terminal to ask in") {
		t.Fatalf("apply without a terminal or --yes: exit %d\n%s", r.code, r.stderr)
	}
	if q := p.questions(); len(q) != 0 {
		t.Errorf("asked %q with no terminal", q)
	}
	noFile(t, dir, ".s3wizard", "by an apply refused for want of a terminal")
}

// Issue 10.4: apply in a terminal shows the plan and asks once, naming the
// count, the env and the account; "no" is exit 130, "nothing was changed",
// and nothing is written: no env file, no saved answers.
func TestApplyDeclinedChangesNothingInProcess(t *testing.T) {
	dir := project(t, stagingAnswers)
	p := &person{terminal: true, answers: []string{"no"}}
	r := inDir(t, dir, cli.Deps{Prompter: p, Open: offline(t)}, "apply", "--env", "staging", "--answers", "answers.yaml")
	if r.code != cli.ExitCancelled || !strings.Contains(r.stderr, "apply not confirmed: nothing was changed") {
		t.Fatalf("apply answered no: exit %d, want %d\n%s", r.code, cli.ExitCancelled, r.stderr)
	}
	q := p.questions()
	if len(q) != 1 || !strings.Contains(q[0], "change(s) to env staging in account ") {
		t.Fatalf("questions %q; want one, naming the env and the account", q)
	}
	plan := strings.Index(r.stderr, "Plan for env staging")
	ask := strings.Index(r.stderr, q[0])
	for _, want := range []string{"create bucket mon-app-media-staging", "aws s3:CreateBucket", "aws iam:CreateAccessKey"} {
		if i := strings.Index(r.stderr, want); plan < 0 || i < plan || i > ask {
			t.Errorf("the plan shown before the question lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "applying env") {
		t.Errorf("apply started after the answer no:\n%s", r.stderr)
	}
	noFile(t, dir, ".env", "after the answer no")
	if saved, err := state.Read(dir, "staging"); err != nil || saved.Answers() != nil {
		t.Errorf("after the answer no the progress holds answers (%v)", err)
	}
}

// rotate-keys asks before it deactivates the old key: with no terminal
// and no --yes it refuses (exit 2) before it opens the env.
func TestRotateWithoutTerminalNeedsYesInProcess(t *testing.T) {
	dir := t.TempDir()
	p := &person{terminal: false}
	r := inDir(t, dir, cli.Deps{Prompter: p, Open: noSession(t)}, "rotate-keys", "--env", "staging")
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "no terminal to ask in") || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("rotate-keys without a terminal or --yes: exit %d\n%s", r.code, r.stderr)
	}
}

// savedEnv records, as an apply would have, env staging's answers and the
// ownership of what it made, in dir.
func savedEnv(t *testing.T, dir, answers string, owned ...state.Ownership) {
	t.Helper()
	a := testrun.Answers(t, answers)
	testrun.SaveAnswers(t, dir, a)
	p, err := state.Open(dir, a.Env)
	must(t, err)
	defer p.Close()
	must(t, p.Update(func(p *state.Progress) {
		for _, o := range owned {
			p.PutOwnership(o)
		}
	}))
}

// Issue 10.4: destroy lists what goes before it asks for the bucket's
// name; a wrong name deletes nothing (exit 130). The right name is
// TestDestroyNeedsTheTypedName, on moto.
func TestDestroyWrongNameDeletesNothingInProcess(t *testing.T) {
	dir := t.TempDir()
	savedEnv(t, dir, stagingAnswers,
		state.Ownership{Kind: state.KindBucket, Name: "mon-app-media-staging", Evidence: state.EvidenceCreated},
		state.Ownership{Kind: state.KindIAMUser, Name: "mon-app-staging-s3-user", Evidence: state.EvidenceCreated},
		state.Ownership{Kind: state.KindIAMGroup, Name: "mon-app-staging-s3-group", Evidence: state.EvidenceCreated})
	for _, typed := range []string{"wrong-name", ""} {
		p := &person{terminal: false, answers: []string{typed}}
		r := inDir(t, dir, cli.Deps{Prompter: p, Open: offline(t)}, "destroy", "--env", "staging")
		if r.code != cli.ExitCancelled || !strings.Contains(r.stderr, "nothing deleted") {
			t.Fatalf("destroy with the name %q: exit %d\n%s", typed, r.code, r.stderr)
		}
		q := p.questions()
		if len(q) != 1 || !strings.Contains(q[0], "Type the bucket name (mon-app-media-staging)") {
			t.Fatalf("questions %q; want the bucket name asked once", q)
		}
		question := strings.Index(r.stderr, q[0])
		for _, want := range []string{"bucket mon-app-media-staging with EVERY file", "IAM user mon-app-staging-s3-user", "IAM group"} {
			if i := strings.Index(r.stderr, want); i < 0 || i > question {
				t.Errorf("%q is not listed before the question:\n%s", want, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "destroyed") {
			t.Errorf("destroy went on after the name %q:\n%s", typed, r.stderr)
		}
	}
}

// credentials: provided with no keys in the env file: apply in a terminal
// asks the key ID (again after a bad one) and the secret, writes them to
// the env file only (0600, ignored by git) and never shows the secret;
// then it shows the plan and asks. The echo of the secret is switched off
// by the terminal prompter: TestTerminalPasswordIsNotEchoed.
func TestProvidedKeysTypedAtTheApplyPrompt(t *testing.T) {
	// The endpoint answered (the binary's tests set AWS_ENDPOINT_URL);
	// no call reaches it: the session is offline.
	dir := project(t, providedAnswers+"endpoint: https://s3.example.com\n")
	p := &person{terminal: true, answers: []string{"bad key", minioserver.User, minioserver.Password, "n"}}
	r := inDir(t, dir, cli.Deps{Prompter: p, Open: offline(t)}, "apply", "--env", "staging", "--answers", "answers.yaml")
	if r.code != cli.ExitCancelled {
		t.Fatalf("apply, plan declined: exit %d\n%s", r.code, r.stderr)
	}
	q := p.questions()
	if len(q) != 4 || q[0] != "Access key ID: " || q[1] != "Access key ID: " || !strings.HasPrefix(q[2], "Secret access key (hidden)") || !strings.HasSuffix(q[3], "[y/N]: ") {
		t.Fatalf("questions %q; want the key ID twice (a bad one first), the secret, then the plan's", q)
	}
	if !strings.Contains(r.stderr, "3-128 letters") || !strings.Contains(r.stderr, "keys written to .env") {
		t.Errorf("no refusal of the bad key ID, or no word of the keys written:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, minioserver.Password) {
		t.Fatalf("the secret was shown:\n%s", r.stderr)
	}
	wantTypedKeysInEnv(t, dir)
	if fi, err := os.Stat(filepath.Join(dir, ".env")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode: %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err != nil || !strings.Contains(string(b), ".env") {
		t.Errorf(".gitignore does not ignore .env (%v)", err)
	}
}
