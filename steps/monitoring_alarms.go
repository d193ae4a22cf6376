package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

const (
	// storageMetricPeriod: S3 storage metrics are reported once a day.
	storageMetricPeriod = 86400
	gib                 = 1 << 30
)

// SizeAlarmName and ObjectsAlarmName name the wizard's alarms of a bucket.
func SizeAlarmName(bucket string) string    { return bucket + "-size" }
func ObjectsAlarmName(bucket string) string { return bucket + "-objects" }

// AlarmNames are every alarm name the wizard gives a bucket's alarms,
// wanted by the answers or not.
func AlarmNames(bucket string) []string {
	return []string{SizeAlarmName(bucket), ObjectsAlarmName(bucket)}
}

// sizeStorageTypes are the BucketSizeBytes storage types the bucket's bytes
// can be in: S3 reports the size per storage class, so an archive tier
// moves bytes out of StandardStorage, and an alarm on Standard alone would
// not see them. CloudWatch accepts any StorageType value (an alarm on a
// misspelt one just never has data), so every value here is one that
// AWS's "Amazon S3 metrics and dimensions" page lists for BucketSizeBytes
// (docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html,
// "Valid storage type filters"); TestSizeAlarmStorageTypesAreDocumented
// holds the page's list.
func sizeStorageTypes(a *config.Answers) []string {
	out := []string{"StandardStorage"}
	switch a.Lifecycle.ArchiveTier {
	case "INTELLIGENT_TIERING":
		// Frequent, Infrequent and Archive Instant Access tiers (automatic);
		// the opt-in archive tiers are never configured by the wizard.
		out = append(out, "IntelligentTieringFAStorage", "IntelligentTieringIAStorage", "IntelligentTieringAIAStorage")
	case "GLACIER_IR":
		// The objects' bytes, and the bytes billed on top for objects
		// under Glacier IR's 128 KiB minimum billable size.
		out = append(out, "GlacierInstantRetrievalStorage", "GlacierIRSizeOverhead")
	}
	return out
}

// WantedAlarms are the storage alarms for the answers (none for a zero
// threshold), without their actions (planAlarms points them at the topic).
// The size alarm sums BucketSizeBytes over every storage type in use
// (metric math) when an archive tier is on.
func WantedAlarms(a *config.Answers) []cloudwatch.PutMetricAlarmInput {
	var out []cloudwatch.PutMetricAlarmInput
	bucketDim := cwtypes.Dimension{Name: sdk.String("BucketName"), Value: sdk.String(a.Bucket)}
	storageDim := func(t string) cwtypes.Dimension {
		return cwtypes.Dimension{Name: sdk.String("StorageType"), Value: sdk.String(t)}
	}
	mk := func(name, metric, storageType, desc string, threshold float64) cloudwatch.PutMetricAlarmInput {
		return cloudwatch.PutMetricAlarmInput{
			AlarmName:          sdk.String(name),
			AlarmDescription:   sdk.String(desc + " (s3wizard)"),
			Namespace:          sdk.String("AWS/S3"),
			MetricName:         sdk.String(metric),
			Dimensions:         []cwtypes.Dimension{bucketDim, storageDim(storageType)},
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
		types := sizeStorageTypes(a)
		in := mk(SizeAlarmName(a.Bucket), sizeMetric, types[0],
			fmt.Sprintf("%s holds more than %g GiB (%s)", a.Bucket, a.Alarms.BucketSizeGB, strings.Join(types, " + ")),
			math.Round(a.Alarms.BucketSizeGB*gib))
		if len(types) > 1 {
			in.Namespace, in.MetricName, in.Dimensions, in.Statistic, in.Period = nil, nil, nil, "", nil
			for i, t := range types {
				in.Metrics = append(in.Metrics, cwtypes.MetricDataQuery{
					Id: sdk.String(fmt.Sprintf("m%d", i+1)),
					MetricStat: &cwtypes.MetricStat{
						Metric: &cwtypes.Metric{Namespace: sdk.String("AWS/S3"), MetricName: sdk.String(sizeMetric),
							Dimensions: []cwtypes.Dimension{bucketDim, storageDim(t)}},
						Period: sdk.Int32(storageMetricPeriod),
						Stat:   sdk.String(string(cwtypes.StatisticAverage)),
					},
					ReturnData: sdk.Bool(false),
				})
			}
			in.Metrics = append(in.Metrics, cwtypes.MetricDataQuery{Id: sdk.String("total"), Expression: sdk.String("SUM(METRICS())"),
				Label: sdk.String("BucketSizeBytes, every storage class"), ReturnData: sdk.Bool(true)})
		}
		out = append(out, in)
	}
	if a.Alarms.NumberOfObjects > 0 {
		out = append(out, mk(ObjectsAlarmName(a.Bucket), "NumberOfObjects", "AllStorageTypes",
			fmt.Sprintf("%s holds more than %d objects", a.Bucket, a.Alarms.NumberOfObjects),
			float64(a.Alarms.NumberOfObjects)))
	}
	return out
}

const sizeMetric = "BucketSizeBytes"

func liveAlarms(ctx context.Context, cw aws.CloudWatchAPI, bucket string) (map[string]cwtypes.MetricAlarm, error) {
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{
		AlarmNames: AlarmNames(bucket),
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
		m[sdk.ToString(al.AlarmName)] = al
	}
	return m, nil
}

// sameAlarm compares what the wizard sets; topic is the SNS topic the
// alarm must notify ("" when none is wanted).
func sameAlarm(live cwtypes.MetricAlarm, want cloudwatch.PutMetricAlarmInput, topic string) bool {
	return sdk.ToString(live.Namespace) == sdk.ToString(want.Namespace) &&
		sdk.ToString(live.MetricName) == sdk.ToString(want.MetricName) &&
		dims(live.Dimensions) == dims(want.Dimensions) &&
		live.Statistic == want.Statistic &&
		sdk.ToInt32(live.Period) == sdk.ToInt32(want.Period) &&
		sameQueries(live.Metrics, want.Metrics) &&
		sdk.ToInt32(live.EvaluationPeriods) == sdk.ToInt32(want.EvaluationPeriods) &&
		sdk.ToFloat64(live.Threshold) == sdk.ToFloat64(want.Threshold) &&
		live.ComparisonOperator == want.ComparisonOperator &&
		sdk.ToString(live.TreatMissingData) == sdk.ToString(want.TreatMissingData) &&
		(topic == "" || slices.Contains(live.AlarmActions, topic))
}

func sameQueries(a, b []cwtypes.MetricDataQuery) bool {
	key := func(q cwtypes.MetricDataQuery) string {
		k := sdk.ToString(q.Id) + "|" + sdk.ToString(q.Expression) + "|" + strconv.FormatBool(sdk.ToBool(q.ReturnData))
		if ms := q.MetricStat; ms != nil && ms.Metric != nil {
			k += "|" + sdk.ToString(ms.Metric.Namespace) + "|" + sdk.ToString(ms.Metric.MetricName) + "|" + dims(ms.Metric.Dimensions) + "|" + sdk.ToString(ms.Stat) + "|" + strconv.Itoa(int(sdk.ToInt32(ms.Period)))
		}
		return k
	}
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

func dims(ds []cwtypes.Dimension) string {
	var s []string
	for _, d := range ds {
		s = append(s, sdk.ToString(d.Name)+"="+sdk.ToString(d.Value))
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
		if types := sizeStorageTypes(a); a.Alarms.BucketSizeGB > 0 && len(types) > 1 {
			p.Notice("the size alarm sums BucketSizeBytes over %s: the archive tier moves bytes out of StandardStorage", strings.Join(types, ", "))
		}
	}
	// The alarms, and the tags of those this env has no record of, are
	// read with the topic.
	liveAll := async(func() (alarmsRead, error) { return readAlarms(ctx, r, cw) })
	topic, err := planAlarmTopic(ctx, r, p, len(want) > 0)
	if err != nil {
		_, _ = liveAll()
		return err
	}
	read, err := liveAll()
	if err != nil {
		return fmt.Errorf("read CloudWatch alarms of %s: %w", a.Bucket, err)
	}
	live := read.live
	wanted := map[string]bool{}
	for _, in := range want {
		name := sdk.ToString(in.AlarmName)
		wanted[name] = true
		if _, exists := live[name]; exists && !claimAlarm(r, p, name, read.tags[name], true) {
			continue
		}
		if act := putAlarmAction(r, in, live, topic); act != nil {
			p.Add(act)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(live)) {
		if wanted[name] || !claimAlarm(r, p, name, read.tags[name], false) {
			continue
		}
		p.Add(&Action{Summary: "delete CloudWatch alarm " + name + " (its threshold is now 0)", Calls: []string{"cloudwatch:DeleteAlarms"},
			Do: func(ctx context.Context) error { return deleteAlarm(ctx, r, cw, name) }})
	}
	return nil
}

// alarmsRead are the live alarms under the wizard's names, and the tags of
// those this env has no record of (a recorded alarm costs no read).
type alarmsRead struct {
	live map[string]cwtypes.MetricAlarm
	tags map[string]map[string]string
}

func readAlarms(ctx context.Context, r *Run, cw aws.CloudWatchAPI) (alarmsRead, error) {
	live, err := liveAlarms(ctx, cw, r.Answers.Bucket)
	if err != nil {
		return alarmsRead{}, err
	}
	names := slices.Sorted(maps.Keys(live))
	reads := make([]func() (map[string]string, error), len(names))
	for i, name := range names {
		if _, recorded := r.ownership(state.KindAlarm, name); !recorded {
			reads[i] = async(func() (map[string]string, error) { return AlarmTags(ctx, cw, live[name].AlarmArn) })
		}
	}
	out := alarmsRead{live: live, tags: map[string]map[string]string{}}
	var errs []error
	for i, read := range reads {
		if read == nil {
			continue
		}
		tags, err := read()
		if err != nil {
			errs = append(errs, fmt.Errorf("tags of CloudWatch alarm %s: %w", names[i], err))
			continue
		}
		out.tags[names[i]] = tags
	}
	return out, errors.Join(errs...)
}

// AlarmTags are the tags of the alarm arn: the evidence of whose it is,
// read by the plan, adopt and destroy.
func AlarmTags(ctx context.Context, cw aws.CloudWatchAPI, arn *string) (map[string]string, error) {
	out, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		return nil, err
	}
	return tagMap(out.Tags, func(t cwtypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
}

// planAlarmTopic plans the SNS topic the alarms notify and its email
// subscription, and returns the topic's ARN: "" when the alarms notify
// nobody (there is no alarm, or no email to send to).
func planAlarmTopic(ctx context.Context, r *Run, p *Plan, alarms bool) (topic string, err error) {
	a := r.Answers
	email := AlarmEmail(a)
	switch {
	case !alarms:
		return "", nil
	case email == "":
		p.Warn("the alarms notify nobody: set alarms.email (or budget.email) so that an SNS topic emails someone")
		return "", nil
	}
	topic = AlarmTopicARN(a, r.AccountID())
	exists, subscribed, pending, err := alarmTopic(ctx, r, topic, email)
	if err != nil {
		return "", fmt.Errorf("read SNS topic %s: %w", AlarmTopicName(a.Bucket), err)
	}
	cl := r.AWS.SNSIn(a.Region)
	name := AlarmTopicName(a.Bucket)
	if exists {
		// Another project's topic is never subscribed to nor pointed
		// at (issue 17 item 9).
		tags, err := AlarmTopicTags(ctx, r, topic)
		if err != nil {
			return "", fmt.Errorf("read the tags of SNS topic %s: %w", name, err)
		}
		if owner := ForeignOwner(a, tags); owner != "" {
			return "", ForeignError("SNS topic "+name, a, owner)
		}
		claimCreated(r, p, state.KindSNSTopic, name, topic, "SNS topic "+name, tags)
	} else {
		p.Add(&Action{Summary: fmt.Sprintf("create SNS topic %s in %s", name, a.Region), Calls: []string{"sns:CreateTopic"},
			Do: func(ctx context.Context) error {
				// The intent is recorded first (createOwned): a crash
				// after CreateTopic still leaves destroy knowing the
				// topic is the wizard's.
				return createOwned(r, state.KindSNSTopic, name, topic, func() (bool, error) {
					_, err := cl.CreateTopic(ctx, &sns.CreateTopicInput{Name: &name, Tags: snsTags(a)})
					return err == nil, err
				})
			}})
	}
	if !subscribed {
		p.Add(&Action{Summary: "subscribe " + email + " by email (AWS sends a confirmation link)", Calls: []string{"sns:Subscribe"},
			After: []string{"sns:CreateTopic"},
			Do: func(ctx context.Context) error {
				_, err := cl.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: sdk.String("email"), Endpoint: &email})
				return err
			}})
	}
	p.Notice("alarms notify the SNS topic %s (%s), which emails %s: the subscription stays \"pending confirmation\" until %s clicks the link in AWS's email; until then no alarm email is sent", name, a.Region, email, email)
	if pending {
		p.Warn("%s has not confirmed the alarm subscription yet: click the link in the email from AWS Notifications (ask AWS to resend it by re-subscribing in SNS → Topics → %s)", email, name)
	}
	return topic, nil
}

// putAlarmAction creates or updates the wanted alarm in, pointed at topic
// (when there is one); nil when the live alarm is the same.
func putAlarmAction(r *Run, in cloudwatch.PutMetricAlarmInput, live map[string]cwtypes.MetricAlarm, topic string) *Action {
	cw := CloudWatchClient(r)
	name := sdk.ToString(in.AlarmName)
	cur, exists := live[name]
	if exists && sameAlarm(cur, in, topic) {
		return nil
	}
	if exists {
		// PutMetricAlarm replaces the whole alarm: keep the actions the
		// user added.
		in.AlarmActions, in.OKActions, in.InsufficientDataActions = cur.AlarmActions, cur.OKActions, cur.InsufficientDataActions
	}
	if topic != "" && !slices.Contains(in.AlarmActions, topic) {
		in.AlarmActions = append(slices.Clone(in.AlarmActions), topic)
	}
	// Tags are taken at creation only (an update ignores them).
	in.Tags = cwTags(r.Answers)
	verb := "create"
	if exists {
		verb = "update"
	}
	// The topic before the alarms that point at it.
	return &Action{Summary: fmt.Sprintf("%s CloudWatch alarm %s (%s, daily%s)", verb, name, AlarmCondition(in), notifySuffix(topic)),
		Calls: []string{"cloudwatch:PutMetricAlarm"},
		After: []string{"sns:CreateTopic"},
		Do:    func(ctx context.Context) error { return putAlarm(ctx, r, cw, &in, exists) }}
}

func notifySuffix(topic string) string {
	if topic == "" {
		return ""
	}
	return ", notifies " + topic[strings.LastIndex(topic, ":")+1:]
}

// AlarmCondition is what sets the alarm off, for people
// ("BucketSizeBytes > 50 GiB"): the plan, the check and the hand-off say it
// so.
func AlarmCondition(in cloudwatch.PutMetricAlarmInput) string {
	return alarmMetric(in) + " > " + alarmThreshold(in)
}

// alarmMetric is the alarm's metric name (the size alarm's, when it sums
// several storage types).
func alarmMetric(in cloudwatch.PutMetricAlarmInput) string {
	if in.MetricName != nil {
		return *in.MetricName
	}
	for _, q := range in.Metrics {
		if q.MetricStat != nil && q.MetricStat.Metric != nil {
			return sdk.ToString(q.MetricStat.Metric.MetricName) + " (every storage class)"
		}
	}
	return "metric math"
}

func alarmThreshold(in cloudwatch.PutMetricAlarmInput) string {
	t := sdk.ToFloat64(in.Threshold)
	if strings.HasPrefix(alarmMetric(in), sizeMetric) {
		return fmt.Sprintf("%g GiB", t/gib)
	}
	return strconv.FormatFloat(t, 'f', -1, 64) + " objects"
}

// cwTags are ownerTags for CloudWatch's PutMetricAlarm.
func cwTags(a *config.Answers) []cwtypes.Tag {
	return ownerTagList(a, func(k, v *string) cwtypes.Tag { return cwtypes.Tag{Key: k, Value: v} })
}

// putAlarm creates or updates an alarm. An alarm it creates is recorded
// as the wizard's, the intent first (createOwned), so destroy's inventory
// lists it even once the answers no longer want it.
func putAlarm(ctx context.Context, r *Run, cw aws.CloudWatchAPI, in *cloudwatch.PutMetricAlarmInput, exists bool) error {
	if exists || r.State == nil {
		_, err := cw.PutMetricAlarm(ctx, in)
		return err
	}
	return createOwned(r, state.KindAlarm, sdk.ToString(in.AlarmName), "", func() (bool, error) {
		_, err := cw.PutMetricAlarm(ctx, in)
		return err == nil, err
	})
}

// claimAlarm decides whose the existing alarm name is, and reports whether
// the plan may change it (wanted: update it; not wanted: delete it). A
// record of this env settles it (a pending intent becomes created: a run
// died right after PutMetricAlarm); an adopted one is updated when wanted,
// never deleted. Without a record its tags decide: another project's or
// another env's are refused when the answers want the name (the wizard
// never overwrites nor takes over another's alarm) and left alone when
// not; this env's make it the wizard's (tagged); none make it adopted, as
// an untagged alarm topic is (set to the answers, kept by destroy), or
// left alone when not wanted. Only a wanted alarm's record is written (an
// unwanted one is deleted, its record forgotten, before records are
// written).
func claimAlarm(r *Run, p *Plan, name string, tags map[string]string, wanted bool) bool {
	a := r.Answers
	what := "CloudWatch alarm " + name
	o, recorded := r.ownership(state.KindAlarm, name)
	owner, env := ForeignOwner(a, tags), OtherEnv(a, tags)
	if owner == "" && env != "" {
		owner = fmt.Sprintf("env %q of project %q", env, a.App)
	}
	switch {
	case recorded && !wanted:
		if !o.Mine() {
			p.Notice("%s existed before the wizard (adopted): left as it is", what)
		}
		return o.Mine()
	case recorded:
		claimCreated(r, p, state.KindAlarm, name, "", what, nil)
		return true
	case owner != "" && !wanted:
		p.Notice("%s belongs to %s: left as it is", what, owner)
		return false
	case owner != "":
		p.Errorf("%s", alarmRefusal(a, what, tags))
		return false
	case TaggedOurs(a, tags) && !wanted:
		return true
	case TaggedOurs(a, tags):
		claimCreated(r, p, state.KindAlarm, name, "", what, tags)
		return true
	case wanted:
		p.Notice("%s exists without this project's tags: adopted (the wizard sets it to the answers; destroy keeps it)", what)
		claimCreated(r, p, state.KindAlarm, name, "", what, tags)
		return true
	}
	p.Notice("%s exists without this project's tags: not the wizard's, left as it is", what)
	return false
}

// alarmRefusal is the refusal of the alarm what (its name, or "it") that
// tags claim for another project or another env of this one; nil when
// they claim none. apply's plan and check's alarm check both say it.
func alarmRefusal(a *config.Answers, what string, tags map[string]string) error {
	if env := OtherEnv(a, tags); env != "" {
		return fmt.Errorf("%s belongs to env %q of project %q (its %s tag), not to env %q: the wizard never changes or takes over another env's alarm; choose another bucket in the answers, or delete that alarm", what, env, a.App, TagEnv, a.Env)
	}
	if owner := ForeignOwner(a, tags); owner != "" {
		return ForeignError(what, a, owner)
	}
	return nil
}

// deleteAlarm deletes an alarm the answers no longer want, and forgets
// its record.
func deleteAlarm(ctx context.Context, r *Run, cw aws.CloudWatchAPI, name string) error {
	_, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}})
	if err != nil && !aws.IsNotFound(err) {
		return err
	}
	if r.State == nil {
		return nil
	}
	return r.State.Update(func(p *state.Progress) { p.ForgetOwnership(state.KindAlarm, name) })
}
