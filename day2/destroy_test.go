package day2_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/day2"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/inventory"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const destroyAnswers = "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\niam_user: django-s3-user-staging\naccess_logs: true\n"

func destroy(t *testing.T, r *steps.Run) string {
	t.Helper()
	var said []string
	if err := day2.Destroy(context.Background(), r, func(s string) { said = append(said, s) }); err != nil {
		t.Fatalf("destroy: %v\n%s", err, strings.Join(said, "\n"))
	}
	return strings.Join(said, "\n")
}

// A bucket and an IAM user that existed before the wizard are adopted by
// apply and survive destroy (the bucket's objects included, the user's own
// key too); what the wizard created (its key, the log bucket) is deleted.
func TestDestroyKeepsAdoptedBucketAndUser(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, destroyAnswers)
	r := testrun.OnMoto(t, s, a)
	cl := r.AWS.S3In(a.Region)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &a.Bucket,
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(a.Region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &a.Bucket, Key: sdk.String("media/blog/keep.txt"), Body: strings.NewReader("precious")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AWS.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: &a.IAMUser}); err != nil {
		t.Fatal(err)
	}
	own, err := r.AWS.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &a.IAMUser})
	if err != nil {
		t.Fatal(err)
	}
	ownKey := *own.AccessKey.AccessKeyId

	testrun.Apply(t, r, "preflight", "bucket", "iam", "access-key", "protection")
	said := destroy(t, r)

	for _, want := range []string{
		"kept bucket " + a.Bucket + ": it existed before the wizard (adopted)",
		"kept IAM user " + a.IAMUser + ": it existed before the wizard (adopted)",
		"empty and delete bucket " + steps.LogBucketName(a.Bucket),
	} {
		if !strings.Contains(said, want) {
			t.Errorf("destroy did not say %q:\n%s", want, said)
		}
	}
	out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: &a.Bucket, Key: sdk.String("media/blog/keep.txt")})
	if err != nil {
		t.Fatalf("the adopted bucket's object is gone: %v", err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "precious" {
		t.Errorf("object = %q", body)
	}
	if _, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String(steps.LogBucketName(a.Bucket))}); err == nil {
		t.Error("the log bucket the wizard created still exists")
	}
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &a.IAMUser}); err != nil {
		t.Fatalf("the adopted user was deleted: %v", err)
	}
	keys, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != ownKey {
		t.Errorf("adopted user's keys after destroy: %d (want only its own %s)", len(keys.AccessKeyMetadata), ownKey)
	}
	groups, err := r.AWS.IAM.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: &a.IAMUser})
	if err != nil || len(groups.Groups) != 0 {
		t.Errorf("adopted user still in groups %v (%v)", groups, err)
	}
}

// What the wizard created itself is deleted, objects and all.
func TestDestroyDeletesWizardCreatedBucket(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, destroyAnswers)
	r := testrun.OnMoto(t, s, a)
	testrun.Apply(t, r, "preflight", "bucket", "iam", "access-key")
	cl := r.AWS.S3In(a.Region)
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &a.Bucket, Key: sdk.String("media/x.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	said := destroy(t, r)
	if strings.Contains(said, "kept ") {
		t.Errorf("destroy kept what the wizard created:\n%s", said)
	}
	if _, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &a.Bucket}); err == nil {
		t.Error("the bucket the wizard created still exists")
	}
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &a.IAMUser}); err == nil {
		t.Error("the IAM user the wizard created still exists")
	}
}

// Staging and prod share one IAM user (prod adopts the user staging
// created). Destroying staging deletes staging's key only: prod's key stays
// active and in .env.prod, and so does the user, now owned by prod, whose
// own destroy then deletes it.
func TestDestroySharedUserKeepsTheOtherEnvsKey(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	ctx := context.Background()
	dir := t.TempDir()
	const shared = "iam_user: django-s3-user-shared\n"
	sa := testrun.Answers(t, "env: staging\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-staging\naccess_logs: false\n"+shared)
	stg := testrun.New(t, dir, sa, nil)
	testrun.Apply(t, stg, "preflight", "bucket", "iam", "access-key")
	if err := stg.State.Update(func(p *state.Progress) { p.SetAnswers(sa) }); err != nil {
		t.Fatal(err)
	}
	pa := testrun.Answers(t, "env: prod\napp: mon-app\nregion: eu-west-3\nbucket: mon-app-media-prod\naccess_logs: false\nenv_file: .env.prod\n"+shared)
	prod := testrun.New(t, dir, pa, nil)
	testrun.Apply(t, prod, "preflight", "bucket", "iam", "access-key")
	if err := prod.State.Update(func(p *state.Progress) { p.SetAnswers(pa) }); err != nil {
		t.Fatal(err)
	}
	prodEnv, err := envfile.Read(filepath.Join(dir, ".env.prod"))
	if err != nil || prodEnv[appconfig.EnvKeyID] == "" {
		t.Fatalf(".env.prod: %v %v", prodEnv, err)
	}
	prodKey := prodEnv[appconfig.EnvKeyID]
	if err := prod.State.Close(); err != nil { // prod is not running while staging is destroyed
		t.Fatal(err)
	}

	said := destroy(t, stg)
	if !strings.Contains(said, "kept IAM user django-s3-user-shared: env prod still uses it") {
		t.Errorf("destroy did not say why it kept the user:\n%s", said)
	}
	keys, err := stg.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String("django-s3-user-shared")})
	if err != nil {
		t.Fatalf("the shared user is gone: %v", err)
	}
	if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != prodKey || keys.AccessKeyMetadata[0].Status != "Active" {
		t.Fatalf("keys after destroying staging: %+v, want only prod's active %s", keys.AccessKeyMetadata, prodKey)
	}
	if after, _ := envfile.Read(filepath.Join(dir, ".env.prod")); after[appconfig.EnvKeyID] != prodKey || after[appconfig.EnvSecret] != prodEnv[appconfig.EnvSecret] {
		t.Error(".env.prod lost prod's key")
	}
	if env, _ := envfile.Read(filepath.Join(dir, ".env")); env[appconfig.EnvKeyID] != "" || env[appconfig.EnvBucket] != "" {
		t.Errorf("staging's .env still has its S3 lines: %v", env)
	}
	if _, err := os.Stat(filepath.Join(dir, inventory.EnvBackupFile("staging"))); err != nil {
		t.Errorf("no backup of staging's env file: %v", err)
	}

	// Prod now owns the user: its destroy deletes it.
	prod = testrun.New(t, dir, pa, nil)
	said = destroy(t, prod)
	if _, err := prod.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: sdk.String("django-s3-user-shared")}); err == nil {
		t.Errorf("the user survived the destroy of the last env using it:\n%s", said)
	}
}

// Staging and prod in one account share the account's S3 budget (issue
// 8.7), each has its own alarm topic (8.8): destroying staging deletes its
// alarms and topic and keeps the budget prod still uses; destroying prod
// then deletes the budget.
func TestDestroyMonitoringKeepsTheSharedBudget(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	ctx := context.Background()
	dir := t.TempDir()
	mon := "\nbudget: {monthly_usd: 20, email: ops@example.com}\nalarms: {bucket_size_gb: 5, email: ops@example.com}\n"
	stg := testrun.New(t, dir, testrun.Answers(t, destroyAnswers+mon), nil)
	testrun.Apply(t, stg, "preflight", "bucket", "monitoring")
	prodYAML := strings.NewReplacer("staging", "prod").Replace(destroyAnswers) + "env_file: .env.prod\n" + mon
	prod := testrun.New(t, dir, testrun.Answers(t, prodYAML), nil)
	testrun.Apply(t, prod, "preflight", "bucket", "monitoring")
	if n := len(testrun.Budgets(t, prod)); n != 1 {
		t.Fatalf("budgets after staging and prod = %d, want 1 (one per account)", n)
	}
	topicOf := func(r *steps.Run) string { return steps.AlarmTopicARN(r.Answers, motoserver.AccountID) }
	topicExists := func(r *steps.Run) bool {
		_, err := r.AWS.SNSIn(r.Answers.Region).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: sdk.String(topicOf(r))})
		return err == nil
	}

	said := destroy(t, stg)
	if n := len(testrun.Budgets(t, prod)); n != 1 || !strings.Contains(said, "kept budget "+steps.BudgetName+": env prod still uses it") {
		t.Errorf("destroying staging: %d budget(s) left, said:\n%s", n, said)
	}
	if topicExists(stg) || !topicExists(prod) {
		t.Errorf("after destroying staging: staging topic exists %v, prod topic exists %v", topicExists(stg), topicExists(prod))
	}
	if _, ok := testrun.Alarms(t, stg)[stg.Answers.Bucket+"-size"]; ok {
		t.Error("staging's size alarm survived its destroy")
	}

	destroy(t, prod)
	if n := len(testrun.Budgets(t, prod)); n != 0 || topicExists(prod) {
		t.Errorf("after destroying prod: %d budget(s), prod topic exists %v", n, topicExists(prod))
	}
}

// destroy says only what it did, and what it lists first exists: no alarm
// or budget the answers never made, no detach of a policy never attached,
// the SNS topic it deletes named; and an env file the wizard filled alone
// is deleted, not left holding only "# Added by s3wizard".
func TestDestroyTellsOnlyWhatIsSo(t *testing.T) {
	s := motoserver.Shared(t)
	a := testrun.Answers(t, destroyAnswers+"alarms: {bucket_size_gb: 0, number_of_objects: 0}\n")
	r := testrun.OnMoto(t, s, a)
	deleted, _ := day2.DestroyList(r)
	list := strings.Join(deleted, "\n")
	if strings.Contains(list, "CloudWatch alarm") || strings.Contains(list, "budget") {
		t.Errorf("destroy lists what the answers never made:\n%s", list)
	}
	r.State.PutOwnership(state.Ownership{Kind: state.KindSNSTopic, Name: steps.AlarmTopicName(a.Bucket), Evidence: state.EvidenceCreated})
	r.State.SetResource(steps.BudgetResource, steps.BudgetName)
	deleted, _ = day2.DestroyList(r)
	list = strings.Join(deleted, "\n")
	for _, want := range []string{"SNS topic " + steps.AlarmTopicName(a.Bucket), "budget " + steps.BudgetName} {
		if !strings.Contains(list, want) {
			t.Errorf("destroy's list lacks %q:\n%s", want, list)
		}
	}
	r.State.ForgetOwnership(state.KindSNSTopic, steps.AlarmTopicName(a.Bucket))
	r.State.SetResource(steps.BudgetResource, "")

	testrun.Apply(t, r, "preflight", "bucket", "iam", "access-key")
	said := destroy(t, r)
	if strings.Contains(said, "detach "+steps.ARNName(steps.FullAccessARN)) {
		t.Errorf("destroy says it detached a policy never attached:\n%s", said)
	}
	if _, err := os.Stat(r.EnvFilePath()); !os.IsNotExist(err) {
		b, _ := os.ReadFile(r.EnvFilePath())
		t.Errorf("the env file the wizard alone filled is left (%v):\n%s", err, b)
	}
}
