package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/s3wizard/s3wizard/appconfig"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/internal/text"
	"github.com/s3wizard/s3wizard/policy"
	"github.com/s3wizard/s3wizard/state"
)

// EBWebTierARN is the managed policy an Elastic Beanstalk instance needs to
// deploy and report health.
const EBWebTierARN = "arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier"

// RoleInlinePolicy is the name of the role's inline S3 policy.
const RoleInlinePolicy = "s3wizard-s3-access"

// roleStep is the keyless alternative: an instance role for EC2 / Elastic Beanstalk.
func roleStep() *Step {
	return &Step{
		ID:    "role",
		Title: "Create the instance role (EC2 / Elastic Beanstalk)",
		Guide: "Spanish guide, option 2 (IAM role for EC2)",
		Why:   "On EC2 or Elastic Beanstalk the app needs no keys at all: the instance role hands boto3 temporary credentials that AWS rotates for you.",
		Departures: []string{
			"The Spanish guide attaches AmazonS3FullAccess to the role; the wizard attaches the same least-privilege S3 policy as for the IAM user, inline.",
			"The guide's \"minimum permissions\" list is the Elastic Beanstalk service role's; an Elastic Beanstalk instance itself needs the managed AWSElasticBeanstalkWebTier policy, which the wizard attaches with eb_environment only (a plain EC2 instance does not need it).",
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
	role := a.RoleName
	trust := policy.EC2Trust().JSON()
	inline := AppPolicy(a, kmsKeyARN(r)).JSON()
	if err := checkPolicy(ctx, r, p, policy.Trust, "trust policy of role "+role, trust, ""); err != nil {
		return nil, err
	}
	if err := checkPolicy(ctx, r, p, policy.Identity, "inline S3 policy of role "+role, inline, ""); err != nil {
		return nil, err
	}

	exists, err := planRoleEntity(ctx, r, p, trust)
	if err != nil {
		return nil, err
	}
	planRoleInlinePolicy(ctx, r, p, exists, inline)
	if a.EBEnvironment != "" {
		planEBWebTier(ctx, r, p, exists)
	}
	if err := planInstanceProfile(ctx, r, p); err != nil {
		return nil, err
	}
	if a.EBEnvironment != "" {
		if err := planEB(ctx, r, p, role); err != nil {
			return nil, err
		}
	} else {
		p.Notice("no eb_environment given: select instance profile %s in Elastic Beanstalk → Configuration → Service access → EC2 instance profile, and set the app's variables with `sh %s` (eb setenv)", role, appconfig.EBFile(a.Env))
	}
	p.SetResource("role", role)
	p.SetResource("instance_profile", role)
	return p, nil
}

// planRoleEntity plans the role itself: created when missing, otherwise
// checked (not another project's, trusted by EC2) and claimed or adopted.
// exists says whether it was found.
func planRoleEntity(ctx context.Context, r *Run, p *Plan, trust string) (exists bool, err error) {
	a := r.Answers
	role := a.RoleName
	rout, err := r.AWS.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: &role})
	exists = err == nil
	if err != nil && !aws.IsNotFound(err) && !r.Offline {
		return false, fmt.Errorf("read role %s: %w", role, err)
	}
	if !exists {
		p.Add(createRoleAction(r, trust))
		return false, nil
	}
	tags := IAMTagMap(rout.Role.Tags)
	if owner := ForeignOwner(a, tags); owner != "" {
		return true, ForeignError("role "+role, a, owner)
	}
	// Nothing is attached to a role EC2 cannot assume: it would be
	// reported ready while no instance can use it.
	if doc, _ := url.QueryUnescape(sdk.ToString(rout.Role.AssumeRolePolicyDocument)); !trustsService(doc, ec2Service) {
		return true, fmt.Errorf("role %s exists but its trust policy does not let %s assume it (an instance could not use it): choose another role_name, or add %s to its trust policy (IAM → Roles → %s → Trust relationships)", role, ec2Service, ec2Service, role)
	}
	if !claimCreated(r, p, state.KindRole, role, sdk.ToString(rout.Role.Arn), "role "+role, tags) {
		p.Notice("role %s already exists: adopting it (destroy keeps it; only the wizard's inline policy %s goes)", role, RoleInlinePolicy)
	}
	return true, nil
}

// createRoleAction creates the role trusted by EC2, recorded as the
// wizard's.
func createRoleAction(r *Run, trust string) *Action {
	a := r.Answers
	cl := r.AWS.IAM
	role := a.RoleName
	return &Action{Summary: "create role " + role + " trusted by ec2.amazonaws.com", Calls: []string{"iam:CreateRole"},
		Do: func(ctx context.Context) error {
			return createOwnedIAM(r, state.KindRole, role, iamARN(r, "role", role), "role "+role,
				func() error {
					_, err := createRole(ctx, cl, &iam.CreateRoleInput{RoleName: &role, AssumeRolePolicyDocument: &trust,
						Description: sdk.String("s3wizard: Django app instance role (" + a.Env + ")"), Tags: iamTags(a)})
					return err
				},
				func() ([]iamtypes.Tag, error) {
					got, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: &role})
					if err != nil {
						return nil, err
					}
					return got.Role.Tags, nil
				})
		}}
}

// planRoleInlinePolicy puts the least-privilege S3 policy on the role
// unless the live one (of a role that exists) is the same.
func planRoleInlinePolicy(ctx context.Context, r *Run, p *Plan, exists bool, inline string) {
	cl := r.AWS.IAM
	role := r.Answers.RoleName
	if exists {
		if out, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &role, PolicyName: sdk.String(RoleInlinePolicy)}); err == nil {
			live, _ := url.QueryUnescape(sdk.ToString(out.PolicyDocument))
			if policy.Equal(live, inline) {
				return
			}
		}
	}
	p.Add(&Action{Summary: "put the least-privilege S3 policy on role " + role, Calls: []string{"iam:PutRolePolicy"},
		Do: func(ctx context.Context) error {
			// IAM may not know an entity created moments ago yet.
			_, err := putRolePolicy(aws.NewEntity.In(ctx), cl, &iam.PutRolePolicyInput{RoleName: &role, PolicyName: sdk.String(RoleInlinePolicy), PolicyDocument: &inline})
			return err
		}})
}

// planEBWebTier attaches AWSElasticBeanstalkWebTier (which Elastic
// Beanstalk's instances need) to the role unless it is attached already.
func planEBWebTier(ctx context.Context, r *Run, p *Plan, exists bool) {
	cl := r.AWS.IAM
	role := r.Answers.RoleName
	if exists {
		if out, err := cl.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &role}); err == nil {
			for _, ap := range out.AttachedPolicies {
				if sdk.ToString(ap.PolicyArn) == EBWebTierARN {
					return
				}
			}
		}
	}
	p.Add(&Action{Summary: "attach AWSElasticBeanstalkWebTier to role " + role, Calls: []string{"iam:AttachRolePolicy"},
		Do: func(ctx context.Context) error {
			// IAM may not know an entity created moments ago yet.
			_, err := cl.AttachRolePolicy(aws.NewEntity.In(ctx), &iam.AttachRolePolicyInput{RoleName: &role, PolicyArn: sdk.String(EBWebTierARN)})
			return err
		}})
}

// planInstanceProfile plans the instance profile named as the role,
// holding the role: created when missing, otherwise checked (no other
// role, not another project's) and claimed.
func planInstanceProfile(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.IAM
	role := a.RoleName
	ip, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &role})
	ipExists := err == nil
	if err != nil && !aws.IsNotFound(err) && !r.Offline {
		return fmt.Errorf("read instance profile %s: %w", role, err)
	}
	hasRole := false
	if ipExists {
		// A profile holds at most one role: one holding another role is
		// someone else's, and instances using it would run with that role.
		if other := otherProfileRoles(ip.InstanceProfile.Roles, role); len(other) > 0 {
			return foreignProfileError(role, other)
		}
		tags := IAMTagMap(ip.InstanceProfile.Tags)
		if owner := ForeignOwner(a, tags); owner != "" {
			return ForeignError("instance profile "+role, a, owner)
		}
		claimCreated(r, p, state.KindInstanceProfile, role, sdk.ToString(ip.InstanceProfile.Arn), "instance profile "+role, tags)
		for _, rr := range ip.InstanceProfile.Roles {
			hasRole = hasRole || sdk.ToString(rr.RoleName) == role
		}
	} else {
		p.Add(createInstanceProfileAction(r))
	}
	if !hasRole {
		p.Add(&Action{Summary: "add role " + role + " to instance profile " + role, Calls: []string{"iam:AddRoleToInstanceProfile"},
			Do: func(ctx context.Context) error { return addRoleToProfile(ctx, cl, role) }})
	}
	return nil
}

// createInstanceProfileAction creates the instance profile, recorded as
// the wizard's.
func createInstanceProfileAction(r *Run) *Action {
	a := r.Answers
	cl := r.AWS.IAM
	role := a.RoleName
	return &Action{Summary: "create instance profile " + role, Calls: []string{"iam:CreateInstanceProfile"},
		Do: func(ctx context.Context) error {
			return createOwnedIAM(r, state.KindInstanceProfile, role, iamARN(r, "instance-profile", role), "instance profile "+role,
				func() error {
					_, err := cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: &role, Tags: iamTags(a)})
					return err
				},
				func() ([]iamtypes.Tag, error) {
					got, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &role})
					if err != nil {
						return nil, err
					}
					return got.InstanceProfile.Tags, nil
				})
		}}
}

// ebProfileRetryBudget bounds the retries of UpdateEnvironment while a new
// instance profile propagates.
const ebProfileRetryBudget = 60 * time.Second

// ebProfileSettle is UpdateEnvironment's wait (instanceProfileNotReady).
var ebProfileSettle = aws.Settle{NotYet: instanceProfileNotReady, Budget: ebProfileRetryBudget}

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

// addRoleToProfile puts role into the instance profile of the same name.
// LimitExceeded means the profile already holds a role (one at most): if it
// got another since the plan read it, it is someone else's and stays as it
// is.
func addRoleToProfile(ctx context.Context, cl aws.IAMAPI, role string) error {
	// IAM may not know an entity created moments ago yet.
	_, err := cl.AddRoleToInstanceProfile(aws.NewEntity.In(ctx), &iam.AddRoleToInstanceProfileInput{InstanceProfileName: &role, RoleName: &role})
	if aws.Code(err) == "LimitExceeded" {
		out, gerr := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &role})
		if gerr == nil {
			if other := otherProfileRoles(out.InstanceProfile.Roles, role); len(other) > 0 {
				return foreignProfileError(role, other)
			}
			if len(out.InstanceProfile.Roles) == 1 {
				return nil // ours got in meanwhile
			}
		}
		return fmt.Errorf("instance profile %s already holds a role (an instance profile holds one): not changed: %w", role, err)
	}
	if aws.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// otherProfileRoles are the roles of an instance profile other than ours.
func otherProfileRoles(roles []iamtypes.Role, ours string) []string {
	var other []string
	for _, r := range roles {
		if n := sdk.ToString(r.RoleName); n != ours {
			other = append(other, n)
		}
	}
	return other
}

func foreignProfileError(profile string, other []string) error {
	return fmt.Errorf("instance profile %s already holds role %s: it belongs to someone else and the wizard does not change it (an instance profile holds one role). Choose another role_name, or remove %s from the profile yourself if it really is unused", profile, strings.Join(other, ", "), strings.Join(other, ", "))
}

func verifyRole(ctx context.Context, r *Run) []Check {
	a := r.Answers
	cl := r.AWS.IAM
	var checks []Check
	ro, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: &a.RoleName})
	if err != nil {
		return []Check{Fail(CheckRole, "instance role "+a.RoleName, aws.Explain(err).Error())}
	}
	if doc, _ := url.QueryUnescape(sdk.ToString(ro.Role.AssumeRolePolicyDocument)); !trustsService(doc, ec2Service) {
		checks = append(checks, Fail(CheckRole, "instance role "+a.RoleName, "its trust policy does not let "+ec2Service+" assume it: no instance can use it"))
	} else {
		checks = append(checks, Pass(CheckRole, "instance role "+a.RoleName, "trusted by "+ec2Service))
	}
	out, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &a.RoleName, PolicyName: sdk.String(RoleInlinePolicy)})
	if err != nil {
		checks = append(checks, Fail(CheckRolePolicy, "role's least-privilege S3 policy", aws.Explain(err).Error()))
	} else if live, _ := url.QueryUnescape(sdk.ToString(out.PolicyDocument)); !policy.Equal(live, AppPolicy(a, kmsKeyARN(r)).JSON()) {
		checks = append(checks, Fail(CheckRolePolicy, "role's least-privilege S3 policy", "differs from the wanted one: run apply"))
	} else {
		checks = append(checks, Pass(CheckRolePolicy, "role's least-privilege S3 policy", ""))
	}
	checks = append(checks, profileCheck(ctx, cl, a.RoleName, sdk.ToString(ro.Role.RoleId)))
	return checks
}

// profileCheck proves the instance profile holds exactly our role: the same
// name and the same role ID (a role deleted and re-created under the name is
// another role), not merely some role.
func profileCheck(ctx context.Context, cl aws.IAMAPI, role, roleID string) Check {
	name := "instance profile " + role
	ip, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: &role})
	if err != nil {
		return Fail(CheckInstanceProfile, name, aws.Explain(err).Error())
	}
	roles := ip.InstanceProfile.Roles
	if other := otherProfileRoles(roles, role); len(other) > 0 {
		return Fail(CheckInstanceProfile, name, "holds role "+strings.Join(other, ", ")+", not "+role)
	}
	if len(roles) == 0 {
		return Fail(CheckInstanceProfile, name, "holds no role: run apply")
	}
	if id := sdk.ToString(roles[0].RoleId); roleID != "" && id != roleID {
		return Fail(CheckInstanceProfile, name, fmt.Sprintf("holds a role named %s with ID %s, not our role (ID %s)", role, id, roleID))
	}
	return Pass(CheckInstanceProfile, name, "holds role "+role)
}

// Elastic Beanstalk option namespaces the wizard sets.
const (
	ebLaunchNamespace = "aws:autoscaling:launchconfiguration"
	ebEnvNamespace    = "aws:elasticbeanstalk:application:environment"
)

// ebProperties are the environment properties the app needs on Elastic
// Beanstalk: the bucket, region and USE_S3_STORAGE (and the endpoint when one
// is in use). Never a secret: the instance role provides the credentials,
// and the env file is not deployed (it is .ebignored).
func (r *Run) ebProperties() []appconfig.DeployVar {
	var vs []appconfig.DeployVar
	for _, v := range r.deployVars(nil) {
		if v.Name != appconfig.EnvKeyID && v.Name != appconfig.EnvSecret {
			vs = append(vs, v)
		}
	}
	return vs
}

func deployVarNames(vs []appconfig.DeployVar) []string {
	n := make([]string, len(vs))
	for i, v := range vs {
		n[i] = v.Name
	}
	return n
}

// ebUpdateInput is the one UpdateEnvironment request: the instance profile
// and the app's environment properties together, so the environment is
// updated (and its instances replaced) once.
func ebUpdateInput(env, profile string, props []appconfig.DeployVar) *elasticbeanstalk.UpdateEnvironmentInput {
	opts := []ebtypes.ConfigurationOptionSetting{{
		Namespace: sdk.String(ebLaunchNamespace), OptionName: sdk.String("IamInstanceProfile"), Value: sdk.String(profile),
	}}
	for _, v := range props {
		opts = append(opts, ebtypes.ConfigurationOptionSetting{
			Namespace: sdk.String(ebEnvNamespace), OptionName: sdk.String(v.Name), Value: sdk.String(v.Value)})
	}
	return &elasticbeanstalk.UpdateEnvironmentInput{EnvironmentName: sdk.String(env), OptionSettings: opts}
}

// planEB adds the one UpdateEnvironment (instance profile and the app's
// properties together) unless the environment already has them all: each
// update rolls the environment, so an unchanged one is left alone. An
// environment that does not exist is refused before anything is sent.
func planEB(ctx context.Context, r *Run, p *Plan, role string) error {
	env := r.Answers.EBEnvironment
	in := ebUpdateInput(env, role, r.ebProperties())
	update := &Action{Summary: fmt.Sprintf("use instance profile %s in Elastic Beanstalk environment %s and set its properties %s (one update, rolling)", role, env, strings.Join(deployVarNames(r.ebProperties()), ", ")),
		Calls: []string{"elasticbeanstalk:UpdateEnvironment"},
		Do: func(ctx context.Context) error {
			_, err := r.AWS.EB.UpdateEnvironment(ebProfileSettle.In(ctx), in)
			return err
		}}
	warn := func() {
		p.Warn("switching the instance profile replaces the instances: make sure /health/ answers before CommonMiddleware (see the hand-off document) so the new instance passes the health check without ALLOWED_HOSTS = ['*']")
	}
	if r.Offline {
		p.Add(update)
		warn()
		return nil
	}
	out, err := r.AWS.EB.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{env}})
	if err != nil {
		return fmt.Errorf("read Elastic Beanstalk environment %s: %w", env, err)
	}
	var app string
	for _, e := range out.Environments {
		if sdk.ToString(e.EnvironmentName) == env && e.Status != ebtypes.EnvironmentStatusTerminated && e.Status != ebtypes.EnvironmentStatusTerminating {
			app = sdk.ToString(e.ApplicationName)
		}
	}
	if app == "" {
		return fmt.Errorf("no Elastic Beanstalk environment %s in %s: check eb_environment (`eb list`) and the region", env, r.AWS.Region)
	}
	live, err := r.AWS.EB.DescribeConfigurationSettings(ctx, &elasticbeanstalk.DescribeConfigurationSettingsInput{ApplicationName: &app, EnvironmentName: &env})
	if err != nil {
		p.Notice("could not read the settings of Elastic Beanstalk environment %s (%s): the instance profile and properties are sent anyway", env, text.FirstLine(aws.Explain(err).Error()))
		p.Add(update)
		warn()
		return nil
	}
	if diff := ebSettingsDiffer(live.ConfigurationSettings, in.OptionSettings); len(diff) > 0 {
		p.Notice("Elastic Beanstalk environment %s differs in: %s", env, strings.Join(diff, ", "))
		p.Add(update)
		if slices.Contains(diff, "IamInstanceProfile") {
			warn()
		}
		return nil
	}
	p.Notice("Elastic Beanstalk environment %s already uses instance profile %s and has the app's properties", env, role)
	return nil
}

// ebSettingsDiffer names the wanted options the live settings lack or hold
// with another value. Elastic Beanstalk may give the instance profile as a
// name or an ARN.
func ebSettingsDiffer(live []ebtypes.ConfigurationSettingsDescription, want []ebtypes.ConfigurationOptionSetting) []string {
	have := map[string]string{}
	for _, cs := range live {
		for _, o := range cs.OptionSettings {
			have[sdk.ToString(o.Namespace)+" "+sdk.ToString(o.OptionName)] = sdk.ToString(o.Value)
		}
	}
	var diff []string
	for _, o := range want {
		v, ok := have[sdk.ToString(o.Namespace)+" "+sdk.ToString(o.OptionName)]
		w := sdk.ToString(o.Value)
		if sdk.ToString(o.OptionName) == "IamInstanceProfile" && strings.HasSuffix(v, ":instance-profile/"+w) {
			v = w
		}
		if !ok || v != w {
			diff = append(diff, sdk.ToString(o.OptionName))
		}
	}
	return diff
}

// ec2Service is the principal an instance role must trust.
const ec2Service = "ec2.amazonaws.com"

// trustsService reports whether a trust policy lets service assume the
// role: an Allow statement for sts:AssumeRole (or a wildcard) whose
// Principal's Service names it.
func trustsService(doc, service string) bool {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return false
	}
	type statement struct {
		Effect    string
		Action    any
		Principal any
	}
	var sts []statement
	if json.Unmarshal(d.Statement, &sts) != nil {
		var one statement
		if json.Unmarshal(d.Statement, &one) != nil {
			return false
		}
		sts = []statement{one}
	}
	list := func(v any) []string {
		switch v := v.(type) {
		case string:
			return []string{v}
		case []any:
			var out []string
			for _, x := range v {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		return nil
	}
	for _, st := range sts {
		if st.Effect != "Allow" || !slices.ContainsFunc(list(st.Action), func(a string) bool {
			return a == "sts:AssumeRole" || a == "sts:*" || a == "*"
		}) {
			continue
		}
		if p, ok := st.Principal.(map[string]any); ok && slices.Contains(list(p["Service"]), service) {
			return true
		}
	}
	return false
}

// iamARN is the ARN of an IAM resource (kind "user", "role",
// "instance-profile") in the run's account ("" while it is unknown).
func iamARN(r *Run, kind, name string) string {
	if r.AccountID() == "" {
		return ""
	}
	return fmt.Sprintf("arn:aws:iam::%s:%s/%s", r.AccountID(), kind, name)
}
