package cli_test

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

var s3typesCBC = s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest3}

// adminUser creates, with enforcement still off, an administrator whose
// keys keep working once moto enforces IAM. denyKeys adds an inline policy
// denying iam:CreateAccessKey (named deny-create-key).
func adminUser(t *testing.T, s *motoserver.Server, denyKeys bool) [2]string {
	t.Helper()
	ctx := context.Background()
	cl := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	if _, err := cl.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("admin")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: sdk.String("admin"), PolicyArn: sdk.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	if denyKeys {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}`
		if _, err := cl.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: sdk.String("admin"), PolicyName: sdk.String("deny-create-key"), PolicyDocument: &doc}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := cl.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	return [2]string{*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey}
}

func adminEnv(s *motoserver.Server, admin [2]string) []string {
	return []string{"AWS_ENDPOINT_URL=" + s.URL(), "AWS_ACCESS_KEY_ID=" + admin[0], "AWS_SECRET_ACCESS_KEY=" + admin[1],
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
}
