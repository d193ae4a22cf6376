package aws

import (
	"context"
	"errors"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// A mutating call that names the placeholder account never leaves the
// process: not in an ARN, not inside a policy document, not as a budget's
// account. Reads may (an offline plan reads nothing anyway), and the same
// call with the real account goes through.
func TestPlaceholderAccountRefused(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Use(t)
	ctx := context.Background()
	c, err := New(ctx, Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: sdk.String("logs-bucket")}); err != nil {
		t.Fatal(err)
	}
	policyFor := func(acct string) *string {
		return sdk.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},` +
			`"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs-bucket/*","Condition":{"StringEquals":{"aws:SourceAccount":"` + acct + `"}}}]}`)
	}
	refused := map[string]error{}
	_, refused["s3:PutBucketPolicy"] = c.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: sdk.String("logs-bucket"), Policy: policyFor(PlaceholderAccount)})
	_, refused["iam:AttachGroupPolicy"] = c.IAM.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: sdk.String("g"),
		PolicyArn: sdk.String("arn:aws:iam::" + PlaceholderAccount + ":policy/mon-app-s3")})
	_, refused["budgets:CreateBudget"] = c.Budgets.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: sdk.String(PlaceholderAccount),
		Budget: &btypes.Budget{BudgetName: sdk.String("b"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: sdk.String("10"), Unit: sdk.String("USD")}}})
	for call, err := range refused {
		if !errors.Is(err, ErrPlaceholderAccount) {
			t.Errorf("%s with the placeholder account: err = %v, want ErrPlaceholderAccount", call, err)
		}
		if msg := Explain(err).Error(); !strings.Contains(msg, call) || !strings.Contains(msg, "placeholder account") {
			t.Errorf("%s: the explained error does not say what was refused: %s", call, msg)
		}
	}
	if _, err := c.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: sdk.String("logs-bucket")}); err == nil {
		t.Fatal("a policy naming ACCOUNT_ID reached the bucket")
	}
	if _, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: sdk.String("arn:aws:iam::" + PlaceholderAccount + ":policy/x")}); errors.Is(err, ErrPlaceholderAccount) {
		t.Fatal("a read was refused")
	}
	if _, err := c.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: sdk.String("logs-bucket"), Policy: policyFor(motoserver.AccountID)}); err != nil {
		t.Fatalf("the same policy with the real account: %v", err)
	}
}
