package operator_test

import (
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/operator"
)

func operatorAnswers(t *testing.T, extra func(a *config.Answers)) *config.Answers {
	t.Helper()
	a := &config.Answers{Env: "prod", App: "blog", Region: "eu-west-3", Set: map[string]bool{"env": true, "app": true, "region": true}}
	if extra != nil {
		extra(a)
	}
	a.ApplyDefaults()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	return a
}

// What moto cannot check of the operator policy (cli's
// TestOperatorPolicyIsEnough proves its actions suffice): the resources of
// IAM, CloudWatch and Budgets statements are this env's, and only the
// wizard's policies can be attached to the group or the role.
func TestOperatorPolicyNamesOnlyThisEnv(t *testing.T) {
	doc, err := operator.Policy(operatorAnswers(t, nil), "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	js := doc.JSON()
	for _, want := range []string{
		`"arn:aws:s3:::blog-media-prod"`, `"arn:aws:s3:::blog-media-prod/*"`, `"arn:aws:s3:::blog-media-prod-logs"`,
		`"arn:aws:iam::111122223333:user/blog-prod-s3-user"`, `"arn:aws:iam::111122223333:group/blog-prod-s3"`,
		`"arn:aws:iam::111122223333:policy/blog-prod-s3-access"`,
		`"arn:aws:cloudwatch:eu-west-3:111122223333:alarm:blog-media-prod-size"`,
		`"arn:aws:budgets::111122223333:budget/s3wizard-s3-monthly"`,
		`"iam:PolicyARN"`, `"budgets:ModifyBudget"`, `"s3:GetEncryptionConfiguration"`,
		// CreateBudget's ResourceTags (the owner tags).
		`"budgets:TagResource"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("operator policy lacks %s:\n%s", want, js)
		}
	}
	for _, bad := range []string{`"s3:*"`, `"iam:*"`, `"Action": "*"`, "role/", "iam:PassRole", "kms:", "iam:PutUserPolicy", "iam:AttachUserPolicy", "PutAccountPublicAccessBlock"} {
		if strings.Contains(js, bad) {
			t.Errorf("operator policy for access keys has %s:\n%s", bad, js)
		}
	}
	for _, st := range doc.Statement {
		if st.Sid == "AppGroupPolicies" && st.Condition == nil {
			t.Error("attaching policies to the group is not limited to the wizard's")
		}
		if res, ok := st.Resource.([]string); ok && len(res) == 1 && res[0] == "*" && st.Sid != "AccountReads" {
			t.Errorf("statement %s is on every resource", st.Sid)
		}
	}
}

func TestOperatorPolicyForAnInstanceRoleWithKMS(t *testing.T) {
	doc, err := operator.Policy(operatorAnswers(t, func(a *config.Answers) {
		a.Credentials, a.EBEnvironment, a.Encryption, a.KMSKeyID = config.CredInstanceRole, "blog-prod-env", config.EncSSEKMS, "1234abcd-12ab-34cd-56ef-1234567890ab"
		a.Set["credentials"], a.Set["eb_environment"], a.Set["encryption"], a.Set["kms_key_id"] = true, true, true, true
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	js := doc.JSON()
	for _, want := range []string{`"arn:aws:iam::*:role/blog-prod-s3"`, `"arn:aws:iam::*:instance-profile/blog-prod-s3"`, `"iam:PassRole"`,
		`"elasticbeanstalk:UpdateEnvironment"`, `"arn:aws:kms:eu-west-3:*:key/1234abcd-12ab-34cd-56ef-1234567890ab"`, `"arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier"`} {
		if !strings.Contains(js, want) {
			t.Errorf("instance-role policy lacks %s:\n%s", want, js)
		}
	}
	for _, bad := range []string{"user/", "group/", "iam:CreateAccessKey"} {
		if strings.Contains(js, bad) {
			t.Errorf("instance-role policy has %s", bad)
		}
	}
}

// The operator policy grants the CloudFront actions the wizard calls, on
// the account's distributions and origin access controls, only when the
// answers use CloudFront.
func TestOperatorPolicyCoversCloudFront(t *testing.T) {
	a := &config.Answers{Env: "staging", App: "mon-app", Bucket: "b", Region: "eu-west-3", StaticOnS3: true, CloudFront: true, Credentials: config.CredAccessKeys, IAMUser: "u"}
	doc, err := operator.Policy(a, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	js := doc.JSON()
	for _, want := range []string{`"cloudfront:CreateDistribution"`, `"cloudfront:TagResource"`, `"cloudfront:UpdateDistribution"`, `"cloudfront:DeleteDistribution"`,
		`"cloudfront:CreateOriginAccessControl"`, `"cloudfront:DeleteOriginAccessControl"`, `"cloudfront:ListDistributions"`,
		`"arn:aws:cloudfront::123456789012:distribution/*"`, `"arn:aws:cloudfront::123456789012:origin-access-control/*"`} {
		if !strings.Contains(js, want) {
			t.Errorf("operator policy lacks %s", want)
		}
	}
	a.CloudFront = false
	doc, _ = operator.Policy(a, "123456789012")
	if strings.Contains(doc.JSON(), "cloudfront:CreateDistribution") {
		t.Error("the operator policy grants CloudFront writes without cloudfront")
	}
}
