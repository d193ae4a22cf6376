package steps

import (
	"fmt"

	"github.com/s3wizard/s3wizard/config"
)

// DescribeAlarms are the wanted CloudWatch alarms, for people, as the
// monitoring step's checks describe them ("BucketSizeBytes > 50 GiB").
func DescribeAlarms(a *config.Answers) []string {
	var out []string
	for _, in := range WantedAlarms(a) {
		out = append(out, alarmMetric(in)+" > "+alarmThreshold(in))
	}
	return out
}

// DescribeBudget is the cost budget, for people: what it covers and who it
// emails.
func DescribeBudget(a *config.Answers) string {
	return fmt.Sprintf("%s: %g USD/month on the S3 costs of the whole account (every bucket and env in it; one budget per account, shared by its envs, set by the env that made it), email to %s at %g%%",
		BudgetName, a.Budget.MonthlyUSD, a.Budget.Email, a.Budget.ThresholdPct)
}
