package accesskey_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/awsfake"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// After a run died between CreateAccessKey and saving the secret, the next
// plan tells its keys apart by the creation intent it recorded: a key made
// around the intent and found in no record is the lost one and is deleted;
// the key the env file holds (with its secret) is kept and recorded; the
// keys the user had when the intent was written (even made minutes before
// it), a key another env recorded
// and a key made long after the crash are never touched, only warned about.
// (The crash itself, and that IAM really deletes the key, are tested against
// moto in cli/keys_test.go and lost_test.go.)
func TestAccessKeyOrphanClassification(t *testing.T) {
	a := testrun.Answers(t, "env: staging\napp: key-app\nregion: eu-west-3\n")
	user := a.IAMUser
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	const (
		before  = "AKIABEFORETHEINTENT1"
		orphan  = "AKIALOSTBYTHECRASH02"
		inFile  = "AKIAINTHEENVFILE0003"
		prodKey = "AKIARECORDEDBYPROD04"
		later   = "AKIAMADEBYHANDLATE05"
	)
	fake := awsfake.NewIAM(nil, map[string][]iamtypes.AccessKeyMetadata{user: {
		awsfake.Key(user, before, at.Add(-5*time.Minute), iamtypes.StatusTypeActive),
		awsfake.Key(user, orphan, at.Add(time.Minute), iamtypes.StatusTypeActive),
		awsfake.Key(user, inFile, at.Add(2*time.Minute), iamtypes.StatusTypeActive),
		awsfake.Key(user, prodKey, at.Add(3*time.Minute), iamtypes.StatusTypeActive),
		awsfake.Key(user, later, at.Add(6*time.Hour), iamtypes.StatusTypeActive),
	}, "someone-else": {
		awsfake.Key("someone-else", "AKIAOTHERUSERSKEY006", at.Add(time.Minute), iamtypes.StatusTypeActive),
	}})
	r := testrun.OnFakes(t, a, &aws.Clients{IAM: fake})
	if err := r.State.Update(func(p *state.Progress) {
		p.SetKeyCreation(&state.KeyCreation{User: user, At: at, Existing: []string{before}})
	}); err != nil {
		t.Fatal(err)
	}
	// Env prod shares the IAM user and recorded its own key.
	prod, err := state.Open(r.Dir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if err := prod.Update(func(p *state.Progress) {
		p.PutKey(state.AccessKey{ID: prodKey, User: user, Created: at.Add(3 * time.Minute), Status: "Active"})
	}); err != nil {
		t.Fatal(err)
	}
	prod.Close()
	if err := os.WriteFile(filepath.Join(r.Dir, a.EnvFile), []byte("AWS_ACCESS_KEY_ID="+inFile+"\nAWS_SECRET_ACCESS_KEY=s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	p := testrun.Plan(t, r, "access-key")
	var got []string
	for _, act := range p.Actions {
		got = append(got, act.Summary)
	}
	if want := []string{"delete orphan key " + text.Mask(orphan) + " of " + user + " (created by an interrupted run; its secret was never saved)"}; !slices.Equal(got, want) {
		t.Errorf("actions:\n got  %q\n want %q", got, want)
	}
	for _, id := range []string{before, prodKey, later} {
		if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "also has key "+text.Mask(id)) }) {
			t.Errorf("no warning names the key %s, which is not this run's to delete: %q", text.Mask(id), p.Warnings)
		}
	}
	if !slices.ContainsFunc(p.Notices, func(n string) bool {
		return strings.Contains(n, text.Mask(inFile)+" in "+a.EnvFile+" is active: keeping it")
	}) {
		t.Errorf("notices %q do not keep the env file's key", p.Notices)
	}

	if _, _, err := steps.ApplyStep(context.Background(), r, testrun.WithoutVerify("access-key")); err != nil {
		t.Fatal(err)
	}
	if got := fake.Log.All(); !slices.Equal(got, []string{"iam:DeleteAccessKey " + orphan}) {
		t.Errorf("calls %q, want only the orphan %s deleted", got, orphan)
	}
	if r.State.KeyCreation() != nil {
		t.Error("the creation record is still open after its orphan was deleted")
	}
	if k := r.State.Key(inFile); k == nil || k.Status != "Active" {
		t.Errorf("the env file's key is recorded as %+v, want it recorded active", k)
	}
	if again := testrun.Plan(t, r, "access-key"); !again.Empty() {
		t.Errorf("a second plan still acts: %q", again.Actions[0].Summary)
	}
}

// The env file is ignored by git before the access key exists, not later
// in app-config: a run that stops after the key leaves no secret git would
// commit. The plan ignores it first, then creates the key, and the key's
// secret lands in the env file git ignores.
func TestEnvFileIgnoredBeforeTheKeyExists(t *testing.T) {
	a := testrun.Answers(t, "env: staging\napp: ign-app\nregion: eu-west-3\nenv_file: .env.staging\n")
	fake := awsfake.NewIAM(nil, nil)
	r := testrun.OnFakes(t, a, &aws.Clients{IAM: fake})
	p := testrun.Plan(t, r, "access-key")
	if len(p.Actions) != 2 || !strings.Contains(p.Actions[0].Summary, ".gitignore: .env.staging") ||
		!strings.Contains(p.Actions[1].Summary, "create an access key") {
		var got []string
		for _, ac := range p.Actions {
			got = append(got, ac.Summary)
		}
		t.Fatalf("plan: %q, want the ignore action before the key", got)
	}
	if _, _, err := steps.ApplyStep(context.Background(), r, testrun.WithoutVerify("access-key")); err != nil {
		t.Fatal(err)
	}
	gi, _ := os.ReadFile(filepath.Join(r.Dir, ".gitignore"))
	if !strings.Contains("\n"+string(gi), "\n.env.staging\n") {
		t.Errorf(".gitignore after the access key:\n%s", gi)
	}
	env, _ := os.ReadFile(filepath.Join(r.Dir, ".env.staging"))
	if got := fake.Log.All(); !slices.Equal(got, []string{"iam:CreateAccessKey " + awsfake.Made(1)}) || !strings.Contains(string(env), awsfake.Made(1)) {
		t.Errorf("calls %q; env file:\n%s", got, env)
	}
}
