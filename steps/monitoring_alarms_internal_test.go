package steps

import (
	"context"
	"slices"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/state"
)

// tagReadsCW lists its alarms and counts the tag reads (the decision's
// cost; moto cannot count requests). A call it does not answer panics.
type tagReadsCW struct {
	aws.CloudWatchAPI
	alarms []cwtypes.MetricAlarm
	mu     sync.Mutex
	reads  []string
}

func (f *tagReadsCW) DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return &cloudwatch.DescribeAlarmsOutput{MetricAlarms: f.alarms}, nil
}

func (f *tagReadsCW) ListTagsForResource(_ context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, sdk.ToString(in.ResourceARN))
	return &cloudwatch.ListTagsForResourceOutput{}, nil
}

// TestRecordedAlarmCostsNoTagRead: the plan reads the tags of an alarm
// under the wizard's name only when this env has no record of it, so a
// no-op apply of an env whose alarms the wizard made sends no tag read.
// The objects alarm here has no record: its tags are read.
func TestRecordedAlarmCostsNoTagRead(t *testing.T) {
	a := &config.Answers{App: "mon-app", Env: "staging", Region: "eu-west-3", Bucket: "mon-app-media-staging"}
	size, objects := SizeAlarmName(a.Bucket), ObjectsAlarmName(a.Bucket)
	arn := func(name string) *string {
		return sdk.String("arn:aws:cloudwatch:eu-west-3:111122223333:alarm:" + name)
	}
	cw := &tagReadsCW{alarms: []cwtypes.MetricAlarm{{AlarmName: &size, AlarmArn: arn(size)}, {AlarmName: &objects, AlarmArn: arn(objects)}}}
	st, err := state.Open(t.TempDir(), a.Env)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SaveOwnership(state.Ownership{Kind: state.KindAlarm, Name: size, Evidence: state.EvidenceCreated}); err != nil {
		t.Fatal(err)
	}
	r := &Run{Answers: a, State: st, AWS: &aws.Clients{CloudWatch: cw}}
	read, err := readAlarms(context.Background(), r, cw)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cw.reads, []string{*arn(objects)}) {
		t.Errorf("tag reads = %q, want only the unrecorded objects alarm's", cw.reads)
	}
	if _, ok := read.tags[objects]; !ok || len(read.tags) != 1 {
		t.Errorf("tags read for %v, want %s's only", read.tags, objects)
	}
}
