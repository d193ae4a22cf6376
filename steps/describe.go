package steps

import "github.com/s3wizard/s3wizard/config"

// DescribeAlarms are the wanted CloudWatch alarms, for people, as the
// monitoring step's checks describe them ("BucketSizeBytes > 50 GiB").
func DescribeAlarms(a *config.Answers) []string {
	var out []string
	for _, in := range WantedAlarms(a) {
		out = append(out, deref(in.MetricName)+" > "+alarmThreshold(in))
	}
	return out
}
