package steps_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/internal/testrun"
	"github.com/s3wizard/s3wizard/inventory"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

const ownAnswers = "env: staging\napp: mon-app\nregion: eu-west-3\n"

// loseFirstReply forwards to moto the first request of each kind that
// match names ("" for none) and answers it 500: the reply is lost, the SDK
// retries.
func loseFirstReply(t *testing.T, moto string, match func(req *http.Request, body string) string) (url string, lost *atomic.Int32) {
	lost = &atomic.Int32{}
	var mu sync.Mutex
	seen := map[string]bool{}
	return motoserver.FaultProxy(t, moto, func(w http.ResponseWriter, req *http.Request, body string, proxy http.Handler) bool {
		kind := match(req, body)
		mu.Lock()
		first := kind != "" && !seen[kind]
		seen[kind] = true
		mu.Unlock()
		if !first {
			return false
		}
		lost.Add(1)
		proxy.ServeHTTP(httptest.NewRecorder(), req)
		http.Error(w, "upstream reset", http.StatusInternalServerError)
		return true
	}), lost
}

func s3Tags(t *testing.T, cl interface {
	GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
}, bucket string) map[string]string {
	t.Helper()
	out, err := cl.GetBucketTagging(context.Background(), &s3.GetBucketTaggingInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("tags of %s: %v", bucket, err)
	}
	m := map[string]string{}
	for _, tg := range out.TagSet {
		m[*tg.Key] = *tg.Value
	}
	return m
}

// TestLostCreateReplyStaysTheWizards (issue 17 item 10): CreateBucket's and
// CreateUser's replies are lost, the SDK retries and gets
// BucketAlreadyOwnedByYou / EntityAlreadyExists. The intent recorded before
// the call (and, for the user, its tags) must make them the wizard's, so
// destroy deletes them; before, the retry's answer dropped the intent.
func TestLostCreateReplyStaysTheWizards(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	a := testrun.Answers(t, ownAnswers)
	url, lost := loseFirstReply(t, s.URL(), func(req *http.Request, body string) string {
		switch {
		case req.Method == http.MethodPut && req.URL.Path == "/"+a.Bucket && req.URL.RawQuery == "":
			return "CreateBucket"
		case strings.Contains(body, "Action=CreateUser&"):
			return "CreateUser"
		case strings.Contains(body, "Action=CreateGroup&"):
			return "CreateGroup"
		case strings.Contains(body, "Action=CreatePolicy&"):
			return "CreatePolicy"
		}
		return ""
	})
	t.Setenv("AWS_ENDPOINT_URL", url)
	r := testrun.New(t, t.TempDir(), a, nil)
	testrun.Apply(t, r, "preflight", "bucket")
	if lost.Load() != 1 {
		t.Fatalf("CreateBucket's reply was not lost (%d)", lost.Load())
	}
	testrun.Apply(t, r, "iam")
	if lost.Load() != 4 {
		t.Fatalf("CreateUser's, CreateGroup's and CreatePolicy's replies were not all lost (%d)", lost.Load())
	}
	for _, c := range []struct{ kind, name string }{{state.KindBucket, a.Bucket}, {state.KindIAMUser, a.IAMUser},
		{state.KindIAMGroup, steps.GroupName(a)}, {state.KindIAMPolicy, steps.PolicyName(a)}} {
		if o, _ := r.State.Ownership(c.kind, c.name); o.Evidence != state.EvidenceCreated {
			t.Errorf("%s %s after a lost reply: recorded %+v, want created by the wizard (destroy would keep it)", c.kind, c.name, o)
		}
	}
	if tags := s3Tags(t, r.AWS.S3In(a.Region), a.Bucket); tags[steps.TagProject] != "mon-app" || tags[steps.TagEnv] != "staging" {
		t.Errorf("bucket tags = %v, want this project's and env's", tags)
	}
}

// TestAnotherProjectsTaggedResourcesAreRefused (issue 17 item 9): a user, a
// bucket and a role that another project's tags claim are refused with the
// owner named, and left as they were (no key, no tag, no policy).
func TestAnotherProjectsTaggedResourcesAreRefused(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, ownAnswers+"bucket: shared-media\niam_user: shared-user\n")
	r := testrun.OnMoto(t, s, a)
	other := []iamtypes.Tag{{Key: sdk.String(steps.TagProject), Value: sdk.String("blog")}, {Key: sdk.String(steps.TagEnv), Value: sdk.String("prod")}}
	if _, err := r.AWS.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: &a.IAMUser, Tags: other}); err != nil {
		t.Fatal(err)
	}
	cl := r.AWS.S3In(a.Region)
	testrun.Bucket(t, r, a.Bucket, map[string]string{steps.TagProject: "blog", steps.TagEnv: "prod"})
	// Preflight stops the whole run (the IAM steps do not wait for the
	// bucket's); each step refuses on its own too.
	for _, id := range []string{"preflight", "bucket", "iam"} {
		_, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), id))
		if err == nil || !strings.Contains(err.Error(), `project "blog" (env "prod")`) {
			t.Errorf("%s step on another project's resource: %v, want a refusal naming project blog", id, err)
		}
	}
	keys, err := r.AWS.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &a.IAMUser})
	if err != nil || len(keys.AccessKeyMetadata) != 0 {
		t.Errorf("another project's user got keys: %v %v", keys, err)
	}
	groups, err := r.AWS.IAM.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: &a.IAMUser})
	if err != nil || len(groups.Groups) != 0 {
		t.Errorf("another project's user joined a group: %v %v", groups, err)
	}
	if tags := s3Tags(t, cl, a.Bucket); tags[steps.TagProject] != "blog" || len(tags) != 2 {
		t.Errorf("another project's bucket tags changed: %v", tags)
	}
	if _, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &a.Bucket}); err == nil {
		t.Error("another project's bucket got a policy")
	}
}

// TestClaimedBucketKeepsItsOwnTags (issue 17 item 9): PutBucketTagging
// replaces the whole tag set; tagging the wizard's bucket (here after a
// crash between CreateBucket and the tagging) keeps the tags already there.
func TestClaimedBucketKeepsItsOwnTags(t *testing.T) {
	s := motoserver.Shared(t)
	a := testrun.Answers(t, ownAnswers)
	r := testrun.OnMoto(t, s, a)
	cl := r.AWS.S3In(a.Region)
	testrun.Bucket(t, r, a.Bucket, map[string]string{"cost-center": "42"})
	if err := r.State.SaveOwnership(state.Ownership{Kind: state.KindBucket, Name: a.Bucket, Evidence: state.EvidencePending}); err != nil {
		t.Fatal(err)
	}
	testrun.Apply(t, r, "preflight", "bucket")
	tags := s3Tags(t, cl, a.Bucket)
	if tags["cost-center"] != "42" || tags[steps.TagProject] != "mon-app" || tags[steps.TagEnv] != "staging" || tags[steps.TagManagedBy] != steps.TagManager {
		t.Errorf("tags = %v, want cost-center kept and the wizard's added", tags)
	}
	if !r.State.Owns(state.KindBucket, a.Bucket) {
		t.Error("the interrupted creation's bucket is not the wizard's")
	}
}

// TestForeignPolicyDocumentIsNotRewritten (issue 17 item 11): a policy
// someone made under the derived name, with their own document, is neither
// given a new default version nor recorded as the wizard's.
func TestForeignPolicyDocumentIsNotRewritten(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, ownAnswers)
	r := testrun.OnMoto(t, s, a)
	theirs := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
	pol, err := r.AWS.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: sdk.String(steps.PolicyName(a)), PolicyDocument: &theirs})
	if err != nil {
		t.Fatal(err)
	}
	testrun.Apply(t, r, "preflight")
	_, _, err = steps.ApplyStep(ctx, r, steps.Find(steps.All(), "iam"))
	if err == nil || !strings.Contains(err.Error(), "never rewrites someone else's policy") {
		t.Fatalf("iam step over a foreign policy: %v, want a refusal", err)
	}
	vs, err := r.AWS.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: pol.Policy.Arn})
	if err != nil || len(vs.Versions) != 1 {
		t.Errorf("the foreign policy got versions: %+v %v", vs, err)
	}
	if r.State.Owns(state.KindIAMPolicy, steps.PolicyName(a)) {
		t.Error("the foreign policy is recorded as the wizard's")
	}
}

// TestAdoptedRoleTrustedByLambdaIsRefused (issue 17 item 11): a role EC2
// cannot assume is not given WebTier nor reported ready.
func TestAdoptedRoleTrustedByLambdaIsRefused(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, ownAnswers+"credentials: instance-role\n")
	r := testrun.OnMoto(t, s, a)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := r.AWS.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: &a.RoleName, AssumeRolePolicyDocument: &trust}); err != nil {
		t.Fatal(err)
	}
	testrun.Apply(t, r, "preflight")
	_, _, err := steps.ApplyStep(ctx, r, steps.Find(steps.All(), "role"))
	if err == nil || !strings.Contains(err.Error(), "does not let ec2.amazonaws.com assume it") {
		t.Fatalf("role step on a Lambda role: %v, want a refusal", err)
	}
	att, err := r.AWS.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &a.RoleName})
	if err != nil || len(att.AttachedPolicies) != 0 {
		t.Errorf("the Lambda role got policies: %+v %v", att, err)
	}
	// check never reports it ✓ either.
	for _, c := range steps.Find(steps.All(), "role").Verify(ctx, r) {
		if c.ID == steps.CheckRole && (c.OK || !strings.Contains(c.Detail, "trust policy")) {
			t.Errorf("check of the Lambda role: %+v, want a failure about its trust policy", c)
		}
	}
}

// TestAnotherAccountsBucketStopsTheRun (issue 17 item 12): the bucket name
// belongs to another AWS account (moto with cross-account access off
// answers 403, as S3 does). The whole run stops at preflight: before, the
// IAM step, which does not wait for the bucket step, still made the user,
// its policy and group.
func TestAnotherAccountsBucketStopsTheRun(t *testing.T) {
	t.Setenv("MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS", "false")
	srv := motoserver.Start(t)
	srv.Use(t)
	ctx := context.Background()
	a := testrun.Answers(t, ownAnswers)
	cfg := srv.AWSConfig(t, a.Region)
	// moto gives an assumed role of another account that account's identity.
	role, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: sdk.String("arn:aws:iam::111111111111:role/other"), RoleSessionName: sdk.String("other")})
	if err != nil {
		t.Fatal(err)
	}
	c := role.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &a.Bucket,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(a.Region)}}); err != nil {
		t.Fatal(err)
	}
	r := testrun.New(t, t.TempDir(), a, nil)
	_, err = applyAll(ctx, r, steps.All())
	if err == nil || !strings.Contains(err.Error(), "belongs to another AWS account") {
		t.Fatalf("apply on another account's bucket: %v, want a refusal", err)
	}
	if _, err := r.AWS.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &a.IAMUser}); err == nil {
		t.Errorf("IAM user %s was created for another account's bucket", a.IAMUser)
	}
	if _, err := r.AWS.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: sdk.String(steps.GroupName(a))}); err == nil {
		t.Errorf("IAM group was created for another account's bucket")
	}
}

// TestSecondProjectCannotAdoptTheFirstsBucket (issue 17 item 9): a bucket
// that existed before the wizard is adopted by project mon-app, which
// marks it (s3wizard:adopted-by, its own tags kept). Project blog's apply
// on the same bucket is refused with mon-app named: before, it replaced
// mon-app's public statement, Block Public Access and logging.
func TestSecondProjectCannotAdoptTheFirstsBucket(t *testing.T) {
	s := motoserver.Shared(t)
	ctx := context.Background()
	a := testrun.Answers(t, ownAnswers+"bucket: shared-media\n")
	r := testrun.OnMoto(t, s, a)
	cl := r.AWS.S3In(a.Region)
	testrun.Bucket(t, r, a.Bucket, map[string]string{"team": "web"})
	testrun.Apply(t, r, "preflight", "bucket")
	if tags := s3Tags(t, cl, a.Bucket); tags[steps.TagAdoptedBy] != "mon-app" || tags["team"] != "web" || tags[steps.TagProject] != "" {
		t.Errorf("adopted bucket tags = %v, want adopted-by mon-app, team kept, no project tag", tags)
	}
	if r.State.Owns(state.KindBucket, a.Bucket) {
		t.Error("the adopted bucket is recorded as the wizard's")
	}

	b := testrun.Answers(t, "env: prod\napp: blog\nregion: eu-west-3\nbucket: shared-media\n")
	other := testrun.New(t, t.TempDir(), b, nil)
	for _, id := range []string{"preflight", "bucket"} {
		_, _, err := steps.ApplyStep(ctx, other, steps.Find(steps.All(), id))
		if err == nil || !strings.Contains(err.Error(), `project "mon-app", which adopted it`) {
			t.Errorf("project blog's %s step on mon-app's adopted bucket: %v, want a refusal naming mon-app", id, err)
		}
	}
}

// TestLostCreateRoleReplyStaysTheWizards (issue 17 item 10): the same for
// the instance role and its profile (their tags, given only by the Create
// call, say they are this env's).
func TestLostCreateRoleReplyStaysTheWizards(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	a := testrun.Answers(t, ownAnswers+"credentials: instance-role\n")
	url, lost := loseFirstReply(t, s.URL(), func(req *http.Request, body string) string {
		for _, op := range []string{"CreateRole", "CreateInstanceProfile"} {
			if strings.Contains(body, "Action="+op+"&") {
				return op
			}
		}
		return ""
	})
	t.Setenv("AWS_ENDPOINT_URL", url)
	r := testrun.New(t, t.TempDir(), a, nil)
	testrun.Apply(t, r, "preflight", "role")
	if lost.Load() != 2 {
		t.Fatalf("CreateRole's and CreateInstanceProfile's replies were not both lost (%d)", lost.Load())
	}
	for _, kind := range []string{state.KindRole, state.KindInstanceProfile} {
		if o, _ := r.State.Ownership(kind, a.RoleName); o.Evidence != state.EvidenceCreated {
			t.Errorf("%s %s after a lost reply: recorded %+v, want created by the wizard (destroy would keep it)", kind, a.RoleName, o)
		}
	}
}

// TestLostCreateTopicAndBudgetRepliesStayTheWizards (issue 17 item 10, the
// fault proxy on the monitoring step): CreateTopic's and CreateBudget's
// replies are lost and the SDK retries (CreateTopic answers the same topic,
// CreateBudget DuplicateRecord). Both must stay the wizard's: destroy
// deletes the topic and the budget this project made.
func TestLostCreateTopicAndBudgetRepliesStayTheWizards(t *testing.T) {
	s := motoserver.Shared(t)
	s.Use(t)
	a := testrun.Answers(t, ownAnswers+"alarms: {bucket_size_gb: 5, email: ops@example.com}\nbudget: {monthly_usd: 20, email: ops@example.com}\n")
	url, lost := loseFirstReply(t, s.URL(), func(req *http.Request, body string) string {
		switch {
		case strings.Contains(body, "Action=CreateTopic&"):
			return "CreateTopic"
		case strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".CreateBudget"):
			return "CreateBudget"
		}
		return ""
	})
	t.Setenv("AWS_ENDPOINT_URL", url)
	r := testrun.New(t, t.TempDir(), a, nil)
	testrun.Apply(t, r, "preflight", "bucket", "monitoring")
	if lost.Load() != 2 {
		t.Fatalf("CreateTopic's and CreateBudget's replies were not both lost (%d)", lost.Load())
	}
	topic := steps.AlarmTopicName(a.Bucket)
	if o, _ := r.State.Ownership(state.KindSNSTopic, topic); o.Evidence != state.EvidenceCreated {
		t.Errorf("SNS topic %s after a lost reply: recorded %+v, want created by the wizard", topic, o)
	}
	ctx := context.Background()
	// Destroy goes by its inventory: both must be listed as deleted.
	inv := inventory.Of(r)
	for _, k := range []struct{ kind, name string }{{state.KindSNSTopic, topic}, {inventory.KindBudget, steps.BudgetName}} {
		if it, ok := inv.Find(k.kind, k.name); !ok || !it.Delete {
			t.Errorf("destroy's inventory has %s %s as %+v (listed %v), want deleted", k.kind, k.name, it, ok)
		}
	}
	if err := steps.DeleteAlarmTopic(ctx, r); err != nil {
		t.Errorf("delete the topic: %v", err)
	}
	if err := steps.ReleaseBudget(ctx, r, steps.BudgetName, true); err != nil {
		t.Errorf("delete the budget: %v", err)
	}
	arn := steps.AlarmTopicARN(a, motoserver.AccountID)
	if _, err := r.AWS.SNSIn(a.Region).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn}); err == nil {
		t.Error("the wizard's topic (reply lost) survived destroy")
	}
	acct := motoserver.AccountID
	if _, err := r.AWS.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &acct, BudgetName: sdk.String(steps.BudgetName)}); err == nil {
		t.Error("the budget the wizard made (reply lost) survived destroy")
	}
}
