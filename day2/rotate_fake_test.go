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

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/awsfake"
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
func rotateRun(t *testing.T, a *config.Answers, seed func(p *state.Progress)) (*steps.Run, *awsfake.IAM, *awsfake.Log) {
	t.Helper()
	log := &awsfake.Log{}
	fiam := awsfake.NewIAM(log, map[string][]iamtypes.AccessKeyMetadata{a.IAMUser: {
		accessKey(a.IAMUser, keyOld, iamtypes.StatusTypeActive),
		accessKey(a.IAMUser, keyNew, iamtypes.StatusTypeActive),
	}})
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
// Heroku deployment (nil: none possible), returning what it said and its
// error.
func rotate(t *testing.T, r *steps.Run, deploy func(context.Context) (bool, error)) (string, error) {
	t.Helper()
	var said []string
	err := day2.RotateKeys(context.Background(), r, day2.RotateOptions{
		ConfirmDelete: func(string) bool { return true },
		DeployHeroku:  deploy,
		Say:           func(s string) { said = append(said, s) },
	})
	return strings.Join(said, "\n"), err
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
			fiam.FailDeactivate = true
			if said, err := rotate(t, r, nil); err == nil {
				t.Fatalf("rotate-keys with a failing deactivation succeeded:\n%s", said)
			}
			if got := log.All(); len(got) > 0 {
				t.Fatalf("a failed deactivation still called %q", got)
			}
			if rot := r.State.Rotation(); rot == nil || rot.Old != keyOld || rot.New != keyNew {
				t.Fatalf("after the failed deactivation the rotation record is %+v, want old %s → new %s", rot, keyOld, keyNew)
			}
			fiam.FailDeactivate = false
			said, err := rotate(t, r, nil)
			if err != nil {
				t.Fatalf("%v\n%s", err, said)
			}
			if !strings.Contains(said, "finishing the rotation started earlier") {
				t.Errorf("rotate-keys said:\n%s\nwant it to finish the earlier rotation", said)
			}
			if got := log.All(); !slices.Equal(got, retired) {
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
		_, err := rotate(t, r, func(context.Context) (bool, error) { return false, errors.New("heroku: 503") })
		if err == nil || !strings.Contains(err.Error(), "is still active") || len(log.All()) > 0 {
			t.Fatalf("failed deployment: %v, calls %q; want the old key left active", err, log.All())
		}
		deployed := 0
		if said, err := rotate(t, r, func(context.Context) (bool, error) { deployed++; return true, nil }); err != nil {
			t.Fatalf("%v\n%s", err, said)
		}
		if got := log.All(); deployed != 1 || !slices.Equal(got, retired) {
			t.Errorf("deployed %d time(s), calls %q; want one deployment, then %q", deployed, got, retired)
		}
	})

	t.Run("handed off to the user", func(t *testing.T) {
		r, _, log := rotateRun(t, a, recorded)
		_, err := rotate(t, r, nil) // no Heroku CLI here
		if !errors.Is(err, day2.ErrRotationPending) || len(log.All()) > 0 {
			t.Fatalf("hand-off: %v, calls %q; want ErrRotationPending and the old key left active", err, log.All())
		}
		if rot := r.State.Rotation(); rot == nil || !rot.HandedOff {
			t.Fatalf("rotation %+v: want it recorded as handed off", rot)
		}
		if said, err := rotate(t, r, func(context.Context) (bool, error) {
			t.Error("deployed again after the hand-off")
			return true, nil
		}); err != nil {
			t.Fatalf("%v\n%s", err, said)
		}
		if got := log.All(); !slices.Equal(got, retired) {
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
		if !errors.Is(err, day2.ErrRotationPending) || len(log.All()) > 0 || r.State.Rotation() == nil {
			t.Fatalf("%v, calls %q, rotation %+v; want the old key left active and the rotation pending", err, log.All(), r.State.Rotation())
		}
	})
}

// fakeSTS answers who a key is, or refuses it.
type fakeSTS struct {
	aws.STSAPI
	arn     string
	refused bool
}

func (f fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if f.refused {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "the key is not allowed"}
	}
	return &sts.GetCallerIdentityOutput{Arn: sdk.String(f.arn), Account: sdk.String(fakeAccount)}, nil
}

// A rotation from the start: the new key is created, proved to work with
// its own credentials (from memory: the env file still holds the old one),
// written to the env file, deployed to Heroku while the old key is still
// active, and only then the old key is deactivated and deleted. A new key
// that does not work is deleted again and the old one stays; a
// CreateAccessKey whose answer was lost leaves a key whose secret nobody
// has, which the next run deletes before it makes its own. Each time the
// next run ends with one working key, in the env file. (moto runs the
// rotation end to end in cli/day2_test.go and cli/keys_test.go; the key's
// clients are fakes here through aws.Clients.ForKey.)
func TestRotateFromTheStart(t *testing.T) {
	a := testrun.Answers(t, rotateYAML+"heroku_app: rot-app-staging\n")
	straight := []string{"iam:CreateAccessKey AKIAMADEBYCREATE0001", "iam:UpdateAccessKey " + keyOld + " Inactive", "iam:DeleteAccessKey " + keyOld}
	for _, tc := range []struct {
		name   string
		first  []string // IAM calls of a first run that fails
		second []string // IAM calls of the next run (nil: the first succeeds)
		final  string   // the key left
		fault  func(fiam *awsfake.IAM, refuse *bool)
	}{
		{"straight through", straight, nil, "AKIAMADEBYCREATE0001", func(*awsfake.IAM, *bool) {}},
		{"the new key does not work",
			[]string{"iam:CreateAccessKey AKIAMADEBYCREATE0001", "iam:DeleteAccessKey AKIAMADEBYCREATE0001"},
			[]string{"iam:CreateAccessKey AKIAMADEBYCREATE0002", "iam:UpdateAccessKey " + keyOld + " Inactive", "iam:DeleteAccessKey " + keyOld},
			"AKIAMADEBYCREATE0002", func(_ *awsfake.IAM, refuse *bool) { *refuse = true }},
		{"CreateAccessKey's answer lost",
			[]string{"iam:CreateAccessKey AKIAMADEBYCREATE0001"},
			[]string{"iam:DeleteAccessKey AKIAMADEBYCREATE0001", "iam:CreateAccessKey AKIAMADEBYCREATE0002", "iam:UpdateAccessKey " + keyOld + " Inactive", "iam:DeleteAccessKey " + keyOld},
			"AKIAMADEBYCREATE0002", func(fiam *awsfake.IAM, _ *bool) { fiam.LoseCreate = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := &awsfake.Log{}
			fiam := awsfake.NewIAM(log, map[string][]iamtypes.AccessKeyMetadata{a.IAMUser: {accessKey(a.IAMUser, keyOld, iamtypes.StatusTypeActive)}})
			fs3 := awsfake.NewS3(nil, map[string]*awsfake.Bucket{a.Bucket: {}})
			refuse := false
			cl := &aws.Clients{IAM: fiam, S3: fs3}
			cl.ForKey = func(_ context.Context, id, _ string) (*aws.Clients, error) {
				return &aws.Clients{Region: a.Region, S3: fs3, STS: fakeSTS{arn: "arn:aws:iam::" + fakeAccount + ":user/" + a.IAMUser, refused: refuse}}, nil
			}
			r := fakeRun(t, a, cl, func(p *state.Progress) {
				p.PutKey(state.AccessKey{ID: keyOld, User: a.IAMUser, Status: "Active", Deployed: []string{"env_file"}, Created: time.Now().Add(-90 * 24 * time.Hour)})
			})
			r.KeyPropagation = time.Millisecond
			writeEnvKey(t, r, keyOld)
			if _, err := envfile.EnsureIgnored(r.Dir, r.IgnorePatterns()); err != nil {
				t.Fatal(err)
			}
			var atDeploy []string
			deploy := func(context.Context) (bool, error) {
				env, _ := envfile.Read(r.EnvFilePath())
				atDeploy = append([]string{"env file: " + env[appconfig.EnvKeyID]}, fiam.Live(a.IAMUser)...)
				return true, nil
			}

			tc.fault(fiam, &refuse)
			said, err := rotate(t, r, deploy)
			if got := log.All(); !slices.Equal(got, tc.first) {
				t.Errorf("first run: IAM calls %q, want %q", got, tc.first)
			}
			if tc.second != nil {
				if err == nil {
					t.Fatalf("first run succeeded:\n%s", said)
				}
				if env, _ := envfile.Read(r.EnvFilePath()); env[appconfig.EnvKeyID] != keyOld {
					t.Errorf("after the failed run the env file holds %s, want the old key", env[appconfig.EnvKeyID])
				}
				refuse = false
				start := len(log.All())
				said, err = rotate(t, r, deploy)
				if got := log.All()[start:]; !slices.Equal(got, tc.second) {
					t.Errorf("next run: IAM calls %q, want %q", got, tc.second)
				}
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, said)
			}
			if want := []string{"env file: " + tc.final, keyOld + " Active", tc.final + " Active"}; !slices.Equal(atDeploy, want) {
				t.Errorf("at the Heroku deployment: %q, want %q (the new key in the env file, the old one still active)", atDeploy, want)
			}
			if got := fiam.Live(a.IAMUser); !slices.Equal(got, []string{tc.final + " Active"}) {
				t.Errorf("keys left %q, want %s alone", got, tc.final)
			}
			if env, _ := envfile.Read(r.EnvFilePath()); env[appconfig.EnvKeyID] != tc.final || env[appconfig.EnvSecret] != "secret-of-"+tc.final {
				t.Errorf("env file holds %s, want %s and its secret", env[appconfig.EnvKeyID], tc.final)
			}
			if r.State.Rotation() != nil || r.State.KeyCreation() != nil {
				t.Errorf("rotation %+v, creation %+v still open", r.State.Rotation(), r.State.KeyCreation())
			}
			if len(fs3.Buckets[a.Bucket].Objects) > 0 {
				t.Errorf("the new key's probe left objects: %v", fs3.Buckets[a.Bucket].Objects)
			}
		})
	}
}
