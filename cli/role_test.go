package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/policy"
)

const roleAnswers = stagingAnswers + "credentials: instance-role\n"

// The keyless flow: a role trusted by EC2 with the least-privilege inline
// policy (and no managed policy: no eb_environment), in an instance profile; no key
// anywhere. (moto lacks Elastic Beanstalk UpdateEnvironment, so
// eb_environment is not exercised here.)
func TestInstanceRoleFlowAndDestroy(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, roleAnswers)
	r := apply(t, dir, s.Env())
	mustOK(t, r)
	ctx := context.Background()
	cl := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	role := sdk.String("mon-app-staging-s3")
	if _, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: role}); err != nil {
		t.Fatalf("role: %v", err)
	}
	// Issue 18.6: AWSElasticBeanstalkWebTier only for an Elastic Beanstalk
	// environment, never on plain EC2.
	att, _ := cl.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role})
	if len(att.AttachedPolicies) != 0 {
		t.Errorf("a plain EC2 role has managed policies attached: %+v", att.AttachedPolicies)
	}
	inline, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: sdk.String("s3wizard-s3-access")})
	if err != nil {
		t.Fatal(err)
	}
	acts := strings.Join(policy.Actions(*inline.PolicyDocument), ",")
	if strings.Contains(acts, "s3:*") || !strings.Contains(acts, "s3:PutObject") {
		t.Errorf("inline policy actions: %s", acts)
	}
	ip, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: role})
	if err != nil || len(ip.InstanceProfile.Roles) != 1 {
		t.Fatalf("instance profile: %v %+v", err, ip)
	}
	if env := readEnv(t, dir); env["AWS_ACCESS_KEY_ID"] != "" || env["AWS_SECRET_ACCESS_KEY"] != "" {
		t.Error("instance-role mode wrote keys into .env")
	}
	users, _ := cl.ListUsers(ctx, &iam.ListUsersInput{})
	if len(users.Users) != 0 {
		t.Errorf("instance-role mode created IAM users: %+v", users.Users)
	}
	// The hand-off document tells the next person how the keyless setup
	// and its health check work.
	d := run(t, dir, s.Env(), "docs", "--env", "staging", "-o", "-")
	mustOK(t, d)
	for _, want := range []string{"no access keys", "iam-role", "### Elastic Beanstalk health check", "s3wizard_health", "IMDSv2", "first** in\n`MIDDLEWARE`"} {
		if !strings.Contains(d.stdout, want) {
			t.Errorf("hand-off document lacks %q", want)
		}
	}
	for _, line := range strings.Split(d.stdout, "\n") {
		// Quoting the guide's mistake to correct it is fine; advising it is not.
		if strings.Contains(line, "ALLOWED_HOSTS = ['*']") && !strings.Contains(strings.ToLower(line), "the guide sets") {
			t.Errorf("the hand-off document recommends a wildcard ALLOWED_HOSTS: %s", line)
		}
	}
	mustOK(t, runWithInput(t, dir, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging"))
	if _, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: role}); err == nil {
		t.Error("the wizard's role survived destroy")
	}
}

func TestDestroyKeepsAnAdoptedRole(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	cl := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	role := sdk.String("mon-app-staging-s3")
	trust := policy.EC2Trust().JSON()
	if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: &trust}); err != nil {
		t.Fatal(err)
	}
	dir := project(t, roleAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	mustOK(t, runWithInput(t, dir, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging"))
	if _, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: role}); err != nil {
		t.Fatalf("the adopted role was deleted: %v", err)
	}
	if _, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: sdk.String("s3wizard-s3-access")}); err == nil {
		t.Error("the wizard's inline policy was left on the adopted role")
	}
}

// An instance profile holds one role. A profile of our name that already
// holds another role is someone else's: apply refuses (exit 1) naming the
// profile and the role, and leaves it as it was (real IAM would answer
// LimitExceeded to AddRoleToInstanceProfile; moto shows the same state).
func TestInstanceProfileHoldingAnotherRoleIsRefused(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	cl := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	profile, other := sdk.String("mon-app-staging-s3"), sdk.String("someone-elses-role")
	createRole(t, cl, *other)
	if _, err := cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: profile}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: profile, RoleName: other}); err != nil {
		t.Fatal(err)
	}
	dir := project(t, roleAnswers)
	r := apply(t, dir, s.Env())
	if r.code != 1 {
		t.Fatalf("apply with a foreign instance profile: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "instance profile mon-app-staging-s3 already holds role someone-elses-role") {
		t.Errorf("the refusal does not name the profile and the role it holds:\n%s", r.stderr)
	}
	// Run again: every other step is now as wanted, so no step has an
	// action; the failed one must still not read as "nothing to change".
	r = apply(t, dir, s.Env())
	if r.code != 1 || strings.Contains(r.stderr, "nothing to change") || !strings.Contains(r.stderr, "NOT complete") {
		t.Errorf("a failed re-run (exit %d) must say the setup is not complete, never \"nothing to change\":\n%s", r.code, r.stderr)
	}
	ip, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: profile})
	if err != nil || len(ip.InstanceProfile.Roles) != 1 || *ip.InstanceProfile.Roles[0].RoleName != *other {
		t.Errorf("the foreign instance profile was changed: %v %+v", err, ip)
	}
}

// check proves the profile holds OUR role, not merely one role.
func TestCheckFailsWhenTheProfileHoldsAnotherRole(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, roleAnswers)
	mustOK(t, apply(t, dir, s.Env()))
	ctx := context.Background()
	cl := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	profile, other := sdk.String("mon-app-staging-s3"), sdk.String("someone-elses-role")
	createRole(t, cl, *other)
	if _, err := cl.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: profile, RoleName: profile}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: profile, RoleName: other}); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, s.Env(), "check", "--env", "staging")
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "holds role someone-elses-role, not mon-app-staging-s3") {
		t.Errorf("check with another role in the profile: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// createRole makes a role trusted by EC2 that is not the wizard's.
func createRole(t *testing.T, cl *iam.Client, name string) {
	t.Helper()
	trust := policy.EC2Trust().JSON()
	if _, err := cl.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: &name, AssumeRolePolicyDocument: &trust}); err != nil {
		t.Fatal(err)
	}
}

// eb_environment: the plan reads the environment (moto implements
// DescribeEnvironments) and refuses one that does not exist; for one that
// does, it plans ONE UpdateEnvironment with the instance profile and the
// app's variables. moto lacks DescribeConfigurationSettings and
// UpdateEnvironment, so the settings are said unreadable and nothing is
// sent here (the request itself is unit-tested in steps).
func TestPlanWithEBEnvironment(t *testing.T) {
	s := motoserver.Shared(t)
	dir := project(t, roleAnswers+"eb_environment: mon-app-staging-web\n")
	r := run(t, dir, s.Env(), "plan", "--env", "staging", "--answers", "answers.yaml")
	if r.code != 1 || !strings.Contains(r.stdout, "no Elastic Beanstalk environment mon-app-staging-web in eu-west-3") {
		t.Fatalf("plan with a missing EB environment: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	eb := elasticbeanstalk.NewFromConfig(s.AWSConfig(t, "eu-west-3"))
	if _, err := eb.CreateApplication(ctx, &elasticbeanstalk.CreateApplicationInput{ApplicationName: sdk.String("mon-app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.CreateEnvironment(ctx, &elasticbeanstalk.CreateEnvironmentInput{ApplicationName: sdk.String("mon-app"),
		EnvironmentName: sdk.String("mon-app-staging-web"), SolutionStackName: sdk.String("64bit Amazon Linux 2023 v4.3.0 running Python 3.11")}); err != nil {
		t.Fatal(err)
	}
	r = run(t, dir, s.Env(), "plan", "--env", "staging", "--answers", "answers.yaml")
	mustOK(t, r)
	want := "use instance profile mon-app-staging-s3 in Elastic Beanstalk environment mon-app-staging-web and set its properties AWS_STORAGE_BUCKET_NAME, AWS_S3_REGION_NAME, USE_S3_STORAGE"
	if !strings.Contains(r.stdout, want) || strings.Count(r.stdout, "aws elasticbeanstalk:UpdateEnvironment") != 1 {
		t.Errorf("plan lacks the one UpdateEnvironment %q:\n%s", want, r.stdout)
	}
	// Issue 18.6: the web tier policy goes with an Elastic Beanstalk
	// environment (and only then, TestInstanceRoleFlowAndDestroy).
	if !strings.Contains(r.stdout, "attach AWSElasticBeanstalkWebTier to role mon-app-staging-s3") {
		t.Errorf("plan with eb_environment does not attach AWSElasticBeanstalkWebTier:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, ".s3wizard/eb-staging.sh") {
		t.Errorf("plan does not write the eb setenv file:\n%s", r.stdout)
	}
}

// TestChangedRoleNameDoesNotInheritOwnership (issue 17 item 8, the attack
// "changed role_name after apply"): the wizard made role mon-app-staging-s3
// and its profile; role_name is then changed to someone's existing role
// (trusted by EC2, with a policy of its own). The new role is adopted, not
// the wizard's: destroy keeps it (its own policy kept, the wizard's inline
// policy removed) and deletes the role and profile the wizard did make.
func TestChangedRoleNameDoesNotInheritOwnership(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	cl := iam.NewFromConfig(s.AWSConfig(t, "us-east-1"))
	dir := project(t, roleAnswers)
	mustOK(t, apply(t, dir, s.Env()))

	theirs := sdk.String("their-web-role")
	trust := policy.EC2Trust().JSON()
	if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: theirs, AssumeRolePolicyDocument: &trust}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
	if _, err := cl.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: theirs, PolicyName: sdk.String("their-queue"), PolicyDocument: &doc}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "answers.yaml"), []byte(roleAnswers+"role_name: their-web-role\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustOK(t, apply(t, dir, s.Env()))
	mustOK(t, runWithInput(t, dir, s.Env(), "mon-app-media-staging\n", "destroy", "--env", "staging"))

	if _, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: theirs}); err != nil {
		t.Fatalf("the pre-existing role named by the changed role_name was deleted: %v", err)
	}
	if _, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: theirs, PolicyName: sdk.String("their-queue")}); err != nil {
		t.Errorf("its own policy is gone: %v", err)
	}
	if _, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: theirs, PolicyName: sdk.String("s3wizard-s3-access")}); err == nil {
		t.Error("the wizard's inline policy was left on it")
	}
	ours := sdk.String("mon-app-staging-s3")
	if _, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: ours}); err == nil {
		t.Error("the role the wizard made under the old role_name survived destroy")
	}
	if _, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: ours}); err == nil {
		t.Error("the instance profile the wizard made under the old role_name survived destroy")
	}
}
