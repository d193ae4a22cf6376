package steps

import (
	"context"
	"errors"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// AlarmTopicName is the SNS topic, in the bucket's region, that the
// bucket's alarms notify. SNS topic names allow only letters, digits, "-"
// and "_" (1-256 characters), bucket names also dots: a dot becomes "_",
// which no bucket name holds, so two buckets never share a topic. A bucket
// without dots keeps the name of earlier versions (<bucket>-alarms), so
// the topics they made are still found (a dotted bucket never had one: SNS
// refused the name).
func AlarmTopicName(bucket string) string {
	return strings.ReplaceAll(bucket, ".", "_") + "-alarms"
}

// AlarmTopicARN is the topic's ARN (SNS names topics by account, region
// and name, so CreateTopic by name is idempotent).
func AlarmTopicARN(a *config.Answers, account string) string {
	return "arn:aws:sns:" + a.Region + ":" + account + ":" + AlarmTopicName(a.Bucket)
}

// AlarmEmail is who the alarms email: alarms.email, else budget.email.
func AlarmEmail(a *config.Answers) string {
	if a.Alarms.Email != "" {
		return a.Alarms.Email
	}
	return a.Budget.Email
}

// Progress resources of the alarm topic.
const (
	// AlarmEmailPendingResource is the email whose subscription waits for
	// its confirmation click ("" once confirmed), as last seen live.
	AlarmEmailPendingResource = "alarm_email_pending"
)

// pendingConfirmation is the SubscriptionArn SNS lists for an email
// subscription not yet confirmed.
const pendingConfirmation = "PendingConfirmation"

// emailSubscription finds email among a topic's subscriptions: found, and
// whether it still waits for its confirmation. moto confirms email
// subscriptions at once, so the pending case is unit-tested.
func emailSubscription(subs []snstypes.Subscription, email string) (found, pending bool) {
	for _, s := range subs {
		if sdk.ToString(s.Protocol) == "email" && strings.EqualFold(sdk.ToString(s.Endpoint), email) {
			arn := sdk.ToString(s.SubscriptionArn)
			if arn == pendingConfirmation || strings.EqualFold(arn, "pending confirmation") {
				pending = true
				found = true
				continue
			}
			return true, false
		}
	}
	return found, pending
}

// alarmTopic reads the topic and its email subscription.
func alarmTopic(ctx context.Context, r *Run, arn, email string) (exists, subscribed, pending bool, err error) {
	cl := r.AWS.SNSIn(r.Answers.Region)
	// The first page of subscriptions is asked for with the topic (one
	// round trip); it counts only if the topic exists.
	firstPage := async(func() (*sns.ListSubscriptionsByTopicOutput, error) {
		return cl.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &arn})
	})
	if _, err := cl.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn}); err != nil {
		_, _ = firstPage()
		if aws.IsNotFound(err) || errors.Is(err, aws.ErrOffline) {
			return false, false, false, nil
		}
		return false, false, false, err
	}
	var subs []snstypes.Subscription
	var next *string
	for {
		page := firstPage
		if next != nil {
			page = func() (*sns.ListSubscriptionsByTopicOutput, error) {
				return cl.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &arn, NextToken: next})
			}
		}
		out, err := page()
		if err != nil {
			return true, false, false, err
		}
		subs = append(subs, out.Subscriptions...)
		if next = out.NextToken; next == nil || *next == "" {
			break
		}
	}
	subscribed, pending = emailSubscription(subs, email)
	return true, subscribed, pending, nil
}

// AlarmTopicTags are the tags of the alarm topic arn (which exists): the
// evidence of whose it is, read by the plan and by adopt.
func AlarmTopicTags(ctx context.Context, r *Run, arn string) (map[string]string, error) {
	out, err := r.AWS.SNSIn(r.Answers.Region).ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil {
		return nil, err
	}
	return tagMap(out.Tags, func(t snstypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
}

// AlarmConfirmationPending says, from the progress file, which email must
// still confirm the alarm subscription ("" when none): status shows it.
func AlarmConfirmationPending(p *state.Progress) string {
	return p.Resource(AlarmEmailPendingResource)
}

// verifyAlarmTopic checks the alarms' topic and its email subscription, and
// records a pending confirmation for status and the hand-off document. A
// subscription waiting for its click passes (the wizard cannot click it) but
// says so.
func verifyAlarmTopic(ctx context.Context, r *Run, topic, email string) Check {
	name := "alarm emails via SNS topic " + AlarmTopicName(r.Answers.Bucket)
	exists, subscribed, pending, err := alarmTopic(ctx, r, topic, email)
	if r.State != nil && err == nil && exists {
		v := ""
		if pending {
			v = email
		}
		r.State.SetResource(AlarmEmailPendingResource, v)
	}
	switch {
	case err != nil:
		return Fail(CheckAlarmNotify, name, aws.Explain(err).Error())
	case !exists:
		return Fail(CheckAlarmNotify, name, "the topic is missing: run apply")
	case !subscribed:
		return Fail(CheckAlarmNotify, name, email+" is not subscribed: run apply")
	case pending:
		return Pass(CheckAlarmNotify, name, "PENDING CONFIRMATION: "+email+" must click the link in the email from AWS Notifications; until then alarms email nobody")
	}
	return Pass(CheckAlarmNotify, name, email+" subscribed and confirmed")
}

// snsTags are ownerTags for SNS's CreateTopic.
func snsTags(a *config.Answers) []snstypes.Tag {
	return ownerTagList(a, func(k, v *string) snstypes.Tag { return snstypes.Tag{Key: k, Value: v} })
}

// DeleteAlarmTopic (used by destroy, whose inventory decided it goes)
// deletes the env's alarm topic with its subscriptions and forgets it.
func DeleteAlarmTopic(ctx context.Context, r *Run) error {
	a := r.Answers
	acct, _ := r.Identity()
	if acct == "" {
		return errAccountUnknown
	}
	arn := AlarmTopicARN(a, acct)
	_, err := r.AWS.SNSIn(a.Region).DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &arn})
	if err == nil || aws.IsNotFound(err) {
		r.State.ForgetOwnership(state.KindSNSTopic, AlarmTopicName(a.Bucket))
		r.State.SetResource(AlarmEmailPendingResource, "")
	}
	return err
}
