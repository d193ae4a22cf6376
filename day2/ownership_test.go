package day2_test

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// TestChangedAnswersDoNotInheritOwnership (issue 17 item 8): after an apply
// that created bucket and user, the answers are changed to a bucket and a
// user that already existed. The old "created by the wizard" must not pass
// to them: destroy keeps the pre-existing bucket (with its objects) and
// user, and deletes what the wizard did create under the old names.
func TestChangedAnswersDoNotInheritOwnership(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-first\n")
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket", "iam")
	oldBucket, oldUser := a.Bucket, a.IAMUser

	cl := r.AWS.S3In(a.Region)
	theirs := "their-media"
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &theirs,
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(a.Region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &theirs, Key: sdk.String("media/precious.jpg"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AWS.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("alice")}); err != nil {
		t.Fatal(err)
	}
	a.Bucket, a.IAMUser = theirs, "alice"
	testrun.Apply(t, r, "bucket", "iam")

	deleted, kept := day2.DestroyList(r)
	for _, want := range []string{"bucket their-media", "IAM user alice"} {
		if !strings.Contains(strings.Join(kept, "\n"), want) {
			t.Errorf("destroy's list does not keep %s: kept %q, deleted %q", want, kept, deleted)
		}
	}
	said := destroy(t, r)
	if _, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &theirs, Key: sdk.String("media/precious.jpg")}); err != nil {
		t.Errorf("the pre-existing bucket's object is gone after destroy: %v\n%s", err, said)
	}
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: sdk.String("alice")}); err != nil {
		t.Errorf("the pre-existing user alice is gone after destroy: %v\n%s", err, said)
	}
	if _, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &oldBucket}); err == nil {
		t.Errorf("the wizard's own bucket %s was left\n%s", oldBucket, said)
	}
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &oldUser}); err == nil {
		t.Errorf("the wizard's own user %s was left\n%s", oldUser, said)
	}
}

// TestChangedIAMUserRetiresTheOldKey (issue 17 item 1): iam_user changed
// after an apply. The new user's key must not overwrite the old key's
// secret in the env file while that key stays live: the plan deletes the
// key the wizard made for the old user, and destroy then keeps the new,
// pre-existing user.
func TestChangedIAMUserRetiresTheOldKey(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket", "iam", "access-key")
	oldUser := a.IAMUser
	env, err := envfile.Read(r.EnvFilePath())
	if err != nil {
		t.Fatal(err)
	}
	oldKey := env[appconfig.EnvKeyID]

	if _, err := r.AWS.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("alice")}); err != nil {
		t.Fatal(err)
	}
	a.IAMUser = "alice"
	plans := testrun.Apply(t, r, "iam", "access-key")
	var summaries []string
	for _, act := range plans["access-key"].Actions {
		summaries = append(summaries, act.Summary)
	}
	if !strings.Contains(strings.Join(summaries, "\n"), "delete access key") {
		t.Errorf("the plan does not say the old key goes: %q", summaries)
	}
	keys, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &oldUser})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if *k.AccessKeyId == oldKey {
			t.Errorf("the old user's key %s is still live, its secret overwritten in the env file", oldKey)
		}
	}
	if k := r.State.Key(oldKey); k == nil || k.Status != "Deleted" {
		t.Errorf("the old key is recorded as %+v, want Deleted", k)
	}
	env, _ = envfile.Read(r.EnvFilePath())
	if env[appconfig.EnvKeyID] == oldKey || env[appconfig.EnvKeyID] == "" {
		t.Errorf("the env file holds %q, want alice's new key", env[appconfig.EnvKeyID])
	}

	said := destroy(t, r)
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: sdk.String("alice")}); err != nil {
		t.Errorf("destroy deleted the pre-existing user alice: %v\n%s", err, said)
	}
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &oldUser}); err == nil {
		t.Errorf("destroy left the wizard's own user %s\n%s", oldUser, said)
	}
	if owned := r.State.OwnedNames(state.KindIAMUser); len(owned) != 0 {
		t.Errorf("after destroy the records still own %v", owned)
	}
}

// TestChangedIAMUserRefusesWhenTheOldKeyIsDeployedElsewhere (issue 17 item
// 1): the old user's key is on Heroku too; deleting it would cut that
// deployment off, keeping it would leave a live key whose secret the env
// file no longer holds. The plan refuses, saying how, and changes nothing.
func TestChangedIAMUserRefusesWhenTheOldKeyIsDeployedElsewhere(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\n")
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket", "iam", "access-key")
	oldUser, oldKey := a.IAMUser, r.State.Keys()[0]
	oldKey.Deployed = append(oldKey.Deployed, "heroku")
	if err := r.State.Update(func(p *state.Progress) { p.PutKey(oldKey) }); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AWS.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("alice")}); err != nil {
		t.Fatal(err)
	}
	a.IAMUser = "alice"
	testrun.Apply(t, r, "iam")
	_, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), "access-key"))
	if err == nil || !strings.Contains(err.Error(), "deployed to env_file, heroku") || !strings.Contains(err.Error(), "Set iam_user back to "+oldUser) {
		t.Fatalf("access-key with the old key on Heroku: %v, want a refusal saying how", err)
	}
	env, _ := envfile.Read(r.EnvFilePath())
	if env[appconfig.EnvKeyID] != oldKey.ID {
		t.Errorf("the env file's key changed to %q", env[appconfig.EnvKeyID])
	}
	keys, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String("alice")})
	if err != nil || len(keys.AccessKeyMetadata) != 0 {
		t.Errorf("alice got a key: %+v %v", keys, err)
	}
}
