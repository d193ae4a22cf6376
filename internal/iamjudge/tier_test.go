package iamjudge_test

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/internal/childproc"
	"github.com/s3wizard/s3wizard/internal/iamjudge"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/operator"
	"github.com/s3wizard/s3wizard/steps"
)

// AWS documents each rule below comes from.
const (
	docEval       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
	docS3Actions  = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html"
	docCWActions  = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html"
	docS3Auth     = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html"
	docTLS        = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit"
	docBPA        = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status"
	docPublicRead = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html#example-bucket-policies-anonymous-user"
	docLogs       = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general"
	docTrust      = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html"
	docKMSVia     = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service"
	docKMSDefault = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam"
	docPolicyARN  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_policyarn"
	docPassRole   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
	docAddRole    = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html"
	docTagCreate  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html#access_iam-tags_create"
	docEBWebTier  = "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/iam-instanceprofile.html"
	docEBUser     = "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/iam-userpolicy.html"
)

const (
	account      = motoserver.AccountID
	otherAccount = "210987654321"
)

// row is one request and the answer IAM must give it.
type row struct {
	name string
	doc  string // the AWS page the rule comes from
	sim  iamjudge.Simulation
	want string
}

// applied is an env applied behind TLS, with its documents read back from
// the account.
type applied struct {
	a         *config.Answers
	identity  []iamjudge.Policy // every policy the app's user (through its groups) or role holds
	principal string
	bucketPol any
	logPol    any
	trust     any
	keyPol    any
	keyARN    string
	operator  any
	bpa       bool // the bucket's RestrictPublicBuckets
	logBPA    bool
}

// decode reads a policy document as IAM returns it (URL-encoded).
func decode(t *testing.T, doc string) any {
	t.Helper()
	if d, err := url.QueryUnescape(doc); err == nil && strings.HasPrefix(strings.TrimSpace(doc), "%7B") {
		doc = d
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("unreadable policy %q: %v", doc, err)
	}
	return v
}

// apply runs the wizard's steps for answers against moto behind the TLS
// front, and reads back every document it wrote.
func apply(t *testing.T, moto *motoserver.Server, answers string, withKey bool) *applied {
	t.Helper()
	ctx := context.Background()
	var keyID string
	if withKey {
		out, err := kms.NewFromConfig(moto.AWSConfig(t, "eu-west-3")).CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		keyID = sdk.ToString(out.KeyMetadata.KeyId)
		answers += "encryption: SSE-KMS\nkms_key_id: " + keyID + "\n"
	}
	a := testrun.Answers(t, answers)
	r := testrun.New(t, t.TempDir(), a, nil)
	r.KeyPropagation = time.Second // moto knows a new key at once
	if !r.AWS.TLS() {
		t.Fatalf("the wizard does not see a TLS endpoint: %q", r.AWS.Endpoint)
	}
	for _, id := range []string{"preflight", "bucket", "layout", "iam", "role", "access-key", "public", "protection"} {
		_, checks, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), id))
		if err == nil {
			continue
		}
		// moto enforces a bucket policy's Deny on object requests without
		// its condition (moto/iam/access_control.py evaluates StringEquals
		// only), so the non-TLS deny refuses the wizard's own probe objects
		// behind TLS: those checks alone may fail here. The documents are
		// written before them.
		for _, c := range checks {
			if !c.OK && !strings.Contains(c.Detail, "Forbidden") {
				t.Fatalf("apply %s: %v (check %s: %s)", id, err, c.Name, c.Detail)
			}
		}
		if len(checks) == 0 {
			t.Fatalf("apply %s: %v", id, err)
		}
		t.Logf("apply %s: %v (moto's unconditional deny)", id, err)
	}

	cl := iam.NewFromConfig(r.AWS.Cfg)
	s3c := s3.NewFromConfig(r.AWS.Cfg, func(o *s3.Options) { o.UsePathStyle = true; o.Region = a.Region })
	out := &applied{a: a}
	// A managed policy's default version, as IAM serves it.
	managed := func(arn string) iamjudge.Policy {
		p, err := cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		v, err := cl.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			t.Fatal(err)
		}
		return iamjudge.Policy{Name: arn, Policy: decode(t, sdk.ToString(v.PolicyVersion.Document))}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Every policy the app's identity holds, found from the identity:
	// what AWS evaluates, not what the wizard meant to write.
	switch a.Credentials {
	case config.CredAccessKeys:
		user := &a.IAMUser
		groups, err := cl.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})
		must(err)
		for _, g := range groups.Groups {
			att, err := cl.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: g.GroupName})
			must(err)
			for _, ap := range att.AttachedPolicies {
				out.identity = append(out.identity, managed(sdk.ToString(ap.PolicyArn)))
			}
			inl, err := cl.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: g.GroupName})
			must(err)
			for _, name := range inl.PolicyNames {
				gp, err := cl.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: g.GroupName, PolicyName: &name})
				must(err)
				out.identity = append(out.identity, iamjudge.Policy{Name: name, Policy: decode(t, sdk.ToString(gp.PolicyDocument))})
			}
		}
		att, err := cl.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: user})
		must(err)
		for _, ap := range att.AttachedPolicies {
			out.identity = append(out.identity, managed(sdk.ToString(ap.PolicyArn)))
		}
		inl, err := cl.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: user})
		must(err)
		for _, name := range inl.PolicyNames {
			up, err := cl.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: user, PolicyName: &name})
			must(err)
			out.identity = append(out.identity, iamjudge.Policy{Name: name, Policy: decode(t, sdk.ToString(up.PolicyDocument))})
		}
		out.principal = "arn:aws:iam::" + account + ":user/" + a.IAMUser
	case config.CredInstanceRole:
		role := &a.RoleName
		inl, err := cl.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role})
		must(err)
		for _, name := range inl.PolicyNames {
			rp, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: &name})
			must(err)
			out.identity = append(out.identity, iamjudge.Policy{Name: name, Policy: decode(t, sdk.ToString(rp.PolicyDocument))})
		}
		att, err := cl.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role})
		must(err)
		for _, ap := range att.AttachedPolicies {
			out.identity = append(out.identity, managed(sdk.ToString(ap.PolicyArn)))
		}
		// Issue 18.6: the Elastic Beanstalk web tier policy is for an EB
		// environment only, never on plain EC2.
		if a.EBEnvironment == "" && len(att.AttachedPolicies) > 0 {
			t.Errorf("a plain EC2 role has managed policies attached: %s", sdk.ToString(att.AttachedPolicies[0].PolicyArn))
		}
		r, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: role})
		must(err)
		out.trust = decode(t, sdk.ToString(r.Role.AssumeRolePolicyDocument))
		out.principal = "arn:aws:sts::" + account + ":assumed-role/" + a.RoleName + "/i-0123456789abcdef0"
	}
	if len(out.identity) == 0 {
		t.Fatalf("the app's identity holds no policy")
	}
	bucketPolicy := func(b string) (any, bool) {
		pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &b})
		if err != nil {
			t.Fatalf("bucket policy of %s: %v", b, err)
		}
		bpa, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &b})
		if err != nil {
			t.Fatalf("Block Public Access of %s: %v", b, err)
		}
		return decode(t, sdk.ToString(pol.Policy)), sdk.ToBool(bpa.PublicAccessBlockConfiguration.RestrictPublicBuckets)
	}
	out.bucketPol, out.bpa = bucketPolicy(a.Bucket)
	if out.bpa == (len(a.PublicReadPrefixes()) > 0) {
		t.Errorf("RestrictPublicBuckets is %v with public prefixes %v", out.bpa, a.PublicReadPrefixes())
	}
	if a.AccessLogs {
		out.logPol, out.logBPA = bucketPolicy(steps.LogBucketName(a.Bucket))
	}
	if keyID != "" {
		kp, err := kms.NewFromConfig(r.AWS.Cfg, func(o *kms.Options) { o.Region = a.Region }).GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &keyID, PolicyName: sdk.String("default")})
		if err != nil {
			t.Fatal(err)
		}
		out.keyPol = decode(t, sdk.ToString(kp.Policy))
		out.keyARN = "arn:aws:kms:" + a.Region + ":" + account + ":key/" + keyID
	}
	op, err := operator.Policy(a, account)
	if err != nil {
		t.Fatal(err)
	}
	out.operator = decode(t, op.JSON())
	return out
}

// sim builds a request of principal on resource (in account), over TLS or
// not, with the extra context keys kv (key, value, …).
func sim(principal any, action, resource, owner string, tls bool, kv ...string) iamjudge.Simulation {
	ctx := map[string]string{"aws:SecureTransport": map[bool]string{true: "true", false: "false"}[tls]}
	for i := 0; i+1 < len(kv); i += 2 {
		ctx[kv[i]] = kv[i+1]
	}
	return iamjudge.Simulation{Request: iamjudge.Request{Principal: principal, Action: action,
		Resource: iamjudge.Resource{Resource: resource, AccountID: owner}, ContextVariables: ctx}}
}

func (e *applied) obj(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// app is a request of the app's credentials on the media bucket.
func (e *applied) app(action, resource string, tls bool, kv ...string) iamjudge.Simulation {
	s := sim(e.principal, action, resource, account, tls, kv...)
	s.IdentityPolicies = e.identity
	s.ResourcePolicy = e.bucketPol
	return s
}

// anon is an unsigned request on the media bucket, under its Block Public Access.
func (e *applied) anon(action, resource string, tls bool) iamjudge.Simulation {
	s := sim(iamjudge.Anonymous, action, resource, account, tls)
	s.ResourcePolicy, s.BlockPublicAccess = e.bucketPol, e.bpa
	return s
}

// operator is a request of someone holding only operator-policy's output.
func (e *applied) op(action, resource string, resourcePolicy any, kv ...string) iamjudge.Simulation {
	s := sim("arn:aws:iam::"+account+":user/operator", action, resource, account, true, kv...)
	s.IdentityPolicies = []iamjudge.Policy{{Name: "operator", Policy: e.operator}}
	s.ResourcePolicy = resourcePolicy
	return s
}

// rows are the scenarios every setup shares, and those of its options.
func (e *applied) rows() []row {
	a := e.a
	b := a.Bucket
	in := func(key string) string { return e.obj(b, key) }
	bucketARN := "arn:aws:s3:::" + b
	alarmARN := func(name string) string { return "arn:aws:cloudwatch:" + a.Region + ":" + account + ":alarm:" + name }
	rows := []row{
		{"app reads a private media file", docS3Actions, e.app("s3:GetObject", in("media/products/p.jpg"), true), iamjudge.Allowed},
		{"app writes a media file", docS3Actions, e.app("s3:PutObject", in("media/products/p.jpg"), true), iamjudge.Allowed},
		{"app deletes a media file", docS3Actions, e.app("s3:DeleteObject", in("media/products/p.jpg"), true), iamjudge.Allowed},
		{"app aborts a multipart upload", docS3Actions, e.app("s3:AbortMultipartUpload", in("uploads/big.bin"), true), iamjudge.Allowed},
		{"app writes under uploads/", docS3Actions, e.app("s3:PutObject", in("uploads/a.csv"), true), iamjudge.Allowed},
		{"app lists the bucket", docS3Actions, e.app("s3:ListBucket", bucketARN, true, "s3:prefix", "media/"), iamjudge.Allowed},
		{"app writes outside its prefixes", docEval, e.app("s3:PutObject", in("backup/db.sql"), true), iamjudge.ImplicitlyDenied},
		{"app writes at the bucket's root", docEval, e.app("s3:PutObject", in("index.html"), true), iamjudge.ImplicitlyDenied},
		{"app writes to another bucket", docEval, e.app("s3:PutObject", e.obj("someone-elses-bucket", "media/x"), true), iamjudge.ImplicitlyDenied},
		{"app replaces the bucket policy", docEval, e.app("s3:PutBucketPolicy", bucketARN, true), iamjudge.ImplicitlyDenied},
		{"app deletes the bucket", docEval, e.app("s3:DeleteBucket", bucketARN, true), iamjudge.ImplicitlyDenied},
		{"app reads without TLS", docTLS, e.app("s3:GetObject", in("media/products/p.jpg"), false), iamjudge.ExplicitlyDenied},
		{"app writes without TLS", docTLS, e.app("s3:PutObject", in("media/products/p.jpg"), false), iamjudge.ExplicitlyDenied},
		{"app deletes without TLS", docTLS, e.app("s3:DeleteObject", in("media/products/p.jpg"), false), iamjudge.ExplicitlyDenied},
		{"app lists without TLS", docTLS, e.app("s3:ListBucket", bucketARN, false), iamjudge.ExplicitlyDenied},
		{"anonymous reads a private file", docPublicRead, e.anon("s3:GetObject", in("media/products/p.jpg"), true), iamjudge.ImplicitlyDenied},
		{"anonymous lists the bucket", docPublicRead, e.anon("s3:ListBucket", bucketARN, true), iamjudge.ImplicitlyDenied},
		{"anonymous reads without TLS", docTLS, e.anon("s3:GetObject", in("media/products/p.jpg"), false), iamjudge.ExplicitlyDenied},

		// The operator, holding only operator-policy's output.
		{"operator creates this bucket", docS3Actions, e.op("s3:CreateBucket", bucketARN, nil), iamjudge.Allowed},
		{"operator writes this bucket's policy", docS3Actions, e.op("s3:PutBucketPolicy", bucketARN, e.bucketPol), iamjudge.Allowed},
		{"operator writes this bucket's policy without TLS", docTLS, func() iamjudge.Simulation {
			s := e.op("s3:PutBucketPolicy", bucketARN, e.bucketPol)
			s.Request.ContextVariables["aws:SecureTransport"] = "false"
			return s
		}(), iamjudge.ExplicitlyDenied},
		{"operator creates another bucket", docEval, e.op("s3:CreateBucket", "arn:aws:s3:::someone-elses-bucket", nil), iamjudge.ImplicitlyDenied},
		{"operator writes another bucket's policy", docEval, e.op("s3:PutBucketPolicy", "arn:aws:s3:::someone-elses-bucket", nil), iamjudge.ImplicitlyDenied},
		{"operator reads the account's Block Public Access", docS3Actions, e.op("s3:GetAccountPublicAccessBlock", "*", nil), iamjudge.Allowed},
		{"operator deletes another user", docEval, e.op("iam:DeleteUser", "arn:aws:iam::"+account+":user/admin", nil), iamjudge.ImplicitlyDenied},
		{"operator deletes another role", docEval, e.op("iam:DeleteRole", "arn:aws:iam::"+account+":role/admin", nil), iamjudge.ImplicitlyDenied},
		// adopt tells the wizard's alarms from another's by their tags.
		{"operator reads this env's alarm tags (adopt)", docCWActions, e.op("cloudwatch:ListTagsForResource", alarmARN(steps.SizeAlarmName(b)), nil), iamjudge.Allowed},
		{"operator reads another alarm's tags", docEval, e.op("cloudwatch:ListTagsForResource", alarmARN("billing-alarm"), nil), iamjudge.ImplicitlyDenied},
		{"operator passes an admin role to EC2", docPassRole, e.op("iam:PassRole", "arn:aws:iam::"+account+":role/admin", nil, "iam:PassedToService", "ec2.amazonaws.com"), iamjudge.ImplicitlyDenied},
	}
	if len(a.PublicReadPrefixes()) > 0 {
		for _, p := range a.PublicReadPrefixes() {
			rows = append(rows,
				row{"anonymous reads under public " + p, docPublicRead, e.anon("s3:GetObject", in(p+"a.jpg"), true), iamjudge.Allowed},
				row{"anonymous reads under public " + p + " without TLS", docTLS, e.anon("s3:GetObject", in(p+"a.jpg"), false), iamjudge.ExplicitlyDenied},
				row{"anonymous writes under public " + p, docPublicRead, e.anon("s3:PutObject", in(p+"a.jpg"), true), iamjudge.ImplicitlyDenied},
				row{"anonymous deletes under public " + p, docPublicRead, e.anon("s3:DeleteObject", in(p+"a.jpg"), true), iamjudge.ImplicitlyDenied},
				row{"app writes under public " + p, docS3Actions, e.app("s3:PutObject", in(p+"a.jpg"), true), iamjudge.Allowed},
			)
			// Why the wizard relaxes RestrictPublicBuckets with public
			// prefixes: on, it blocks the public statement (a denial the
			// simulator, like S3, reports as explicit).
			strict := e.anon("s3:GetObject", in(p+"a.jpg"), true)
			strict.BlockPublicAccess = true
			rows = append(rows, row{"RestrictPublicBuckets would refuse public " + p, docBPA, strict, iamjudge.ExplicitlyDenied})
		}
	} else {
		rows = append(rows,
			row{"Block Public Access is on without public prefixes", docBPA, e.anon("s3:GetObject", in("media/a.jpg"), true), iamjudge.ImplicitlyDenied})
	}
	if a.AccessLogs {
		logs := steps.LogBucketName(b)
		logObj := e.obj(logs, "logs/2026-01-01-00-00-00-ABCDEF")
		delivery := func(resource, sourceARN, sourceAccount string, tls bool) iamjudge.Simulation {
			s := sim("logging.s3.amazonaws.com", "s3:PutObject", resource, account, tls, "aws:SourceArn", sourceARN, "aws:SourceAccount", sourceAccount)
			s.ResourcePolicy, s.BlockPublicAccess = e.logPol, e.logBPA
			return s
		}
		onLogs := func(principal any, action, resource string, tls bool) iamjudge.Simulation {
			s := sim(principal, action, resource, account, tls)
			if principal != iamjudge.Anonymous {
				s.IdentityPolicies = e.identity
			}
			s.ResourcePolicy, s.BlockPublicAccess = e.logPol, e.logBPA
			return s
		}
		rows = append(rows,
			row{"log delivery for this bucket and account", docLogs, delivery(logObj, "arn:aws:s3:::"+b, account, true), iamjudge.Allowed},
			row{"log delivery for another bucket", docLogs, delivery(logObj, "arn:aws:s3:::someone-elses-bucket", account, true), iamjudge.ImplicitlyDenied},
			row{"log delivery for another account", docLogs, delivery(logObj, "arn:aws:s3:::"+b, otherAccount, true), iamjudge.ImplicitlyDenied},
			row{"log delivery outside logs/", docLogs, delivery(e.obj(logs, "other/x"), "arn:aws:s3:::"+b, account, true), iamjudge.ImplicitlyDenied},
			row{"log delivery without TLS", docTLS, delivery(logObj, "arn:aws:s3:::"+b, account, false), iamjudge.ExplicitlyDenied},
			row{"anonymous reads the logs", docPublicRead, onLogs(iamjudge.Anonymous, "s3:GetObject", logObj, true), iamjudge.ImplicitlyDenied},
			row{"app reads the logs", docEval, onLogs(e.principal, "s3:GetObject", logObj, true), iamjudge.ImplicitlyDenied},
			row{"operator configures the log bucket", docS3Actions, e.op("s3:PutBucketPolicy", "arn:aws:s3:::"+logs, e.logPol), iamjudge.Allowed},
		)
	}
	rows = append(rows, e.credentialRows()...)
	if e.keyARN != "" {
		rows = append(rows, e.kmsRows()...)
	}
	return rows
}

func (e *applied) credentialRows() []row {
	a := e.a
	iamARN := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	switch a.Credentials {
	case config.CredAccessKeys:
		group := iamARN("group", steps.GroupName(a))
		user := iamARN("user", a.IAMUser)
		return []row{
			{"operator creates the app's user", docEval, e.op("iam:CreateUser", user, nil), iamjudge.Allowed},
			// CreateUser sends tags (managed-by, s3wizard-env).
			{"operator tags the app's user on create", docTagCreate, e.op("iam:TagUser", user, nil), iamjudge.Allowed},
			{"operator tags the app's policy on create", docTagCreate, e.op("iam:TagPolicy", steps.PolicyARN(a, account), nil), iamjudge.Allowed},
			{"operator makes the app's access key", docEval, e.op("iam:CreateAccessKey", user, nil), iamjudge.Allowed},
			{"operator makes another user's access key", docEval, e.op("iam:CreateAccessKey", iamARN("user", "admin"), nil), iamjudge.ImplicitlyDenied},
			{"operator attaches the wizard's policy to the group", docPolicyARN, e.op("iam:AttachGroupPolicy", group, nil, "iam:PolicyARN", steps.PolicyARN(a, account)), iamjudge.Allowed},
			{"operator attaches AdministratorAccess to the group", docPolicyARN, e.op("iam:AttachGroupPolicy", group, nil, "iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess"), iamjudge.ImplicitlyDenied},
			{"operator attaches the wizard's policy to another group", docPolicyARN, e.op("iam:AttachGroupPolicy", iamARN("group", "admins"), nil, "iam:PolicyARN", steps.PolicyARN(a, account)), iamjudge.ImplicitlyDenied},
			{"operator rewrites another policy", docEval, e.op("iam:CreatePolicyVersion", "arn:aws:iam::"+account+":policy/admin", nil), iamjudge.ImplicitlyDenied},
		}
	case config.CredInstanceRole:
		role := iamARN("role", a.RoleName)
		assume := func(principal string) iamjudge.Simulation {
			s := sim(principal, "sts:AssumeRole", role, account, true)
			s.ResourcePolicy = e.trust
			return s
		}
		sameAccountUser := assume("arn:aws:iam::" + account + ":user/someone")
		sameAccountUser.IdentityPolicies = []iamjudge.Policy{{Name: "assume", Policy: map[string]any{"Version": "2012-10-17",
			"Statement": []any{map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}}}}}
		rows := []row{
			{"EC2 assumes the role", docTrust, assume("ec2.amazonaws.com"), iamjudge.Allowed},
			{"Lambda assumes the role", docTrust, assume("lambda.amazonaws.com"), iamjudge.ImplicitlyDenied},
			{"another account assumes the role", docTrust, assume("arn:aws:iam::" + otherAccount + ":root"), iamjudge.ImplicitlyDenied},
			{"a user of the account allowed sts:AssumeRole assumes the role", docTrust, sameAccountUser, iamjudge.ImplicitlyDenied},
			{"operator creates the role", docEval, e.op("iam:CreateRole", role, nil), iamjudge.Allowed},
			{"operator tags the role on create", docTagCreate, e.op("iam:TagRole", role, nil), iamjudge.Allowed},
			{"operator tags the instance profile on create", docTagCreate, e.op("iam:TagInstanceProfile", iamARN("instance-profile", a.RoleName), nil), iamjudge.Allowed},
			{"operator puts the role's inline policy", docEval, e.op("iam:PutRolePolicy", role, nil), iamjudge.Allowed},
			{"operator puts another role's inline policy", docEval, e.op("iam:PutRolePolicy", iamARN("role", "admin"), nil), iamjudge.ImplicitlyDenied},
			{"operator adds the role to its instance profile", docAddRole, e.op("iam:AddRoleToInstanceProfile", iamARN("instance-profile", a.RoleName), nil), iamjudge.Allowed},
			// AddRoleToInstanceProfile: "The caller of this operation must
			// be granted the PassRole permission on the IAM role".
			{"operator passes the role (AddRoleToInstanceProfile)", docAddRole, e.op("iam:PassRole", role, nil, "iam:PassedToService", "ec2.amazonaws.com"), iamjudge.Allowed},
			{"operator passes the role to another service", docPassRole, e.op("iam:PassRole", role, nil, "iam:PassedToService", "lambda.amazonaws.com"), iamjudge.ImplicitlyDenied},
			{"operator attaches AdministratorAccess to the role", docPolicyARN, e.op("iam:AttachRolePolicy", role, nil, "iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess"), iamjudge.ImplicitlyDenied},
		}
		web := iamjudge.ImplicitlyDenied
		if a.EBEnvironment != "" {
			web = iamjudge.Allowed
		}
		rows = append(rows, row{"operator attaches AWSElasticBeanstalkWebTier (EB only)", docEBWebTier,
			e.op("iam:AttachRolePolicy", role, nil, "iam:PolicyARN", steps.EBWebTierARN), web})
		return rows
	}
	return nil
}

// kmsRows: the customer key's default key policy delegates to IAM; the app's
// statement allows the key only through S3 in the bucket's region.
func (e *applied) kmsRows() []row {
	use := func(action string, kv ...string) iamjudge.Simulation {
		s := sim(e.principal, action, e.keyARN, account, true, kv...)
		s.IdentityPolicies = e.identity
		s.ResourcePolicy = e.keyPol
		return s
	}
	via := "kms:ViaService"
	s3Here := "s3." + e.a.Region + ".amazonaws.com"
	opUse := e.op("kms:GenerateDataKey", e.keyARN, e.keyPol)
	return []row{
		{"app encrypts through S3", docKMSVia, use("kms:GenerateDataKey", via, s3Here, "kms:CallerAccount", account), iamjudge.Allowed},
		{"app decrypts through S3", docKMSVia, use("kms:Decrypt", via, s3Here, "kms:CallerAccount", account), iamjudge.Allowed},
		{"app decrypts directly", docKMSVia, use("kms:Decrypt", "kms:CallerAccount", account), iamjudge.ImplicitlyDenied},
		{"app decrypts through S3 in another region", docKMSVia, use("kms:Decrypt", via, "s3.us-east-1.amazonaws.com"), iamjudge.ImplicitlyDenied},
		{"app decrypts through another service", docKMSVia, use("kms:Decrypt", via, "ec2."+e.a.Region+".amazonaws.com"), iamjudge.ImplicitlyDenied},
		{"app schedules the key's deletion", docKMSDefault, use("kms:ScheduleKeyDeletion"), iamjudge.ImplicitlyDenied},
		{"operator's probes encrypt with the key", docKMSDefault, opUse, iamjudge.Allowed},
	}
}

// documents are every document to check against the service reference.
func (e *applied) documents() []iamjudge.Document {
	docs := []iamjudge.Document{
		{Name: "bucket policy", Policy: e.bucketPol},
		{Name: "operator policy", Policy: e.operator},
	}
	for _, p := range e.identity {
		docs = append(docs, iamjudge.Document{Name: "app policy " + p.Name, Policy: p.Policy})
	}
	if e.logPol != nil {
		docs = append(docs, iamjudge.Document{Name: "log bucket policy", Policy: e.logPol})
	}
	if e.trust != nil {
		docs = append(docs, iamjudge.Document{Name: "trust policy", Policy: e.trust, Resource: "arn:aws:iam::" + account + ":role/" + e.a.RoleName})
	}
	if e.keyPol != nil {
		docs = append(docs, iamjudge.Document{Name: "key policy", Policy: e.keyPol})
	}
	return docs
}

// Issue 18: every document the wizard writes, read back from the account
// after apply behind TLS, judged by an IAM simulator (conditions included)
// instead of moto, for each kind of setup.
func TestIAMJudgeTier(t *testing.T) {
	moto := motoserver.Shared(t)
	endpoint, ca := iamjudge.TLSFront(t, moto.URL())
	env := []string{"AWS_CA_BUNDLE=" + ca, "SSL_CERT_FILE=" + ca}
	for _, kv := range moto.Env() {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			kv = "AWS_ENDPOINT_URL=" + endpoint
		}
		env = append(env, kv)
	}
	childproc.UseEnv(t, env)
	moto.Reset(t)

	base := "app: shop\nregion: eu-west-3\nfolders: [blog, products]\nversioning: true\naccess_logs: true\n"
	setups := []struct {
		name, answers string
		kmsKey        bool
	}{
		{"access-keys", "env: staging\n" + base + "credentials: access-keys\npublic_prefixes: [media/blog/]\n", false},
		{"instance-role", "env: prod\n" + base + "credentials: instance-role\n", false},
		{"customer KMS key", "env: kms\n" + base + "credentials: instance-role\n", true},
		{"static_on_s3", "env: static\n" + base + "credentials: access-keys\nstatic_on_s3: true\n", false},
	}
	var mu sync.Mutex
	total := 0
	t.Cleanup(func() {
		t.Logf("%d scenario rows judged", total)
		if total < 40 {
			t.Errorf("only %d scenario rows", total)
		}
	})
	judge := func(t *testing.T, rows []row, docs []iamjudge.Document) {
		sims := map[string]iamjudge.Simulation{}
		for _, r := range rows {
			if _, dup := sims[r.name]; dup {
				t.Fatalf("two rows named %q", r.name)
			}
			sims[r.name] = r.sim
		}
		v := iamjudge.Judge(t, sims, docs)
		got := map[string]iamjudge.Result{}
		for _, r := range v.Results {
			got[r.ID] = r
		}
		for _, r := range rows {
			res := got[r.name]
			switch {
			case res.Error != "":
				t.Errorf("%s: the simulator refused the request: %s", r.name, res.Error)
			case res.Decision != r.want:
				t.Errorf("%s: %s, want %s (%s)", r.name, res.Decision, r.want, r.doc)
			}
		}
		sort.Strings(v.Findings)
		for _, f := range v.Findings {
			t.Errorf("document: %s", f)
		}
		mu.Lock()
		total += len(rows)
		mu.Unlock()
	}
	// The envs' resources have different names: they are applied side by
	// side (most of an apply is waiting).
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			e := apply(t, moto, s.answers, s.kmsKey)
			judge(t, e.rows(), e.documents())
		})
	}
	// Elastic Beanstalk: moto has no UpdateEnvironment, so only
	// operator-policy's output is judged (it is rendered from the answers).
	t.Run("eb_environment operator-policy", func(t *testing.T) {
		t.Parallel()
		a := testrun.Answers(t, "env: eb\n"+base+"credentials: instance-role\neb_environment: shop-eb-env\n")
		op, err := operator.Policy(a, account)
		if err != nil {
			t.Fatal(err)
		}
		e := &applied{a: a, operator: decode(t, op.JSON())}
		role := "arn:aws:iam::" + account + ":role/" + a.RoleName
		envARN := func(name string) string {
			return "arn:aws:elasticbeanstalk:" + a.Region + ":" + account + ":environment/shop/" + name
		}
		rows := []row{
			{"operator updates this EB environment", docEBUser, e.op("elasticbeanstalk:UpdateEnvironment", envARN(a.EBEnvironment), nil), iamjudge.Allowed},
			{"operator updates another EB environment", docEval, e.op("elasticbeanstalk:UpdateEnvironment", envARN("other-env"), nil), iamjudge.ImplicitlyDenied},
			{"operator passes the role to EC2 for EB", docPassRole, e.op("iam:PassRole", role, nil, "iam:PassedToService", "ec2.amazonaws.com"), iamjudge.Allowed},
			{"operator attaches AWSElasticBeanstalkWebTier with EB", docEBWebTier, e.op("iam:AttachRolePolicy", role, nil, "iam:PolicyARN", steps.EBWebTierARN), iamjudge.Allowed},
			{"operator attaches AdministratorAccess to the EB role", docPolicyARN, e.op("iam:AttachRolePolicy", role, nil, "iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess"), iamjudge.ImplicitlyDenied},
		}
		judge(t, rows, []iamjudge.Document{{Name: "operator policy (EB)", Policy: e.operator}})
	})
}
