package cli_test

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// TestTwoProjectsInOneAccountStayApart (issue 17 item 9, the attack
// "two projects in one account"): a second project with the default names
// is killed right after its key is created and resumed (its orphan sweep
// must not touch the first project's key); a third project naming the
// first's bucket is refused with the owner named before anything is
// created; the second project's destroy then leaves every resource of the
// first (bucket, user and key, alarm topic, the account's budget it made)
// and the first's check still passes.
func TestTwoProjectsInOneAccountStayApart(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	first := project(t, teammateAnswers)
	mustOK(t, apply(t, first, s.Env()))
	firstKey := readEnv(t, first)["AWS_ACCESS_KEY_ID"]

	second := project(t, strings.Replace(teammateAnswers, "app: mon-app", "app: other-app", 1))
	if r := apply(t, second, append(s.Env(), "S3WIZARD_CRASH_AFTER=CreateAccessKey")); r.code == 0 {
		t.Fatalf("the simulated crash did not happen:\n%s", r.stderr)
	}
	mustOK(t, apply(t, second, s.Env()))
	if keys := userKeys(t, s, "mon-app-staging-s3-user"); len(keys) != 1 || keys[0] != firstKey {
		t.Fatalf("the first project's keys after the second's crash recovery: %v, want [%s]", keys, firstKey)
	}

	third := project(t, strings.Replace(teammateAnswers, "app: mon-app", "app: third-app\nbucket: mon-app-media-staging", 1))
	r := apply(t, third, s.Env())
	if r.code == 0 || !strings.Contains(r.stderr, `project "mon-app"`) {
		t.Errorf("a third project on the first's bucket: exit %d, want a refusal naming mon-app\n%s", r.code, r.stderr)
	}
	if _, err := iam.NewFromConfig(s.AWSConfig(t, "us-east-1")).GetUser(ctx, &iam.GetUserInput{UserName: sdk.String("third-app-staging-s3-user")}); err == nil {
		t.Errorf("the refused third project still created its IAM user:\n%s", r.stderr)
	}

	mustOK(t, runWithInput(t, second, s.Env(), "other-app-media-staging\n", "destroy", "--env", "staging"))

	if _, err := s3.NewFromConfig(s.AWSConfig(t, "eu-west-3")).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String("mon-app-media-staging")}); err != nil {
		t.Errorf("the first project's bucket: %v", err)
	}
	if keys := userKeys(t, s, "mon-app-staging-s3-user"); len(keys) != 1 || keys[0] != firstKey {
		t.Errorf("the first project's keys after the second's destroy: %v", keys)
	}
	topic := "arn:aws:sns:eu-west-3:" + motoserver.AccountID + ":mon-app-media-staging-alarms"
	if _, err := sns.NewFromConfig(s.AWSConfig(t, "eu-west-3")).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic}); err != nil {
		t.Errorf("the first project's alarm topic: %v", err)
	}
	budget := func() error {
		_, err := budgets.NewFromConfig(s.AWSConfig(t, "us-east-1")).DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: sdk.String(motoserver.AccountID), BudgetName: sdk.String("s3wizard-s3-monthly")})
		return err
	}
	if err := budget(); err != nil {
		t.Errorf("the budget the first project made, after the second's destroy: %v", err)
	}
	mustOK(t, run(t, first, s.Env(), "check", "--env", "staging"))

	mustOK(t, runWithInput(t, first, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging"))
	if budget() == nil {
		t.Error("the first project's destroy kept the budget it made")
	}
}
