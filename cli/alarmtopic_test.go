package cli_test

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
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

// TestForeignTaggedAlarmTopicRefused (issue 17 item 9): an alarm topic of
// the derived name that another project's tags claim is refused with that
// project named, instead of being recorded as adopted, subscribed to and
// pointed at by this env's alarms; destroy leaves it as it was.
func TestForeignTaggedAlarmTopicRefused(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("eu-west-3"))
	if err != nil {
		t.Fatal(err)
	}
	cl := sns.NewFromConfig(cfg)
	name := "mon-app-media-staging-alarms"
	out, err := cl.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: &name, Tags: []snstypes.Tag{
		{Key: sdk.String("s3wizard:project"), Value: sdk.String("other-app")},
		{Key: sdk.String("s3wizard:env"), Value: sdk.String("prod")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	arn := sdk.ToString(out.TopicArn)
	subscribers := func() int {
		subs, err := cl.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: &arn})
		if err != nil {
			t.Fatalf("the other project's topic: %v", err)
		}
		return len(subs.Subscriptions)
	}

	dir := project(t, stagingAnswers+"alarms: {bucket_size_gb: 5, email: ops@example.com}\nbudget: {monthly_usd: 0}\n")
	r := apply(t, dir, s.Env())
	if r.code == 0 || !strings.Contains(r.stderr, `project "other-app"`) {
		t.Fatalf("apply over another project's alarm topic: exit %d, want a refusal naming it\n%s", r.code, r.stderr)
	}
	if n := subscribers(); n != 0 {
		t.Errorf("the other project's topic got %d subscriptions from this env", n)
	}
	mustOK(t, runWithInput(t, dir, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging"))
	if n := subscribers(); n != 0 {
		t.Errorf("after destroy the other project's topic has %d subscriptions", n)
	}
}
