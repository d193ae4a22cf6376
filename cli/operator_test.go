package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/policy"
)

// forMoto adapts the operator policy to how moto evaluates policies, which
// differs from IAM (moto 5.2, moto/iam/access_control.py):
//   - it authorises IAM, CloudWatch, Budgets and S3 Control calls, and some
//     S3 sub-resources (HEAD bucket, ?publicAccessBlock), by the API
//     operation's name ("budgets:CreateBudget", "s3:HeadBucket") instead of
//     the IAM action ("budgets:ModifyBudget", "s3:ListBucket"): each
//     statement also gets the operation names of its actions, taken from the
//     same table (aws.OperatorActions);
//   - it checks those non-S3 calls against the resource "*": their
//     statements get "*" (S3 statements keep their bucket and object ARNs,
//     which moto does enforce);
//   - it denies a statement whose condition it has no value for: conditions
//     are dropped;
//   - it authorises DeleteObjects (POST ?delete, as the Go SDK sends it) as
//     s3:DeleteObject on a resource that is not the bucket's ARN, where IAM
//     checks s3:DeleteObject on each object's ARN (the Objects statement):
//     a moto-only statement allows s3:DeleteObject on "*".
//
// Not covered here, then: the IAM action names of Budgets and of the S3
// sub-resources above, the IAM/CloudWatch/Budgets resource ARNs and the
// iam:PolicyARN condition; package operator's TestOperatorPolicy* tests check those as text.
func forMoto(t *testing.T, doc policy.Document) policy.Document {
	t.Helper()
	alias := map[string][]string{}
	for _, op := range aws.Operations() {
		svc, name, _ := strings.Cut(op, ":")
		switch svc { // moto takes the service from the signing name
		case "s3control":
			svc = "s3"
		case "cloudwatch":
			svc = "monitoring"
		}
		for _, act := range aws.OperatorActions[op].Actions {
			alias[act] = append(alias[act], svc+":"+name)
		}
	}
	for i, st := range doc.Statement {
		var acts []string
		onlyS3 := true
		for _, a := range st.Action.([]any) {
			act := a.(string)
			acts = append(acts, act)
			acts = append(acts, alias[act]...)
			onlyS3 = onlyS3 && strings.HasPrefix(act, "s3:")
		}
		st.Action = acts
		if !onlyS3 {
			st.Resource = "*"
		}
		st.Condition = nil
		doc.Statement[i] = st
	}
	doc.Statement = append(doc.Statement, policy.Statement{Sid: "MotoDeleteObjects", Effect: "Allow", Action: "s3:DeleteObject", Resource: "*"})
	return doc
}

// Issue 10.13: an operator holding only the policy that `operator-policy`
// prints completes apply, check, rotate-keys and destroy with moto
// enforcing IAM.
func TestOperatorPolicyIsEnough(t *testing.T) {
	s := motoserver.Shared(t)
	// No public prefix: moto answers 500 to the anonymous GET that verifies
	// one while it enforces IAM (the bucket and log-bucket policies and
	// Block Public Access calls are still made, for the log bucket).
	answers := stagingAnswers + "budget: {monthly_usd: 20, email: ops@example.com}\n"
	dir := project(t, answers)

	out := inDir(t, dir, cli.Deps{Open: noSession(t)}, "operator-policy", "--answers", "answers.yaml")
	mustOK(t, out)
	var doc policy.Document
	if err := json.Unmarshal([]byte(out.stdout), &doc); err != nil {
		t.Fatalf("operator-policy printed no policy: %v\n%s", err, out.stdout)
	}
	if strings.Contains(out.stdout, `"Action": "*"`) || strings.Contains(out.stdout, `"s3:*"`) || strings.Contains(out.stdout, `"iam:*"`) {
		t.Fatalf("the operator policy has a wildcard action:\n%s", out.stdout)
	}
	motoDoc := forMoto(t, doc).JSON()

	ctx := context.Background()
	cl := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	if _, err := cl.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("operator")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: sdk.String("operator"), PolicyName: sdk.String("s3wizard-operator"), PolicyDocument: &motoDoc}); err != nil {
		t.Fatal(err)
	}
	k, err := cl.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("operator")})
	if err != nil {
		t.Fatal(err)
	}
	key := [2]string{*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey}
	s.SetAuth(t, true)
	env := adminEnv(s, key)

	// Enforcement is on: what the policy does not name is refused.
	op := s3.NewFromConfig(s.AWSConfigWithCreds(t, "eu-west-3", key[0], key[1]), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := op.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: sdk.String("someone-elses-bucket"), CreateBucketConfiguration: &s3typesCBC}); err == nil {
		t.Fatal("moto let the operator create a bucket outside its policy: enforcement is off")
	}

	for _, step := range []struct {
		name  string
		input string
		args  []string
	}{
		{"apply", "", []string{"apply", "--env", "staging", "--answers", "answers.yaml", "--yes"}},
		{"check", "", []string{"check", "--env", "staging"}},
		{"rotate-keys", "", []string{"rotate-keys", "--env", "staging", "--yes"}},
		{"destroy", "mon-app-media-staging\n", []string{"destroy", "--env", "staging"}},
	} {
		r := runWithInput(t, dir, env, step.input, step.args...)
		if r.code != 0 {
			t.Fatalf("%s as the operator: exit %d\nstdout:\n%s\nstderr:\n%s\npolicy given in moto:\n%s", step.name, r.code, r.stdout, r.stderr, motoDoc)
		}
	}
}

// Issue 18.1: with an Elastic Beanstalk environment, operator-policy says
// that UpdateEnvironment needs the managed EB policy too (AWS lists those
// rights only as that policy), and passes the role to EC2 only.
func TestOperatorPolicyNamesWhatEBNeeds(t *testing.T) {
	dir := project(t, roleAnswers+"eb_environment: mon-app-staging-web\n")
	out := inDir(t, dir, cli.Deps{Open: noSession(t)}, "operator-policy", "--answers", "answers.yaml")
	mustOK(t, out)
	if !strings.Contains(out.stderr, aws.EBManagedPolicy) {
		t.Errorf("operator-policy with eb_environment does not name %s:\n%s", aws.EBManagedPolicy, out.stderr)
	}
	if !strings.Contains(out.stdout, `"iam:PassedToService": "ec2.amazonaws.com"`) {
		t.Errorf("PassRole is not limited to EC2:\n%s", out.stdout)
	}
	plain := inDir(t, project(t, roleAnswers), cli.Deps{Open: noSession(t)}, "operator-policy", "--answers", "answers.yaml")
	mustOK(t, plain)
	if strings.Contains(plain.stderr, aws.EBManagedPolicy) || strings.Contains(plain.stdout, "AttachRolePolicy") {
		t.Errorf("operator-policy without eb_environment asks for EB rights:\n%s%s", plain.stdout, plain.stderr)
	}
}
