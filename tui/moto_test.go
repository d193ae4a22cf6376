package tui

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/envfile"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/nextsteps"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// useMoto starts a moto server and points the SDK's own variables at it.
func useMoto(t *testing.T) *motoserver.Server {
	t.Helper()
	s := motoserver.Shared(t)
	s.Use(t)
	return s
}

// newProject makes a minimal Django project named mon-app.
func newProject(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mon-app")
	if err := os.MkdirAll(filepath.Join(dir, "mysite"), 0o755); err != nil {
		t.Fatal(err)
	}
	manage := "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
	must(t, os.WriteFile(filepath.Join(dir, "manage.py"), []byte(manage), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "mysite", "settings.py"), []byte("DEBUG = True\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("Django==5.1.4\n"), 0o644))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot is the part of the end state that a TUI run and `apply` must
// share: AWS resources, env file keys and step states (not key values).
type snapshot struct {
	Buckets   []string
	Users     []string
	KeyCount  int
	EnvKeys   []string
	Steps     map[string]string
	Versioned bool
}

func takeSnapshot(t *testing.T, s *motoserver.Server, dir string) snapshot {
	t.Helper()
	ctx := context.Background()
	cfg := s.AWSConfig(t, "eu-west-3")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	var snap snapshot
	out, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	must(t, err)
	for _, b := range out.Buckets {
		snap.Buckets = append(snap.Buckets, *b.Name)
	}
	v, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: strPtr("mon-app-media-staging")})
	must(t, err)
	snap.Versioned = v.Status == "Enabled"
	ic := iam.NewFromConfig(cfg)
	users, err := ic.ListUsers(ctx, &iam.ListUsersInput{})
	must(t, err)
	for _, u := range users.Users {
		snap.Users = append(snap.Users, *u.UserName)
	}
	keys, err := ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: strPtr("mon-app-staging-s3-user")})
	must(t, err)
	snap.KeyCount = len(keys.AccessKeyMetadata)
	env, err := envfile.Read(filepath.Join(dir, ".env"))
	must(t, err)
	for k := range env {
		snap.EnvKeys = append(snap.EnvKeys, k)
	}
	prog, err := state.Read(dir, "staging")
	must(t, err)
	snap.Steps = map[string]string{}
	for id, st := range prog.Steps() {
		snap.Steps[id] = st.Status
	}
	sort.Strings(snap.Buckets)
	sort.Strings(snap.Users)
	sort.Strings(snap.EnvKeys)
	return snap
}

func strPtr(s string) *string { return &s }

const stagingAnswers = "env: staging\napp: mon-app\nregion: eu-west-3\ncredentials: access-keys\n"

// sameAsApply runs `s3wizard apply --env staging --answers FILE --yes` on
// moto, resets moto, runs the wizard through run in a fresh project, and
// requires both to leave the same end state. (One moto at a time: two
// servers side by side answer HTTP 500.)
func sameAsApply(t *testing.T, s *motoserver.Server, run func(dir string)) {
	t.Helper()
	adir := newProject(t)
	file := filepath.Join(t.TempDir(), "answers.yaml")
	must(t, os.WriteFile(file, []byte(stagingAnswers), 0o600))
	var stdout, stderr bytes.Buffer
	code := cli.Main([]string{"apply", "--env", "staging", "--answers", file, "--yes", "--dir", adir}, strings.NewReader(""), &stdout, &stderr, cli.Deps{})
	if code != 0 {
		t.Fatalf("apply exit %d:\n%s", code, stderr.String())
	}
	want := takeSnapshot(t, s, adir)
	s.Reset(t)
	dir := newProject(t)
	run(dir)
	got := takeSnapshot(t, s, dir)
	if got.KeyCount != 1 || len(got.Buckets) == 0 || !slicesContain(got.EnvKeys, "AWS_SECRET_ACCESS_KEY") {
		t.Fatalf("unexpected end state: %+v", got)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("end state differs from apply:\n wizard: %+v\n apply:  %+v", got, want)
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestLiveModelAgainstMoto drives the model on the live engine: every step
// of staging planned, applied and verified against a real moto.
func TestLiveModelAgainstMoto(t *testing.T) {
	s := useMoto(t)
	sameAsApply(t, s, func(dir string) { liveModelRun(t, dir) })
}

// walkSteps answers every step's questions with their defaults, applies
// each plan and goes on until the env is set up; secret must never be on
// screen.
func (p *pump) walkSteps(secret string) {
	p.t.Helper()
	for i := 0; i < 15 && p.m.phase != phDone; i++ {
		if strings.Contains(p.view(), secret) {
			p.t.Fatalf("a secret is on screen:\n%s", p.view())
		}
		p.answerDefaults()
		p.settleFor(func() bool { return p.m.phase != phPlanning })
		if p.m.phase == phApplying { // a step not used with these answers
			p.settleFor(func() bool { return p.m.phase != phApplying })
			continue
		}
		if p.m.phase != phConfirm {
			p.t.Fatalf("step %d: phase %d:\n%s", p.m.cur, p.m.phase, p.view())
		}
		p.key("y")
		p.settleFor(func() bool { return p.m.phase != phApplying })
		if p.m.phase != phResult {
			p.t.Fatalf("step %d: phase %d:\n%s", p.m.cur, p.m.phase, p.view())
		}
		if strings.Contains(p.view(), secret) {
			p.t.Fatalf("a secret is on screen:\n%s", p.view())
		}
		p.key("enter")
	}
}

// livePump starts the wizard on the live engine for env staging in a
// 120x40 screen, with no debounce of the bucket-name check.
func livePump(t *testing.T, o app.Options) (*pump, Engine) {
	t.Helper()
	eng := NewEngine(o)
	t.Cleanup(func() { _ = eng.Close() })
	p := &pump{t: t, msgs: make(chan tea.Msg, 1024)}
	p.m = newModel(context.Background(), eng, o.Dir, "staging")
	p.m.availDelay = 0
	p.m.width, p.m.height = 120, 40
	p.exec(p.m.Init())
	return p, eng
}

func liveModelRun(t *testing.T, dir string) {
	p, eng := livePump(t, app.Options{Dir: dir, Env: "staging"})
	p.settleFor(func() bool {
		return (p.m.identity != nil || p.m.idErr != nil) && (p.m.project != nil || p.m.projErr != nil)
	})
	p.requireView("account    123456789012", "manage.py", "mysite.settings", "Django     5.1.4")
	p.key("enter")
	p.walkSteps("wJalr")
	p.requireView("Environment staging is set up", filepath.Join(dir, ".env"))
	// What now, from the live run: the exact import line, the package, the
	// hand-off document and the key's rotation date.
	due := time.Now().AddDate(0, 0, nextsteps.KeyRotationDays).Format("2006-01-02")
	p.requireView("What now", "from .s3wizard_settings import *", `Add "storages" to INSTALLED_APPS.`,
		"django-storages[s3]", "s3wizard docs --env staging", "by "+due+" (every 90 days)", "s3wizard rotate-keys")
	env, _ := envfile.Read(filepath.Join(dir, ".env"))
	if sec := env["AWS_SECRET_ACCESS_KEY"]; sec == "" || strings.Contains(p.view(), sec) {
		t.Fatal("secret missing from .env or shown on screen")
	}
	must(t, eng.Close())
}

// accessibleStagingInput answers, line by line, every prompt of a fresh
// staging run with the defaults and "y" to every plan.
func accessibleStagingInput() string {
	lines := []string{
		"", "", "", "", "y", // preflight: app, credentials, region, aws_profile; apply
		"", "y", // bucket
		"", "", "y", // layout: folders, static_on_s3
		"", "", "y", // iam: user, policy
		"", "y", // access key: env_file
		"", "", "", "y", // public: prefixes, public_domain, cors_uploads
		"", "", "", "", "", "", "y", // protection: encryption (SSE-S3: no KMS key asked), versioning, 3 lifecycle, logs
		"", "", "", "y", // monitoring: alarm, budget, email
		"", "", "y", // app config: set_env_sh, heroku_app
		"n", // no prod now
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestAccessibleThroughPipeAgainstMoto(t *testing.T) {
	s := useMoto(t)
	sameAsApply(t, s, func(dir string) { accessibleRun(t, dir) })
}

func accessibleRun(t *testing.T, dir string) {
	var out bytes.Buffer
	err := Run(context.Background(), Options{App: app.Options{Dir: dir, Env: "staging"}, Accessible: true, NoColor: true,
		In: strings.NewReader(accessibleStagingInput()), Out: &out})
	if err != nil {
		t.Fatalf("accessible run: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"AWS identity: account 123456789012", "Step 2 of 10: Create the S3 bucket", "Why:",
		"Bucket name\n3-63 lowercase letters", "unique across all of AWS.\n[Enter keeps mon-app-media-staging]:",
		"Departs from the guide:", "Apply?", "(AWS: s3:CreateBucket)", "check: ok", "Environment staging is set up",
		"written to " + filepath.Join(dir, ".env")} {
		if !strings.Contains(text, want) {
			t.Fatalf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b[") {
		t.Fatal("escape sequences in accessible output")
	}
	env, _ := envfile.Read(filepath.Join(dir, ".env"))
	if sec := env["AWS_SECRET_ACCESS_KEY"]; sec == "" || strings.Contains(text, sec) {
		t.Fatal("secret missing from .env or printed")
	}
}

// requireRealAccount reads back from moto every ARN and policy the run
// created and requires each to name the real account, never the
// placeholder: the group's attached policies, every customer-managed policy
// document, every bucket policy and the budget.
func requireRealAccount(t *testing.T, s *motoserver.Server, a *config.Answers) {
	t.Helper()
	ctx := context.Background()
	cfg := s.AWSConfig(t, a.Region)
	ic := iam.NewFromConfig(cfg)
	var texts []string
	att, err := ic.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: strPtr(steps.GroupName(a))})
	must(t, err)
	if len(att.AttachedPolicies) == 0 {
		t.Fatalf("group %s has no policy attached", steps.GroupName(a))
	}
	for _, p := range att.AttachedPolicies {
		texts = append(texts, *p.PolicyArn)
		if !strings.Contains(*p.PolicyArn, "aws:policy/") && !strings.Contains(*p.PolicyArn, "::"+motoserver.AccountID+":") {
			t.Errorf("attached policy %s does not name account %s", *p.PolicyArn, motoserver.AccountID)
		}
	}
	local, err := ic.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	must(t, err)
	for _, p := range local.Policies {
		texts = append(texts, *p.Arn)
		v, err := ic.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: p.DefaultVersionId})
		must(t, err)
		doc, _ := url.QueryUnescape(*v.PolicyVersion.Document)
		texts = append(texts, doc)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	logPolicy := ""
	for _, b := range []string{a.Bucket, steps.LogBucketName(a.Bucket)} {
		if out, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &b}); err == nil {
			texts = append(texts, *out.Policy)
			if b != a.Bucket {
				logPolicy = *out.Policy
			}
		}
	}
	if !strings.Contains(logPolicy, `"`+motoserver.AccountID+`"`) {
		t.Errorf("the log bucket's policy does not name the account as aws:SourceAccount:\n%s", logPolicy)
	}
	if a.Budget.MonthlyUSD > 0 {
		bc := budgets.NewFromConfig(cfg, func(o *budgets.Options) { o.Region = "us-east-1" })
		name := steps.BudgetName
		if _, err := bc.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: strPtr(motoserver.AccountID), BudgetName: &name}); err != nil {
			t.Errorf("budget %s not found in account %s: %v", name, motoserver.AccountID, err)
		}
	}
	for _, x := range texts {
		if strings.Contains(x, "ACCOUNT_ID") {
			t.Errorf("created with the placeholder account: %s", x)
		}
	}
}

// resumeAnswers are a staging run with a budget, so that every kind of
// account-bearing resource (policy ARN, log-delivery condition, budget) is
// created.
func resumeAnswers(a *config.Answers) {
	a.App, a.Region, a.Credentials = "mon-app", "eu-west-3", config.CredAccessKeys
	a.Budget.MonthlyUSD, a.Budget.Email = 10, "ops@example.com"
	for _, k := range []string{"app", "region", "credentials", "budget.monthly_usd", "budget.email"} {
		a.Set[k] = true
	}
}

// TestLiveResumeUsesTheRealAccount: the first run stops after the bucket,
// a second process resumes (preflight is not repeated) and finishes. Every
// ARN and policy names the real account: a resumed run is an unbroken one.
func TestLiveResumeUsesTheRealAccount(t *testing.T) {
	srv := useMoto(t)
	dir := newProject(t)
	ctx := context.Background()
	eng := NewEngine(app.Options{Dir: dir, Env: "staging"})
	a, err := eng.Answers("staging", false)
	must(t, err)
	resumeAnswers(a)
	must(t, eng.Open(ctx, a, true))
	for _, id := range []string{"preflight", "bucket"} {
		if _, err := eng.Apply(ctx, steps.Find(eng.Steps(), id), nil); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	must(t, eng.Close())

	eng = NewEngine(app.Options{Dir: dir, Env: "staging"})
	defer eng.Close()
	a, err = eng.Answers("staging", true)
	must(t, err)
	must(t, eng.Open(ctx, a, false))
	for _, s := range eng.Steps() {
		if eng.Status(s.ID) == state.Done {
			continue
		}
		if _, err := eng.Apply(ctx, s, nil); err != nil {
			t.Fatalf("resumed %s: %v", s.ID, err)
		}
	}
	requireRealAccount(t, srv, a)
}
