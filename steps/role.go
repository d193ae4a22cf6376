package steps

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/policy"
)

// EBWebTierARN is the managed policy an Elastic Beanstalk instance needs to
// deploy and report health.
const EBWebTierARN = "arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier"

// RoleCreatedResource records that the role (and its instance profile)
// were created by the wizard, so destroy may delete them.
const RoleCreatedResource = "role_created_by_wizard"

// RoleInlinePolicy is the name of the role's inline S3 policy.
const RoleInlinePolicy = "s3wizard-s3-access"

// Role is the keyless alternative: an instance role for EC2 / Elastic Beanstalk.
func Role() *Step {
	return &Step{
		ID:    "role",
		Title: "Create the instance role (EC2 / Elastic Beanstalk)",
		Guide: "Opción 2: IAM Role asignado a EC2",
		Why:   "On EC2 or Elastic Beanstalk the app needs no keys at all: the instance role hands boto3 temporary credentials that AWS rotates for you.",
		Departures: []string{
			"The Spanish guide attaches AmazonS3FullAccess to the role; the wizard attaches the same least-privilege S3 policy as for the IAM user, inline.",
			"The guide's \"minimum permissions\" list is the Elastic Beanstalk service role's; the instance itself needs the managed AWSElasticBeanstalkWebTier policy, which the wizard attaches.",
			"`env | grep AWS` proves nothing: boto3 reads env vars and ~/.aws before the instance role. Check boto3.Session().get_credentials().method == \"iam-role\" on the instance.",
			"The guide sets ALLOWED_HOSTS = ['*'] during the switch and fetches the IP with IMDSv1; the wizard answers /health/ before host validation and uses IMDSv2: HealthCheckMiddleware (first in MIDDLEWARE, written by the app-config step) passes the load balancer's check, and ec2_private_ip() asks for a token first if the app needs its private IP.",
		},
		Keys:    []string{"role_name", "eb_environment"},
		Needs:   []string{"preflight"},
		Enabled: instanceRole,
		Plan:    planRole,
		Verify:  verifyRole,
	}
}

func planRole(ctx context.Context, r *Run) (*Plan, error) {
	a := r.Answers
	p := &Plan{}
	cl := r.AWS.IAM
	role := a.RoleName
	trust := policy.EC2Trust().JSON()
	inline := AppPolicy(a, kmsKeyARN(r)).JSON()

	_, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: &role})
	exists := err == nil
	if err != nil && !aws.IsNotFound(err) && !r.Offline {
		return nil, fmt.Errorf("read role %s: %w", role, err)
	}
	if !exists {
		p.Add(&Action{Summary: "create role " + role + " trusted by ec2.amazonaws.com", Calls: []string{"iam:CreateRole"},
			Do: func(ctx context.Context) error {
				_, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: &role, AssumeRolePolicyDocument: &trust,
					Description: sdk.String("s3wizard: Django app instance role (" + a.Env + ")")})
				if aws.IsAlreadyExists(err) {
					return nil
				}
				if err == nil {
					r.State.SetResource(RoleCreatedResource, "true")
				}
				return err
			}})
	}
	inlineOK := false
	if exists {
		if out, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &role, PolicyName: sdk.String(RoleInlinePolicy)}); err == nil {
			live, _ := url.QueryUnescape(deref(out.PolicyDocument))
			inlineOK = policy.Equal(live, inline)
		}
	}
	if !inlineOK {
		p.Add(&Action{Summary: "put the least-privilege S3 policy on role " + role, Calls: []string{"iam:PutRolePolicy"},
			Do: func(ctx context.Context) error {
				// IAM may not know an entity created moments ago yet.
				return retryUnknownEntity(ctx, func() error {
					_, err := cl.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &role, PolicyName: sdk.String(RoleInlinePolicy), PolicyDocument: &inline})
					return err
				})
			}})
	}
	attached := false
	if exists {
		if out, err := cl.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &role}); err == nil {
			for _, ap := range out.AttachedPolicies {
				attached = attached || deref(ap.PolicyArn) == EBWebTierARN
			}
		}
	}
	if !attached {
		p.Add(&Action{Summary: "attach AWSElasticBeanstalkWebTier to role " + role, Calls: []string{"iam:AttachRolePolicy"},
			Do: func(ctx context.Context) error {
				// IAM may not know an entity created moments ago yet.
				return retryUnknownEntity(ctx, func() error {
					_, err := cl.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: &role, PolicyArn: sdk.String(EBWebTierARN)})
					return err
				})
			}})
	}
	ip, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &role})
	ipExists := err == nil
	if !ipExists {
		p.Add(&Action{Summary: "create instance profile " + role, Calls: []string{"iam:CreateInstanceProfile"},
			Do: func(ctx context.Context) error {
				_, err := cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: &role})
				if aws.IsAlreadyExists(err) {
					return nil
				}
				return err
			}})
	}
	hasRole := false
	if ipExists {
		for _, rr := range ip.InstanceProfile.Roles {
			hasRole = hasRole || deref(rr.RoleName) == role
		}
	}
	if !hasRole {
		p.Add(&Action{Summary: "add role " + role + " to instance profile " + role, Calls: []string{"iam:AddRoleToInstanceProfile"},
			Do: func(ctx context.Context) error {
				// IAM may not know an entity created moments ago yet.
				err := retryUnknownEntity(ctx, func() error {
					_, err := cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: &role, RoleName: &role})
					return err
				})
				if aws.IsAlreadyExists(err) || aws.Code(err) == "LimitExceeded" {
					return nil
				}
				return err
			}})
	}
	if a.EBEnvironment != "" {
		p.Add(&Action{Summary: "use instance profile " + role + " in Elastic Beanstalk environment " + a.EBEnvironment + " (rolling update)",
			Calls: []string{"elasticbeanstalk:UpdateEnvironment"},
			Do: func(ctx context.Context) error {
				return retryWhile(ctx, ebProfileRetryBudget, instanceProfileNotReady, func() error {
					_, err := r.AWS.EB.UpdateEnvironment(ctx, &elasticbeanstalk.UpdateEnvironmentInput{
						EnvironmentName: sdk.String(a.EBEnvironment),
						OptionSettings: []ebtypes.ConfigurationOptionSetting{{
							Namespace: sdk.String("aws:autoscaling:launchconfiguration"), OptionName: sdk.String("IamInstanceProfile"), Value: sdk.String(role),
						}},
					})
					return err
				})
			}})
		p.Warn("switching the instance profile replaces the instances: make sure /health/ answers before CommonMiddleware (see the hand-off document) so the new instance passes the health check without ALLOWED_HOSTS = ['*']")
	} else {
		p.Notice("no eb_environment given: select instance profile %s in Elastic Beanstalk → Configuration → Service access → EC2 instance profile", role)
	}
	r.State.SetResource("role", role)
	r.State.SetResource("instance_profile", role)
	return p, nil
}

// ebProfileRetryBudget bounds the retries of UpdateEnvironment while a new
// instance profile propagates.
const ebProfileRetryBudget = 60 * time.Second

// instanceProfileNotReady reports Elastic Beanstalk's InvalidParameterValue
// about the instance profile, which it answers for a few seconds after
// CreateInstanceProfile/AddRoleToInstanceProfile (IAM is eventually
// consistent). Any other error, InvalidParameterValue about another option
// included, is final.
func instanceProfileNotReady(err error) bool {
	if aws.Code(err) != "InvalidParameterValue" {
		return false
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	msg := strings.ToLower(ae.ErrorMessage())
	return strings.Contains(msg, "instance profile") || strings.Contains(msg, "iaminstanceprofile")
}

func verifyRole(ctx context.Context, r *Run) []Check {
	a := r.Answers
	cl := r.AWS.IAM
	var checks []Check
	if _, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: &a.RoleName}); err != nil {
		return []Check{Fail("instance role "+a.RoleName, aws.Explain(err).Error())}
	}
	checks = append(checks, Pass("instance role "+a.RoleName, ""))
	out, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &a.RoleName, PolicyName: sdk.String(RoleInlinePolicy)})
	if err != nil {
		checks = append(checks, Fail("role's least-privilege S3 policy", aws.Explain(err).Error()))
	} else if live, _ := url.QueryUnescape(deref(out.PolicyDocument)); !policy.Equal(live, AppPolicy(a, kmsKeyARN(r)).JSON()) {
		checks = append(checks, Fail("role's least-privilege S3 policy", "differs from the wanted one: run apply"))
	} else {
		checks = append(checks, Pass("role's least-privilege S3 policy", ""))
	}
	ip, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &a.RoleName})
	if err != nil || len(ip.InstanceProfile.Roles) == 0 {
		checks = append(checks, Fail("instance profile "+a.RoleName, "missing or without the role"))
	} else {
		checks = append(checks, Pass("instance profile "+a.RoleName, ""))
	}
	return checks
}
