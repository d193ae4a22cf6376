package cli_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// teammateAnswers set up everything adopt reads back: the bucket, the IAM
// user and its policy, the alarm topic and the account's budget.
const teammateAnswers = stagingAnswers + "alarms: {bucket_size_gb: 5, email: ops@example.com}\nbudget: {monthly_usd: 20, email: ops@example.com}\n"

// TestTeammateRunsDoctorAfterAdopt (issue 19 §2): a fresh clone of a project
// set up elsewhere (same answers file, the files the hand-off says are
// committed, the env file's secret handed over, no progress) could not run
// doctor ("no saved progress"). adopt rebuilds the progress from the
// account, read-only; then check, doctor, docs, rotate-keys and destroy all
// work from the second directory, with no secret outside the env file and
// nothing the first directory did not make deleted.
func TestTeammateRunsDoctorAfterAdopt(t *testing.T) {
	s := motoserver.Shared(t)
	first := project(t, teammateAnswers)
	mustOK(t, apply(t, first, s.Env()))

	second := project(t, teammateAnswers)
	if out, err := exec.Command("git", "-C", second, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	for _, f := range []string{".env", ".gitignore", ".s3wizard/django_settings.py", ".s3wizard/s3wizard_storages.py"} {
		b, err := os.ReadFile(filepath.Join(first, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(second, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(second, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if r := run(t, second, s.Env(), "doctor", "--env", "staging"); r.code != 2 || !strings.Contains(r.stderr, "no saved progress") {
		t.Fatalf("doctor in a fresh clone: exit %d\n%s", r.code, r.stderr)
	}
	r := run(t, second, s.Env(), "adopt", "--env", "staging", "--answers", "answers.yaml")
	mustOK(t, r)
	for _, want := range []string{
		"bucket mon-app-media-staging: tagged",
		"iam_user mon-app-staging-s3-user: tagged",
		"sns_topic mon-app-media-staging-alarms: tagged",
		"cloudwatch_alarm mon-app-media-staging-size: tagged",
		"budget s3wizard-s3-monthly: exists",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("adopt did not say %q:\n%s", want, r.stdout)
		}
	}
	if r := run(t, second, s.Env(), "adopt", "--env", "staging", "--answers", "answers.yaml"); r.code != 2 {
		t.Errorf("adopt over saved progress: exit %d, want 2\n%s", r.code, r.stderr)
	}
	noSecretOutsideEnvFile(t, second, readEnv(t, second)["AWS_SECRET_ACCESS_KEY"])

	mustOK(t, run(t, second, s.Env(), "check", "--env", "staging"))
	mustOK(t, run(t, second, s.Env(), "doctor", "--env", "staging"))
	d := run(t, second, s.Env(), "docs", "--env", "staging", "-o", "-")
	mustOK(t, d)
	for _, want := range []string{"s3wizard adopt --env staging --answers", ".s3wizard/django_settings.py"} {
		if !strings.Contains(d.stdout, want) {
			t.Errorf("the hand-off document does not give the teammate path (%q)", want)
		}
	}
	if sec := readEnv(t, second)["AWS_SECRET_ACCESS_KEY"]; sec == "" || strings.Contains(d.stdout, sec) {
		t.Error("the hand-off document holds the secret (or the env file none)")
	}
	noSecretOutsideEnvFile(t, second, readEnv(t, second)["AWS_SECRET_ACCESS_KEY"])

	old := readEnv(t, second)["AWS_ACCESS_KEY_ID"]
	mustOK(t, run(t, second, s.Env(), "rotate-keys", "--env", "staging", "--yes"))
	now := readEnv(t, second)["AWS_ACCESS_KEY_ID"]
	if st := keyStatuses(t, s); now == old || len(st) != 1 || st[now] != "Active" {
		t.Errorf("keys after the teammate's rotation: %v (old %s, env file %s)", st, old, now)
	}
	noSecretOutsideEnvFile(t, second, readEnv(t, second)["AWS_SECRET_ACCESS_KEY"])

	secret := readEnv(t, second)["AWS_SECRET_ACCESS_KEY"]
	de := runWithInput(t, second, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging")
	mustOK(t, de)
	// The list destroy asks to confirm names the alarm the first directory
	// made (adopt recorded it by its tags), and destroy deletes it.
	if list, _, _ := strings.Cut(de.stdout+de.stderr, "Type the bucket name"); !strings.Contains(list, "CloudWatch alarm mon-app-media-staging-size") {
		t.Errorf("the teammate's destroy list does not name the size alarm:\n%s", list)
	}
	ctx := context.Background()
	s.Use(t)
	cl, err := aws.New(ctx, aws.Options{Region: "eu-west-3"}) // CloudWatch as the wizard speaks it to moto
	if err != nil {
		t.Fatal(err)
	}
	alarms, err := cl.CloudWatchIn("eu-west-3").DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: sdk.String("mon-app-media-staging-")})
	if err != nil {
		t.Fatal(err)
	}
	if len(alarms.MetricAlarms) != 0 {
		t.Errorf("%d alarm(s) survived the teammate's destroy\n%s", len(alarms.MetricAlarms), de.stderr)
	}
	if _, err := s3.NewFromConfig(s.AWSConfig(t, "eu-west-3")).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String("mon-app-media-staging")}); err == nil {
		t.Error("the bucket survived the teammate's destroy")
	}
	if _, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).GetUser(ctx, &iam.GetUserInput{UserName: sdk.String("mon-app-staging-s3-user")}); err == nil {
		t.Error("the IAM user survived the teammate's destroy")
	}
	topic := "arn:aws:sns:eu-west-3:" + motoserver.AccountID + ":mon-app-media-staging-alarms"
	if _, err := sns.NewFromConfig(s.AWSConfig(t, "eu-west-3")).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic}); err == nil {
		t.Error("the alarm topic survived the teammate's destroy")
	}
	// The budget carries no tag the wizard reads: nothing proves it is this
	// project's, so the teammate keeps it (the first directory made it and
	// deletes it).
	if _, err := budgets.NewFromConfig(s.AWSConfig(t, "us-east-1")).DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: sdk.String(motoserver.AccountID), BudgetName: sdk.String("s3wizard-s3-monthly")}); err != nil {
		t.Errorf("the account's budget, not proven this project's, was deleted by the teammate: %v\n%s", err, de.stderr)
	}
	noSecretOutsideEnvFile(t, second, secret)
}

// noSecretOutsideEnvFile fails when a file of dir (a git work tree) that git
// does not ignore holds secret (the env file's).
func noSecretOutsideEnvFile(t *testing.T, dir, secret string) {
	t.Helper()
	if secret == "" {
		t.Fatal("no secret in the env file")
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, string(filepath.Separator)+".git"+string(filepath.Separator)) {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), secret) {
			if out, cerr := exec.Command("git", "-C", dir, "check-ignore", "-q", path).CombinedOutput(); cerr != nil {
				t.Errorf("%s holds the secret and git does not ignore it (%v %s)", path, cerr, out)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
