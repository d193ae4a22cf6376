package config

import (
	"strings"
	"testing"
)

// GovCloud and China are other partitions (arn:aws-us-gov:, arn:aws-cn:,
// amazonaws.com.cn): the wizard does not offer them, and an answers file
// naming one is refused before anything is created.
func TestOtherPartitionRegionsAreRefused(t *testing.T) {
	for region, partition := range map[string]string{
		"us-gov-west-1": "aws-us-gov", "us-gov-east-1": "aws-us-gov",
		"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
	} {
		err := ValidateRegion(region)
		if err == nil || !strings.Contains(err.Error(), partition) || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("ValidateRegion(%s) = %v, want a refusal naming partition %s", region, err, partition)
		}
	}
	for _, r := range Regions {
		if otherPartition(r) != "" {
			t.Errorf("region %s of another partition is offered", r)
		}
		if err := ValidateRegion(r); err != nil {
			t.Errorf("offered region %s refused: %v", r, err)
		}
	}
}
