package steps

import (
	"context"
	"errors"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// monitoringStep sets the CloudWatch alarms, the optional request metrics and
// the monthly AWS Budgets cost budget.
func monitoringStep() *Step {
	return &Step{
		// AWS-only or provider-specific: see ProviderSkips.
		Enabled: notCompatible,
		ID:      "monitoring",
		Title:   "Monitoring and cost alerts: CloudWatch alarms, AWS Budgets",
		Guide:   "French guide §8.1–8.2",
		Why:     "Know when the bucket grows or the bill climbs before the invoice tells you: alarms on the bucket's size and object count (daily metrics, free), and a monthly cost budget that emails you at a threshold. The alarms email alarms.email (default budget.email) through an SNS topic in the bucket's region; AWS sends a confirmation link first, and no alarm email goes out until it is clicked. The size alarm adds up every storage class in use (an archive tier moves bytes out of S3 Standard). The budget covers the S3 costs of the whole AWS account (storage, requests, data transfer of every bucket; other services, credits and refunds are excluded): there is one per account, shared by every env and project in it; the env that made it sets its amount and email, and only its project deletes it.",
		Departures: []string{
			"The guide suggests request metrics for monitoring; they are billed per metric per month (CloudWatch custom-metric pricing), so the wizard makes them opt-in and alarms on the free daily storage metrics by default.",
		},
		Keys:   []string{"alarms", "budget"},
		Needs:  []string{"bucket"},
		Plan:   planMonitoring,
		Verify: verifyMonitoring,
	}
}

// CloudWatchClient returns the run's CloudWatch client for the bucket's
// region: S3 publishes a bucket's metrics only there, and alarms must live
// beside them.
func CloudWatchClient(r *Run) aws.CloudWatchAPI {
	return r.AWS.CloudWatchIn(r.Answers.Region)
}

func planMonitoring(ctx context.Context, r *Run) (*Plan, error) {
	// Alarms, request metrics and the budget are read at once.
	p := &Plan{Concurrent: true}
	if err := planParts(p,
		func(p *Plan) error { return planAlarms(ctx, r, p) },
		func(p *Plan) error { return planRequestMetrics(ctx, r, p) },
		func(p *Plan) error { return planBudget(ctx, r, p) },
	); err != nil {
		return nil, err
	}
	if p.Empty() {
		p.Notice("alarms, request metrics and budget are as wanted")
	}
	return p, nil
}

// ---- verification ---------------------------------------------------------

func verifyMonitoring(ctx context.Context, r *Run) []Check {
	a := r.Answers
	want := WantedAlarms(a)
	topic, email := "", AlarmEmail(a)
	if len(want) > 0 && email != "" {
		topic = AlarmTopicARN(a, r.AccountID())
	}
	// Every read goes out at once; the checks below take the answers.
	live := readMonitoring(ctx, r, want, topic, email)
	var checks []Check
	if live.topicCheck != nil {
		c, _ := live.topicCheck()
		checks = append(checks, c)
	}
	if live.alarms != nil {
		checks = append(checks, alarmChecks(ctx, r, want, topic, live.alarms)...)
	}
	if live.metrics != nil {
		checks = append(checks, requestMetricsCheck(live.metrics))
	}
	if live.budget != nil {
		checks = append(checks, budgetChecks(r, live.budget, live.notifications)...)
	}
	return checks
}

// monitoringReads are the reads of verifyMonitoring, sent together; each
// is nil when the answers ask for no such check.
type monitoringReads struct {
	topicCheck    func() (Check, error)
	alarms        func() (map[string]cwtypes.MetricAlarm, error)
	metrics       func() (*s3.GetBucketMetricsConfigurationOutput, error)
	budget        func() (*budgets.DescribeBudgetOutput, error)
	notifications func() (*budgets.DescribeNotificationsForBudgetOutput, error)
}

// readMonitoring sends the reads the monitoring checks need.
func readMonitoring(ctx context.Context, r *Run, want []cloudwatch.PutMetricAlarmInput, topic, email string) monitoringReads {
	a := r.Answers
	acct, name := r.AccountID(), BudgetName
	var live monitoringReads
	if topic != "" {
		live.topicCheck = async(func() (Check, error) { return verifyAlarmTopic(ctx, r, topic, email), nil })
	}
	if len(want) > 0 {
		live.alarms = async(func() (map[string]cwtypes.MetricAlarm, error) { return liveAlarms(ctx, CloudWatchClient(r), a.Bucket) })
	}
	if a.Alarms.RequestMetrics {
		live.metrics = async(func() (*s3.GetBucketMetricsConfigurationOutput, error) {
			return r.AWS.S3In(a.Region).GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: &a.Bucket, Id: sdk.String(requestMetricsID)})
		})
	}
	if a.Budget.MonthlyUSD > 0 {
		live.budget = async(func() (*budgets.DescribeBudgetOutput, error) {
			return r.AWS.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &acct, BudgetName: &name})
		})
		live.notifications = async(func() (*budgets.DescribeNotificationsForBudgetOutput, error) {
			return r.AWS.Budgets.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: &acct, BudgetName: &name})
		})
	}
	return live
}

// alarmChecks checks each wanted alarm against the live ones.
func alarmChecks(ctx context.Context, r *Run, want []cloudwatch.PutMetricAlarmInput, topic string, alarms func() (map[string]cwtypes.MetricAlarm, error)) []Check {
	var checks []Check
	live, err := alarms()
	for _, in := range want {
		name := "CloudWatch alarm " + sdk.ToString(in.AlarmName)
		cur, ok := live[sdk.ToString(in.AlarmName)]
		switch {
		case err != nil:
			checks = append(checks, Fail(CheckAlarm, name, aws.Explain(err).Error()))
		case !ok:
			checks = append(checks, Fail(CheckAlarm, name, "missing"))
		case !sameAlarm(cur, in, topic):
			checks = append(checks, Fail(CheckAlarm, name, alarmDrift(ctx, r, cur)))
		default:
			checks = append(checks, Pass(CheckAlarm, name, AlarmCondition(in)+notifySuffix(topic)))
		}
	}
	return checks
}

// alarmDrift says what to do about cur, an alarm under a wanted name that
// differs from the wanted one: apply sets it, unless its tags claim it for
// another project or env (apply refuses it, as the check says). Only an
// alarm this env has no record of costs a read of its tags.
func alarmDrift(ctx context.Context, r *Run, cur cwtypes.MetricAlarm) string {
	drift := "differs from the wanted alarm (or does not notify " + AlarmTopicName(r.Answers.Bucket) + "): run apply"
	if _, recorded := r.ownership(state.KindAlarm, sdk.ToString(cur.AlarmName)); recorded {
		return drift
	}
	tags, err := AlarmTags(ctx, CloudWatchClient(r), cur.AlarmArn)
	if err != nil {
		return drift + " (its tags, which say whose it is, could not be read: " + aws.Explain(err).Error() + ")"
	}
	if refusal := alarmRefusal(r.Answers, "it", tags); refusal != nil {
		return refusal.Error()
	}
	return drift
}

func requestMetricsCheck(metrics func() (*s3.GetBucketMetricsConfigurationOutput, error)) Check {
	out, err := metrics()
	switch {
	case err != nil:
		return Fail(CheckRequestMetrics, "request metrics "+requestMetricsID, aws.Explain(err).Error())
	case out.MetricsConfiguration == nil || sdk.ToString(out.MetricsConfiguration.Id) != requestMetricsID:
		return Fail(CheckRequestMetrics, "request metrics "+requestMetricsID, "not configured")
	}
	return Pass(CheckRequestMetrics, "request metrics "+requestMetricsID, "billed per metric per month")
}

// budgetChecks checks the account's budget and, when this env sets it,
// its amount and alert.
func budgetChecks(r *Run, budget func() (*budgets.DescribeBudgetOutput, error), notifications func() (*budgets.DescribeNotificationsForBudgetOutput, error)) []Check {
	a := r.Answers
	name := BudgetName
	if role, setter, _ := budgetOwnership(r); role != budgetSetter {
		// Shared, set by another env, or not this project's: its amount
		// and alert are not this env's to check (no drift to report).
		out, err := budget()
		_, _ = notifications()
		by := "not made by this project: used as it is"
		if role == budgetShared {
			by = "shared, set by env " + setter
		}
		if err != nil {
			return []Check{Fail(CheckBudget, "budget "+name, aws.Explain(err).Error())}
		}
		return []Check{Pass(CheckBudget, "budget "+name, sdk.ToString(out.Budget.BudgetLimit.Amount)+" USD/month ("+by+")")}
	}
	out, err := budget()
	switch {
	case err != nil:
		return []Check{Fail(CheckBudget, "budget "+name, aws.Explain(err).Error())}
	case !sameBudget(out.Budget, wantedBudget(a)):
		return []Check{Fail(CheckBudget, "budget "+name, "differs from the wanted budget: run apply"), budgetAlertCheck(a, notifications)}
	}
	return []Check{Pass(CheckBudget, "budget "+name, sdk.ToString(out.Budget.BudgetLimit.Amount)+" USD/month"), budgetAlertCheck(a, notifications)}
}

// budgetAlertCheck checks that the budget has the wanted alert.
func budgetAlertCheck(a *config.Answers, notifications func() (*budgets.DescribeNotificationsForBudgetOutput, error)) Check {
	nout, err := notifications()
	if err != nil {
		return Fail(CheckBudgetAlert, "budget alert", aws.Explain(err).Error())
	}
	for _, n := range nout.Notifications {
		if sameNotification(n, wantedBudgetNotification(a)) {
			return Pass(CheckBudgetAlert, "budget alert", fmt.Sprintf("actual > %g%% → %s", a.Budget.ThresholdPct, a.Budget.Email))
		}
	}
	return Fail(CheckBudgetAlert, "budget alert", fmt.Sprintf("no alert at %g%% of actual spend", a.Budget.ThresholdPct))
}

// errAccountUnknown stops destroy's deletions that need the account in
// their ARN or request when STS did not answer.
var errAccountUnknown = errors.New("the AWS account is not known (STS did not answer): run destroy again")

// AlarmsTaggedOurs (used by destroy) sorts names, alarms of the bucket
// that no record proves this env's (an env set up before alarms were
// recorded), by their tags: ours are those tagged with this project and
// env; kept says why each other one that exists stays (one that does not
// exist is in neither).
func AlarmsTaggedOurs(ctx context.Context, r *Run, names []string) (ours []string, kept map[string]string, err error) {
	a, cw := r.Answers, CloudWatchClient(r)
	live, err := liveAlarms(ctx, cw, a.Bucket)
	if err != nil {
		return nil, nil, err
	}
	kept = map[string]string{}
	for _, name := range names {
		al, ok := live[name]
		if !ok {
			continue
		}
		tags, err := AlarmTags(ctx, cw, al.AlarmArn)
		if err != nil {
			return nil, nil, fmt.Errorf("tags of CloudWatch alarm %s: %w", name, err)
		}
		owner, env := ForeignOwner(a, tags), OtherEnv(a, tags)
		switch {
		case TaggedOurs(a, tags):
			ours = append(ours, name)
		case owner != "":
			kept[name] = "it belongs to " + owner + " (its " + TagProject + " tag)"
		case env != "":
			kept[name] = fmt.Sprintf("it belongs to env %q (its %s tag)", env, TagEnv)
		default:
			kept[name] = "it carries no tag of this env: nothing proves the wizard made it (delete it in CloudWatch if it is yours)"
		}
	}
	return ours, kept, nil
}

// DeleteAlarms (used by destroy) deletes the alarms named, in the bucket's
// region, and forgets their records: destroy's inventory decides which.
func DeleteAlarms(ctx context.Context, r *Run, names []string) error {
	if len(names) == 0 {
		return nil
	}
	_, err := CloudWatchClient(r).DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: names})
	if err == nil || aws.IsNotFound(err) {
		for _, n := range names {
			r.State.ForgetOwnership(state.KindAlarm, n)
		}
	}
	return err
}
