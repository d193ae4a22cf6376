// Package testrun builds steps.Run values for tests against a real moto, the
// way `s3wizard apply` assembles them, so every test starts from the same
// wiring.
package testrun

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/statetest"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Answers parses an answers file's text, fills the defaults and validates.
func Answers(tb testing.TB, yaml string) *config.Answers {
	tb.Helper()
	a, err := config.Parse([]byte(yaml))
	if err != nil {
		tb.Fatal(err)
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		tb.Fatal(err)
	}
	return a
}

// New builds a Run for a in project dir, with the progress lock taken and
// released when the test ends. The SDK is configured from the environment
// (see motoserver.Server.Use). report may be nil.
func New(tb testing.TB, dir string, a *config.Answers, report func(steps.Event)) *steps.Run {
	tb.Helper()
	cl, err := aws.New(context.Background(), aws.Options{Region: a.Region})
	if err != nil {
		tb.Fatal(err)
	}
	if report == nil {
		report = func(steps.Event) {}
	}
	return &steps.Run{Dir: dir, Answers: a, State: statetest.Open(tb, dir, a.Env), AWS: cl, Now: time.Now, Report: report}
}

// FakeAccount is the account a Run on fakes (OnFakes) is identified as.
const FakeAccount = "111122223333"

// OnFakes builds a Run for a in a fresh project directory on the clients
// cl (fakes, see internal/awsfake), identified as FakeAccount, with the
// progress lock taken and released when the test ends.
func OnFakes(tb testing.TB, a *config.Answers, cl *aws.Clients) *steps.Run {
	tb.Helper()
	if cl.Region == "" {
		cl.Region = a.Region
	}
	dir := tb.TempDir()
	return &steps.Run{Dir: dir, Answers: a, State: statetest.Open(tb, dir, a.Env), AWS: cl, Account: FakeAccount, Now: time.Now, Report: func(steps.Event) {}}
}

// OnMoto points the SDK at the moto server s (see motoserver.Server.Use) and
// builds a Run for a in a fresh project directory.
func OnMoto(tb testing.TB, s *motoserver.Server, a *config.Answers) *steps.Run {
	tb.Helper()
	s.Use(tb)
	return New(tb, tb.TempDir(), a, nil)
}

// SaveAnswers records a as env a.Env's saved progress in dir, as an earlier
// apply would have: the day-2 commands (check, migrate-media…) start there.
func SaveAnswers(tb testing.TB, dir string, a *config.Answers) {
	tb.Helper()
	p, err := state.Open(dir, a.Env)
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	if err := p.Update(func(p *state.Progress) { p.SetAnswers(a) }); err != nil {
		tb.Fatal(err)
	}
}

// Apply applies the steps ids in order with steps.ApplyStep, failing the
// test on an error or a failed check, and returns their plans.
func Apply(tb testing.TB, r *steps.Run, ids ...string) map[string]*steps.Plan {
	tb.Helper()
	plans := map[string]*steps.Plan{}
	for _, id := range ids {
		s := steps.Find(steps.All(), id)
		if s == nil {
			tb.Fatalf("no step %q in steps.All()", id)
		}
		p, checks, err := steps.ApplyStep(context.Background(), r, s)
		if err != nil {
			tb.Fatalf("apply %s: %v (checks %+v)", id, err, checks)
		}
		for _, c := range checks {
			if !c.OK {
				tb.Fatalf("%s: check %s failed: %s", id, c.Name, c.Detail)
			}
		}
		plans[id] = p
	}
	return plans
}

// Budgets lists the account's AWS Budgets (moto's account), as a test reads
// them back.
func Budgets(tb testing.TB, r *steps.Run) []btypes.Budget {
	tb.Helper()
	out, err := budgets.NewFromConfig(r.AWS.Cfg, func(o *budgets.Options) { o.Region = "us-east-1" }).DescribeBudgets(context.Background(), &budgets.DescribeBudgetsInput{AccountId: sdk.String(motoserver.AccountID)})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Budgets
}

// Alarms are the CloudWatch alarms in the run's region, by name.
func Alarms(tb testing.TB, r *steps.Run) map[string]cwtypes.MetricAlarm {
	tb.Helper()
	out, err := steps.CloudWatchClient(r).DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{})
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]cwtypes.MetricAlarm{}
	for _, a := range out.MetricAlarms {
		m[sdk.ToString(a.AlarmName)] = a
	}
	return m
}

// OthersTags are tag sets that claim a resource for someone other than env
// staging of project mon-app, each with the owner as the wizard's refusal
// names it.
var OthersTags = []struct {
	Name, Owner string
	Tags        map[string]string
}{
	{"another project's", `project "blog"`, map[string]string{steps.TagProject: "blog", steps.TagEnv: "staging", steps.TagManagedBy: steps.TagManager}},
	{"another env's", `env "prod"`, map[string]string{steps.TagProject: "mon-app", steps.TagEnv: "prod", steps.TagManagedBy: steps.TagManager}},
}

// SomeonesAlarm puts the alarm name (objects > 10) as someone other than
// this env's wizard did, with tags (none when nil), replacing any alarm of
// that name.
func SomeonesAlarm(tb testing.TB, r *steps.Run, name string, tags map[string]string) {
	tb.Helper()
	ctx := context.Background()
	cw := steps.CloudWatchClient(r)
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}}); err != nil {
		tb.Fatal(err)
	}
	in := &cloudwatch.PutMetricAlarmInput{AlarmName: sdk.String(name), Namespace: sdk.String("AWS/S3"), MetricName: sdk.String("NumberOfObjects"),
		Statistic: cwtypes.StatisticAverage, Period: sdk.Int32(86400), EvaluationPeriods: sdk.Int32(1), Threshold: sdk.Float64(10),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		in.Tags = append(in.Tags, cwtypes.Tag{Key: sdk.String(k), Value: sdk.String(tags[k])})
	}
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		tb.Fatal(err)
	}
}

// Bucket creates bucket name in the run's region, as someone else did
// before the wizard, with tags (none when nil).
func Bucket(tb testing.TB, r *steps.Run, name string, tags map[string]string) {
	tb.Helper()
	ctx := context.Background()
	cl := r.AWS.S3In(r.Answers.Region)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(r.Answers.Region)}}); err != nil {
		tb.Fatal(err)
	}
	if len(tags) == 0 {
		return
	}
	var set []s3types.Tag
	for k, v := range tags {
		set = append(set, s3types.Tag{Key: sdk.String(k), Value: sdk.String(v)})
	}
	if _, err := cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &name, Tagging: &s3types.Tagging{TagSet: set}}); err != nil {
		tb.Fatal(err)
	}
}

// WithoutVerify is step id without its live verification (which signs in
// with the env file's key: tested against moto).
func WithoutVerify(id string) *steps.Step {
	s := *steps.Find(steps.All(), id)
	s.Verify = nil
	return &s
}

// Plan plans step id on r, failing the test on an error.
func Plan(tb testing.TB, r *steps.Run, id string) *steps.Plan {
	tb.Helper()
	p, err := steps.Find(steps.All(), id).Plan(context.Background(), r)
	if err != nil {
		tb.Fatalf("plan %s: %v", id, err)
	}
	return p
}
