package steps

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
)

const (
	// RequestMetricsID is the bucket's request-metrics configuration.
	RequestMetricsID = "EntireBucket"
	// storageMetricPeriod: S3 storage metrics are reported once a day.
	storageMetricPeriod = 86400
	gib                 = 1 << 30
	// budgetEmailResource records the email subscribed to the budget alert,
	// for when the subscribers cannot be read back (see budgetSubscriber).
	budgetEmailResource = "budget_email"
)

// SizeAlarmName, ObjectsAlarmName and BudgetName name the wizard's
// monitoring resources.
func SizeAlarmName(bucket string) string    { return bucket + "-size" }
func ObjectsAlarmName(bucket string) string { return bucket + "-objects" }
func BudgetName(bucket string) string       { return bucket + "-monthly" }

// Monitoring sets the CloudWatch alarms, the optional request metrics and
// the monthly AWS Budgets cost budget.
func Monitoring() *Step {
	return &Step{
		// AWS-only or provider-specific: see ProviderSkips.
		Enabled: notCompatible,
		ID:      "monitoring",
		Title:   "Monitoring and cost alerts: CloudWatch alarms, AWS Budgets",
		Guide:   "French guide §8.1–8.2",
		Why:     "Know when the bucket grows or the bill climbs before the invoice tells you: alarms on the bucket's size and object count (daily metrics, free), and a monthly cost budget that emails you at a threshold.",
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
	p := &Plan{Concurrent: true}
	if err := planAlarms(ctx, r, p); err != nil {
		return nil, err
	}
	if err := planRequestMetrics(ctx, r, p); err != nil {
		return nil, err
	}
	if err := planBudget(ctx, r, p); err != nil {
		return nil, err
	}
	if p.Empty() {
		p.Notice("alarms, request metrics and budget are as wanted")
	}
	return p, nil
}

// ---- alarms ---------------------------------------------------------------

// WantedAlarms are the storage alarms for the answers (none for a zero
// threshold).
func WantedAlarms(a *config.Answers) []cloudwatch.PutMetricAlarmInput {
	var out []cloudwatch.PutMetricAlarmInput
	mk := func(name, metric, storageType, desc string, threshold float64) cloudwatch.PutMetricAlarmInput {
		return cloudwatch.PutMetricAlarmInput{
			AlarmName:        sdk.String(name),
			AlarmDescription: sdk.String(desc + " (s3wizard)"),
			Namespace:        sdk.String("AWS/S3"),
			MetricName:       sdk.String(metric),
			Dimensions: []cwtypes.Dimension{
				{Name: sdk.String("BucketName"), Value: sdk.String(a.Bucket)},
				{Name: sdk.String("StorageType"), Value: sdk.String(storageType)},
			},
			Statistic:          cwtypes.StatisticAverage,
			Period:             sdk.Int32(storageMetricPeriod),
			EvaluationPeriods:  sdk.Int32(1),
			Threshold:          sdk.Float64(threshold),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
			// A new or empty bucket has no datapoint yet: that is not an alarm.
			TreatMissingData: sdk.String("notBreaching"),
		}
	}
	if a.Alarms.BucketSizeGB > 0 {
		out = append(out, mk(SizeAlarmName(a.Bucket), "BucketSizeBytes", "StandardStorage",
			fmt.Sprintf("%s holds more than %g GiB in S3 Standard", a.Bucket, a.Alarms.BucketSizeGB),
			math.Round(a.Alarms.BucketSizeGB*gib)))
	}
	if a.Alarms.NumberOfObjects > 0 {
		out = append(out, mk(ObjectsAlarmName(a.Bucket), "NumberOfObjects", "AllStorageTypes",
			fmt.Sprintf("%s holds more than %d objects", a.Bucket, a.Alarms.NumberOfObjects),
			float64(a.Alarms.NumberOfObjects)))
	}
	return out
}

func liveAlarms(ctx context.Context, cw aws.CloudWatchAPI, bucket string) (map[string]cwtypes.MetricAlarm, error) {
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{
		AlarmNames: []string{SizeAlarmName(bucket), ObjectsAlarmName(bucket)},
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
	})
	if err != nil {
		// DescribeAlarms never answers "not found": only an offline plan
		// (no credentials) may go on as if there were no alarm.
		if errors.Is(err, aws.ErrOffline) {
			return map[string]cwtypes.MetricAlarm{}, nil
		}
		return nil, err
	}
	m := map[string]cwtypes.MetricAlarm{}
	for _, al := range out.MetricAlarms {
		m[deref(al.AlarmName)] = al
	}
	return m, nil
}

func sameAlarm(live cwtypes.MetricAlarm, want cloudwatch.PutMetricAlarmInput) bool {
	return deref(live.Namespace) == deref(want.Namespace) &&
		deref(live.MetricName) == deref(want.MetricName) &&
		dims(live.Dimensions) == dims(want.Dimensions) &&
		live.Statistic == want.Statistic &&
		sdk.ToInt32(live.Period) == sdk.ToInt32(want.Period) &&
		sdk.ToInt32(live.EvaluationPeriods) == sdk.ToInt32(want.EvaluationPeriods) &&
		sdk.ToFloat64(live.Threshold) == sdk.ToFloat64(want.Threshold) &&
		live.ComparisonOperator == want.ComparisonOperator &&
		deref(live.TreatMissingData) == deref(want.TreatMissingData)
}

func dims(ds []cwtypes.Dimension) string {
	var s []string
	for _, d := range ds {
		s = append(s, deref(d.Name)+"="+deref(d.Value))
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func planAlarms(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cw := CloudWatchClient(r)
	want := WantedAlarms(a)
	if len(want) > 0 {
		p.Notice("BucketSizeBytes and NumberOfObjects are S3's daily storage metrics: free, reported once a day (an alarm reacts within a day, not a minute)")
	}
	if a.Alarms.Email != "" && len(want) > 0 {
		p.Notice("alarms.email: alarm notifications need an SNS topic with %s subscribed (and the subscription confirmed from the email); the wizard leaves that as a manual step in the hand-off document and keeps any alarm action you add", a.Alarms.Email)
		p.AddManual("Alarm emails: create an SNS topic (e.g. %s-alarms) in %s, subscribe %s by email and confirm the subscription, then add the topic as the alarm action of %s (CloudWatch → Alarms → Edit → Notification).",
			a.Bucket, a.Region, a.Alarms.Email, strings.Join(alarmNames(want), " and "))
	}
	live, err := liveAlarms(ctx, cw, a.Bucket)
	if err != nil {
		return fmt.Errorf("read CloudWatch alarms of %s: %w", a.Bucket, err)
	}
	wanted := map[string]bool{}
	for _, in := range want {
		name := deref(in.AlarmName)
		wanted[name] = true
		cur, exists := live[name]
		if exists && sameAlarm(cur, in) {
			continue
		}
		in := in
		if exists {
			// PutMetricAlarm replaces the whole alarm: keep the actions the
			// user added (the SNS topic of the manual step).
			in.AlarmActions, in.OKActions, in.InsufficientDataActions = cur.AlarmActions, cur.OKActions, cur.InsufficientDataActions
		}
		verb := "create"
		if exists {
			verb = "update"
		}
		p.Add(&Action{Summary: fmt.Sprintf("%s CloudWatch alarm %s (%s > %s, daily)", verb, name, deref(in.MetricName), alarmThreshold(in)),
			Calls: []string{"cloudwatch:PutMetricAlarm"},
			Do: func(ctx context.Context) error {
				_, err := cw.PutMetricAlarm(ctx, &in)
				return err
			}})
	}
	for name := range live {
		if wanted[name] {
			continue
		}
		name := name
		p.Add(&Action{Summary: "delete CloudWatch alarm " + name + " (its threshold is now 0)", Calls: []string{"cloudwatch:DeleteAlarms"},
			Do: func(ctx context.Context) error {
				_, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}})
				if aws.IsNotFound(err) {
					return nil
				}
				return err
			}})
	}
	return nil
}

func alarmNames(in []cloudwatch.PutMetricAlarmInput) []string {
	var s []string
	for _, a := range in {
		s = append(s, deref(a.AlarmName))
	}
	return s
}

func alarmThreshold(in cloudwatch.PutMetricAlarmInput) string {
	t := sdk.ToFloat64(in.Threshold)
	if deref(in.MetricName) == "BucketSizeBytes" {
		return fmt.Sprintf("%g GiB", t/gib)
	}
	return strconv.FormatFloat(t, 'f', -1, 64) + " objects"
}

// ---- request metrics ------------------------------------------------------

func planRequestMetrics(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	out, err := cl.GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: &a.Bucket, Id: sdk.String(RequestMetricsID)})
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read request metrics of %s: %w", a.Bucket, err)
	}
	// An emulator may answer 200 with an empty configuration: only one
	// carrying our ID counts as present.
	exists := err == nil && out.MetricsConfiguration != nil && deref(out.MetricsConfiguration.Id) == RequestMetricsID
	whole := exists && out.MetricsConfiguration.Filter == nil
	bucket := a.Bucket
	if !a.Alarms.RequestMetrics {
		if exists {
			p.Notice("alarms.request_metrics: false: the request-metrics configuration %s is removed (request metrics are billed per metric per month)", RequestMetricsID)
			p.Add(&Action{Summary: "remove request metrics " + RequestMetricsID + " of " + bucket, Calls: []string{"s3:DeleteBucketMetricsConfiguration"},
				Do: func(ctx context.Context) error {
					_, err := cl.DeleteBucketMetricsConfiguration(ctx, &s3.DeleteBucketMetricsConfigurationInput{Bucket: &bucket, Id: sdk.String(RequestMetricsID)})
					if aws.IsNotFound(err) {
						return nil
					}
					return err
				}})
		}
		return nil
	}
	p.Notice("request metrics (AllRequests, 4xxErrors, latency…, 1-minute) are billed: CloudWatch custom-metric pricing, billed per metric per month (about $0.30 per metric per month at the first tier), for as long as the configuration exists")
	if whole {
		return nil
	}
	p.Add(&Action{Summary: "request metrics " + RequestMetricsID + " on the whole of " + bucket + " (billed)", Calls: []string{"s3:PutBucketMetricsConfiguration"},
		Do: func(ctx context.Context) error {
			_, err := cl.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: &bucket, Id: sdk.String(RequestMetricsID),
				MetricsConfiguration: &types.MetricsConfiguration{Id: sdk.String(RequestMetricsID)}})
			return err
		}})
	return nil
}

// ---- budget ---------------------------------------------------------------

// WantedBudget is the monthly cost budget for the answers.
func WantedBudget(a *config.Answers) btypes.Budget {
	return btypes.Budget{
		BudgetName: sdk.String(BudgetName(a.Bucket)),
		BudgetType: btypes.BudgetTypeCost,
		TimeUnit:   btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{
			Amount: sdk.String(strconv.FormatFloat(a.Budget.MonthlyUSD, 'f', 2, 64)),
			Unit:   sdk.String("USD"),
		},
	}
}

// WantedBudgetNotification is the budget's alert: actual spend above
// threshold_pct percent of the limit.
func WantedBudgetNotification(a *config.Answers) btypes.Notification {
	return btypes.Notification{
		NotificationType:   btypes.NotificationTypeActual,
		ComparisonOperator: btypes.ComparisonOperatorGreaterThan,
		Threshold:          a.Budget.ThresholdPct,
		ThresholdType:      btypes.ThresholdTypePercentage,
	}
}

func emailSubscriber(email string) btypes.Subscriber {
	return btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeEmail, Address: sdk.String(email)}
}

func sameBudget(live *btypes.Budget, want btypes.Budget) bool {
	if live == nil || live.BudgetLimit == nil || live.BudgetType != want.BudgetType || live.TimeUnit != want.TimeUnit {
		return false
	}
	// AWS renders amounts its own way ("20.0"): compare numbers.
	la, err1 := strconv.ParseFloat(deref(live.BudgetLimit.Amount), 64)
	wa, err2 := strconv.ParseFloat(deref(want.BudgetLimit.Amount), 64)
	return err1 == nil && err2 == nil && la == wa && deref(live.BudgetLimit.Unit) == deref(want.BudgetLimit.Unit)
}

func sameNotification(a, b btypes.Notification) bool {
	return a.NotificationType == b.NotificationType && a.ComparisonOperator == b.ComparisonOperator &&
		a.ThresholdType == b.ThresholdType && a.Threshold == b.Threshold
}

// ours reports whether a notification is of the kind the wizard manages
// (actual spend over a percentage), whatever its threshold.
func oursNotification(n btypes.Notification) bool {
	return n.NotificationType == btypes.NotificationTypeActual && n.ComparisonOperator == btypes.ComparisonOperatorGreaterThan &&
		n.ThresholdType == btypes.ThresholdTypePercentage
}

func planBudget(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	bc := r.AWS.Budgets
	acct := r.AccountID()
	name := BudgetName(a.Bucket)
	out, err := bc.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &acct, BudgetName: &name})
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read budget %s: %w", name, err)
	}
	exists := err == nil && out.Budget != nil

	if a.Budget.MonthlyUSD <= 0 {
		if exists {
			p.Notice("budget.monthly_usd is 0: the budget %s is deleted", name)
			p.Add(&Action{Summary: "delete budget " + name, Calls: []string{"budgets:DeleteBudget"},
				Do: func(ctx context.Context) error {
					_, err := bc.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: &acct, BudgetName: &name})
					if aws.IsNotFound(err) {
						return nil
					}
					return err
				}})
		}
		return nil
	}

	want := WantedBudget(a)
	wantN := WantedBudgetNotification(a)
	email := a.Budget.Email
	p.Notice("AWS Budgets: monthly cost budget %s of %s USD (budgets are in USD), email to %s when actual spend exceeds %g%%", name, deref(want.BudgetLimit.Amount), email, a.Budget.ThresholdPct)
	record := func() {
		if r.State != nil {
			r.State.SetResource(budgetEmailResource, email)
			r.State.SetResource("budget", name)
		}
	}
	if !exists {
		p.Add(&Action{Summary: fmt.Sprintf("create budget %s (%s USD/month, alert at %g%% to %s)", name, deref(want.BudgetLimit.Amount), a.Budget.ThresholdPct, email),
			Calls: []string{"budgets:CreateBudget"},
			Do: func(ctx context.Context) error {
				_, err := bc.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: &acct, Budget: &want,
					NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: &wantN, Subscribers: []btypes.Subscriber{emailSubscriber(email)}}}})
				if aws.IsAlreadyExists(err) {
					return nil
				}
				if err == nil {
					record()
				}
				return err
			}})
		return nil
	}

	// The budget and its notifications are separate resources: update in
	// place, one action running its calls in order.
	var chain []chainStep
	if !sameBudget(out.Budget, want) {
		upd := want
		//lint:ignore SA1019 an existing budget's cost types are kept as the user tuned them
		upd.CostTypes = out.Budget.CostTypes
		chain = append(chain, chainStep{summary: fmt.Sprintf("update budget %s to %s USD/month", name, deref(want.BudgetLimit.Amount)), calls: []string{"budgets:UpdateBudget"},
			do: func(ctx context.Context) error {
				_, err := bc.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: &acct, NewBudget: &upd})
				return err
			}})
	}
	nout, err := bc.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: &acct, BudgetName: &name})
	if err != nil {
		return fmt.Errorf("read notifications of budget %s: %w", name, err)
	}
	found := false
	var stale []btypes.Notification
	for _, n := range nout.Notifications {
		switch {
		case sameNotification(n, wantN):
			found = true
		case oursNotification(n):
			stale = append(stale, n)
		}
	}
	recreate := !found
	if found {
		ok, how := budgetSubscriber(ctx, r, name, wantN, email)
		if how != "" {
			p.Notice("%s", how)
		}
		recreate = !ok
	}
	if recreate {
		// Deleting and re-creating the alert (rather than UpdateNotification
		// and CreateSubscriber) works the same on AWS and on emulators that
		// lack the subscriber APIs, and sets the email in the same call.
		if found {
			stale = append(stale, wantN)
		}
		for _, old := range stale {
			old := btypes.Notification{NotificationType: old.NotificationType, ComparisonOperator: old.ComparisonOperator, Threshold: old.Threshold, ThresholdType: old.ThresholdType}
			chain = append(chain, chainStep{summary: fmt.Sprintf("remove the %g%% alert", old.Threshold), calls: []string{"budgets:DeleteNotification"},
				do: func(ctx context.Context) error {
					_, err := bc.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: &acct, BudgetName: &name, Notification: &old})
					if aws.IsNotFound(err) {
						return nil
					}
					return err
				}})
		}
		chain = append(chain, chainStep{summary: fmt.Sprintf("alert at %g%% of actual spend to %s", a.Budget.ThresholdPct, email), calls: []string{"budgets:CreateNotification"},
			do: func(ctx context.Context) error {
				_, err := bc.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: &acct, BudgetName: &name, Notification: &wantN,
					Subscribers: []btypes.Subscriber{emailSubscriber(email)}})
				if aws.IsAlreadyExists(err) {
					return nil
				}
				return err
			}})
	}
	if len(chain) == 0 {
		p.SetResource(budgetEmailResource, email)
		p.SetResource("budget", name)
		return nil
	}
	var summaries, calls []string
	for _, c := range chain {
		summaries = append(summaries, c.summary)
		calls = append(calls, c.calls...)
	}
	p.Add(&Action{Summary: "budget " + name + ": " + strings.Join(summaries, ", then "), Calls: calls,
		Do: func(ctx context.Context) error {
			for _, c := range chain {
				if err := c.do(ctx); err != nil {
					return fmt.Errorf("%s: %w", c.summary, err)
				}
			}
			record()
			return nil
		}})
	return nil
}

// budgetSubscriber reports whether email is subscribed to the budget's
// alert. It asks DescribeSubscribersForNotification once, without retries:
// some emulators (moto 5.2) do not implement it and answer 500, which the
// SDK would otherwise retry for a long while. When the subscribers cannot
// be read, it compares with the email recorded in the progress file when the
// alert was last set; with no record it assumes the alert is right rather
// than re-creating it on every run. how explains a fallback ("" otherwise).
func budgetSubscriber(ctx context.Context, r *Run, name string, n btypes.Notification, email string) (ok bool, how string) {
	acct := r.AccountID()
	out, err := r.AWS.Budgets.DescribeSubscribersForNotification(ctx, &budgets.DescribeSubscribersForNotificationInput{
		AccountId: &acct, BudgetName: &name, Notification: &n,
	}, func(o *budgets.Options) { o.RetryMaxAttempts = 1 })
	if err == nil {
		for _, s := range out.Subscribers {
			if s.SubscriptionType == btypes.SubscriptionTypeEmail && strings.EqualFold(deref(s.Address), email) {
				return true, ""
			}
		}
		return false, ""
	}
	recorded := ""
	if r.State != nil {
		recorded = r.State.Resource(budgetEmailResource)
	}
	why := FirstLine(aws.Explain(err).Error())
	switch {
	case recorded == "":
		return true, fmt.Sprintf("the budget alert's subscribers could not be read (%s) and none is recorded: assuming %s is subscribed; check it in Billing → Budgets → %s", why, email, name)
	case strings.EqualFold(recorded, email):
		return true, fmt.Sprintf("the budget alert's subscribers could not be read (%s): compared with the email recorded when the alert was set (%s)", why, recorded)
	}
	return false, fmt.Sprintf("the budget alert's subscribers could not be read (%s); it was set for %s, now %s: it is re-created", why, recorded, email)
}

// ---- verification ---------------------------------------------------------

func verifyMonitoring(ctx context.Context, r *Run) []Check {
	a := r.Answers
	var checks []Check
	want := WantedAlarms(a)
	if len(want) > 0 {
		live, err := liveAlarms(ctx, CloudWatchClient(r), a.Bucket)
		for _, in := range want {
			name := "CloudWatch alarm " + deref(in.AlarmName)
			cur, ok := live[deref(in.AlarmName)]
			switch {
			case err != nil:
				checks = append(checks, Fail(CheckAlarm, name, aws.Explain(err).Error()))
			case !ok:
				checks = append(checks, Fail(CheckAlarm, name, "missing"))
			case !sameAlarm(cur, in):
				checks = append(checks, Fail(CheckAlarm, name, "differs from the wanted alarm: run apply"))
			default:
				checks = append(checks, Pass(CheckAlarm, name, deref(in.MetricName)+" > "+alarmThreshold(in)))
			}
		}
	}
	if a.Alarms.RequestMetrics {
		out, err := r.AWS.S3In(a.Region).GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: &a.Bucket, Id: sdk.String(RequestMetricsID)})
		switch {
		case err != nil:
			checks = append(checks, Fail(CheckRequestMetrics, "request metrics "+RequestMetricsID, aws.Explain(err).Error()))
		case out.MetricsConfiguration == nil || deref(out.MetricsConfiguration.Id) != RequestMetricsID:
			checks = append(checks, Fail(CheckRequestMetrics, "request metrics "+RequestMetricsID, "not configured"))
		default:
			checks = append(checks, Pass(CheckRequestMetrics, "request metrics "+RequestMetricsID, "billed per metric per month"))
		}
	}
	if a.Budget.MonthlyUSD > 0 {
		acct := r.AccountID()
		name := BudgetName(a.Bucket)
		out, err := r.AWS.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &acct, BudgetName: &name})
		switch {
		case err != nil:
			checks = append(checks, Fail(CheckBudget, "budget "+name, aws.Explain(err).Error()))
		case !sameBudget(out.Budget, WantedBudget(a)):
			checks = append(checks, Fail(CheckBudget, "budget "+name, "differs from the wanted budget: run apply"))
		default:
			checks = append(checks, Pass(CheckBudget, "budget "+name, deref(out.Budget.BudgetLimit.Amount)+" USD/month"))
		}
		if err == nil {
			nout, err := r.AWS.Budgets.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: &acct, BudgetName: &name})
			found := false
			if err == nil {
				for _, n := range nout.Notifications {
					found = found || sameNotification(n, WantedBudgetNotification(a))
				}
			}
			switch {
			case err != nil:
				checks = append(checks, Fail(CheckBudgetAlert, "budget alert", aws.Explain(err).Error()))
			case !found:
				checks = append(checks, Fail(CheckBudgetAlert, "budget alert", fmt.Sprintf("no alert at %g%% of actual spend", a.Budget.ThresholdPct)))
			default:
				checks = append(checks, Pass(CheckBudgetAlert, "budget alert", fmt.Sprintf("actual > %g%% → %s", a.Budget.ThresholdPct, a.Budget.Email)))
			}
		}
	}
	return checks
}
