package day2_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const (
	rotateYAML = "env: staging\napp: rot-app\nregion: eu-west-3\n"
	keyOld     = "AKIATHEOLDKEY0000OLD"
	keyNew     = "AKIATHENEWKEY0000NEW"
)

// writeEnvKey puts key id (with a secret) in r's env file, as the access-key
// step or a rotation leaves it.
func writeEnvKey(t *testing.T, r *steps.Run, id string) {
	t.Helper()
	body := appconfig.EnvKeyID + "=" + id + "\n" + appconfig.EnvSecret + "=secret-of-" + id + "\n" + appconfig.EnvBucket + "=" + r.Answers.Bucket + "\n"
	if err := os.WriteFile(filepath.Join(r.Dir, r.Answers.EnvFile), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// rotateRun is a Run of a whose user has the old and the new key, with the
// env file holding the new one: a rotation stopped after its new key landed.
// seed records how far the rotation got.
func rotateRun(t *testing.T, a *config.Answers, seed func(p *state.Progress)) (*steps.Run, *fakeIAM, *calls) {
	t.Helper()
	log := &calls{}
	fiam := &fakeIAM{calls: log, keys: map[string][]iamtypes.AccessKeyMetadata{a.IAMUser: {
		accessKey(a.IAMUser, keyOld, iamtypes.StatusTypeActive),
		accessKey(a.IAMUser, keyNew, iamtypes.StatusTypeActive),
	}}}
	r := fakeRun(t, a, &aws.Clients{IAM: fiam}, func(p *state.Progress) {
		p.PutKey(state.AccessKey{ID: keyOld, User: a.IAMUser, Status: "Active", Deployed: []string{"env_file"}, Created: time.Now().Add(-90 * 24 * time.Hour)})
		seed(p)
	})
	writeEnvKey(t, r, keyNew)
	// The apply that made the old key had git ignore the secret files.
	if _, err := envfile.EnsureIgnored(r.Dir, r.IgnorePatterns()); err != nil {
		t.Fatal(err)
	}
	return r, fiam, log
}

// rotate runs day2.RotateKeys with deletion confirmed and deploy as the
// Heroku deployment (nil: none possible), returning its error and what it
// said.
func rotate(t *testing.T, r *steps.Run, deploy func(context.Context) (bool, error)) (error, string) {
	t.Helper()
	var said []string
	err := day2.RotateKeys(context.Background(), r, day2.RotateOptions{
		ConfirmDelete: func(string) bool { return true },
		DeployHeroku:  deploy,
		Say:           func(s string) { said = append(said, s) },
	})
	return err, strings.Join(said, "\n")
}

// retired are the calls that retire the old key, in order.
var retired = []string{"iam:UpdateAccessKey " + keyOld + " Inactive", "iam:DeleteAccessKey " + keyOld}

// A rotation stopped anywhere after its new key reached the env file is
// finished by the next rotate-keys, never started again (no second new
// key): after the env file but before the progress file recorded it (the
// creation record says which key it replaces), after the record, and after
// a failed deactivation. The old key is deactivated, then deleted, and the
// rotation record closed. (The same crashes of the real binary run against
// moto in cli/keys_test.go.)
func TestRotateFinishesAStoppedRotation(t *testing.T) {
	a := testrun.Answers(t, rotateYAML)
	for _, tc := range []struct {
		name string
		seed func(p *state.Progress)
	}{
		{"stopped before the new key was recorded", func(p *state.Progress) {
			p.SetKeyCreation(&state.KeyCreation{User: a.IAMUser, At: time.Now().Add(-time.Minute), Existing: []string{keyOld}, Replaces: keyOld})
		}},
		{"stopped after the new key was recorded", func(p *state.Progress) {
			p.PutKey(state.AccessKey{ID: keyNew, User: a.IAMUser, Status: "Active", Deployed: []string{"env_file"}, Created: time.Now().Add(-time.Minute)})
			p.SetRotation(&state.Rotation{Old: keyOld, New: keyNew})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, fiam, log := rotateRun(t, a, tc.seed)
			fiam.failDeactivate = true
			if err, said := rotate(t, r, nil); err == nil {
				t.Fatalf("rotate-keys with a failing deactivation succeeded:\n%s", said)
			}
			if got := log.all(); len(got) > 0 {
				t.Fatalf("a failed deactivation still called %q", got)
			}
			if rot := r.State.Rotation(); rot == nil || rot.Old != keyOld || rot.New != keyNew {
				t.Fatalf("after the failed deactivation the rotation record is %+v, want old %s → new %s", rot, keyOld, keyNew)
			}
			fiam.failDeactivate = false
			err, said := rotate(t, r, nil)
			if err != nil {
				t.Fatalf("%v\n%s", err, said)
			}
			if !strings.Contains(said, "finishing the rotation started earlier") {
				t.Errorf("rotate-keys said:\n%s\nwant it to finish the earlier rotation", said)
			}
			if got := log.all(); !slices.Equal(got, retired) {
				t.Errorf("calls %q, want %q (no new key)", got, retired)
			}
			if r.State.Rotation() != nil || r.State.KeyCreation() != nil {
				t.Errorf("rotation %+v, creation %+v still open", r.State.Rotation(), r.State.KeyCreation())
			}
			if k := r.State.Key(keyOld); k == nil || k.Status != "Deleted" {
				t.Errorf("old key recorded as %+v, want Deleted", k)
			}
			if k := r.State.Key(keyNew); k == nil || k.Status != "Active" {
				t.Errorf("new key recorded as %+v, want Active", k)
			}
		})
	}
}

// With a Heroku app, the old key stays active until Heroku has the new
// one: a failed deployment or one the user must make by hand (no CLI)
// leaves it active and the rotation pending; the run after a hand-off
// takes the user's word for it, and only then is the old key retired. A
// person who says something still uses the old key keeps it active too.
func TestRotateRetiresTheOldKeyOnlyOnceDeployed(t *testing.T) {
	a := testrun.Answers(t, rotateYAML+"heroku_app: rot-app-staging\n")
	recorded := func(p *state.Progress) {
		p.PutKey(state.AccessKey{ID: keyNew, User: a.IAMUser, Status: "Active", Deployed: []string{"env_file"}, Created: time.Now().Add(-time.Minute)})
		p.SetRotation(&state.Rotation{Old: keyOld, New: keyNew})
	}

	t.Run("deployment failed, then done", func(t *testing.T) {
		r, _, log := rotateRun(t, a, recorded)
		err, _ := rotate(t, r, func(context.Context) (bool, error) { return false, errors.New("heroku: 503") })
		if err == nil || !strings.Contains(err.Error(), "is still active") || len(log.all()) > 0 {
			t.Fatalf("failed deployment: %v, calls %q; want the old key left active", err, log.all())
		}
		deployed := 0
		if err, said := rotate(t, r, func(context.Context) (bool, error) { deployed++; return true, nil }); err != nil {
			t.Fatalf("%v\n%s", err, said)
		}
		if got := log.all(); deployed != 1 || !slices.Equal(got, retired) {
			t.Errorf("deployed %d time(s), calls %q; want one deployment, then %q", deployed, got, retired)
		}
	})

	t.Run("handed off to the user", func(t *testing.T) {
		r, _, log := rotateRun(t, a, recorded)
		err, _ := rotate(t, r, nil) // no Heroku CLI here
		if !errors.Is(err, day2.ErrRotationPending) || len(log.all()) > 0 {
			t.Fatalf("hand-off: %v, calls %q; want ErrRotationPending and the old key left active", err, log.all())
		}
		if rot := r.State.Rotation(); rot == nil || !rot.HandedOff {
			t.Fatalf("rotation %+v: want it recorded as handed off", rot)
		}
		if err, said := rotate(t, r, func(context.Context) (bool, error) {
			t.Error("deployed again after the hand-off")
			return true, nil
		}); err != nil {
			t.Fatalf("%v\n%s", err, said)
		}
		if got := log.all(); !slices.Equal(got, retired) {
			t.Errorf("calls %q, want %q", got, retired)
		}
	})

	t.Run("deactivation not confirmed", func(t *testing.T) {
		r, _, log := rotateRun(t, testrun.Answers(t, rotateYAML), recorded)
		err := day2.RotateKeys(context.Background(), r, day2.RotateOptions{
			ConfirmDelete:     func(string) bool { return true },
			ConfirmDeactivate: func(string) bool { return false },
			Say:               func(string) {},
		})
		if !errors.Is(err, day2.ErrRotationPending) || len(log.all()) > 0 || r.State.Rotation() == nil {
			t.Fatalf("%v, calls %q, rotation %+v; want the old key left active and the rotation pending", err, log.all(), r.State.Rotation())
		}
	})
}
