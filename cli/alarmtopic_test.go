package cli_test

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// TestCrashAfterCreateTopic (issue 8.8): a crash right after the alarm
// topic is created, before anything else is recorded, resumes into the same
// topic (CreateTopic by name is idempotent), and destroy still knows the
// topic is the wizard's and deletes it.
func TestCrashAfterCreateTopic(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, stagingAnswers+"alarms: {bucket_size_gb: 5, email: ops@example.com}\nbudget: {monthly_usd: 0}\n")
	crash := apply(t, dir, append(s.Env(), "S3WIZARD_CRASH_AFTER=CreateTopic"))
	if crash.code == 0 {
		t.Fatalf("the simulated crash did not happen:\n%s", crash.stderr)
	}
	mustOK(t, apply(t, dir, s.Env()))

	s.Use(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("eu-west-3"))
	if err != nil {
		t.Fatal(err)
	}
	cl := sns.NewFromConfig(cfg)
	topics, err := cl.ListTopics(context.Background(), &sns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sns:eu-west-3:" + motoserver.AccountID + ":mon-app-media-staging-alarms"
	if len(topics.Topics) != 1 || sdk.ToString(topics.Topics[0].TopicArn) != arn {
		t.Fatalf("topics after the crash and the resumed apply = %+v, want only %s", topics.Topics, arn)
	}
	subs, err := cl.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: &arn})
	if err != nil || len(subs.Subscriptions) != 1 {
		t.Fatalf("subscriptions = %+v, %v; want ops@example.com once", subs, err)
	}

	mustOK(t, runWithInput(t, dir, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging"))
	if _, err := cl.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: &arn}); err == nil {
		t.Error("the wizard's alarm topic survived destroy")
	}
}
