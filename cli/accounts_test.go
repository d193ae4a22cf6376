package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/internal/motoserver"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// Two accounts, one project (issue 22 §3): staging lives in account A,
// prod in account B, each env reached through its own profile (staging's
// aws_profile answer, prod's --profile), each with its own budget. A run on
// prod with staging's profile is refused (exit 2) and creates nothing in A;
// check and destroy refuse it too. Destroying staging deletes A's budget:
// prod's budget of the same name is another account's.
func TestStagingAndProdInSeparateAccounts(t *testing.T) {
	const acctA, acctB = "111111111111", "222222222222"
	a, b := motoserver.StartAccount(t, acctA), motoserver.StartAccount(t, acctB)
	env := motoserver.ProfilesConfig(t, map[string]*motoserver.Server{"stg-acct": a, "prod-acct": b})
	mon := "budget: {monthly_usd: 20, email: ops@example.com}\n"
	dir := project(t, stagingAnswers+"aws_profile: stg-acct\n"+mon)
	prodAnswers := filepath.Join(dir, "prod.yaml")
	if err := os.WriteFile(prodAnswers, []byte(strings.Replace(stagingAnswers, "staging", "prod", 1)+"env_file: .env.prod\n"+mon), 0o644); err != nil {
		t.Fatal(err)
	}

	mustOK(t, run(t, dir, env, "apply", "--env", "staging", "--answers", "answers.yaml", "--yes"))
	// Before prod is made, its plan names the account it will belong to
	// and the one staging is in.
	plan := run(t, dir, env, "plan", "--env", "prod", "--answers", "prod.yaml", "--profile", "prod-acct")
	mustOK(t, plan)
	for _, want := range []string{"env prod will belong to account " + acctB + " (profile prod-acct)", "env staging is in account " + acctA + " (another account)"} {
		if !strings.Contains(plan.stdout+plan.stderr, want) {
			t.Errorf("prod's plan does not say %q:\n%s", want, plan.stdout)
		}
	}
	mustOK(t, run(t, dir, env, "apply", "--env", "prod", "--answers", "prod.yaml", "--profile", "prod-acct", "--yes"))

	for _, c := range []struct {
		env, acct, profile string
	}{{"staging", acctA, "stg-acct"}, {"prod", acctB, "prod-acct"}} {
		p, err := state.Read(dir, c.env)
		if err != nil {
			t.Fatal(err)
		}
		if p.Account() != c.acct || p.Answers().AWSProfile != c.profile {
			t.Errorf("%s's progress: account %s, aws_profile %q; want %s, %q", c.env, p.Account(), p.Answers().AWSProfile, c.acct, c.profile)
		}
	}
	has := func(s *motoserver.Server, bucket string) bool {
		_, err := s3client(t, s, "", "").HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: sdk.String(bucket)})
		return err == nil
	}
	if !has(a, "mon-app-media-staging") || has(a, "mon-app-media-prod") || !has(b, "mon-app-media-prod") || has(b, "mon-app-media-staging") {
		t.Fatalf("buckets: A staging %v prod %v; B staging %v prod %v (want staging in A only, prod in B only)",
			has(a, "mon-app-media-staging"), has(a, "mon-app-media-prod"), has(b, "mon-app-media-staging"), has(b, "mon-app-media-prod"))
	}
	budgetsIn := func(s *motoserver.Server, acct string) int {
		out, err := budgets.NewFromConfig(s.AWSConfig(t, "us-east-1")).DescribeBudgets(context.Background(), &budgets.DescribeBudgetsInput{AccountId: sdk.String(acct)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Budgets)
	}
	if budgetsIn(a, acctA) != 1 || budgetsIn(b, acctB) != 1 {
		t.Fatalf("budgets: A %d, B %d; want one in each account", budgetsIn(a, acctA), budgetsIn(b, acctB))
	}

	// prod with staging's credentials: refused before anything changes.
	before, err := os.ReadFile(filepath.Join(dir, ".s3wizard", "prod.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"apply", "--env", "prod", "--answers", "prod.yaml", "--profile", "stg-acct", "--yes"},
		{"plan", "--env", "prod", "--answers", "prod.yaml", "--profile", "stg-acct"},
		{"check", "--env", "prod", "--profile", "stg-acct"},
		{"destroy", "--env", "prod", "--profile", "stg-acct"},
	} {
		r := run(t, dir, env, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "env prod belongs to AWS account "+acctB) || !strings.Contains(r.stderr, "profile stg-acct are account "+acctA) {
			t.Errorf("%s with the wrong account: exit %d, want 2 and the refusal\nstderr:\n%s", args[0], r.code, r.stderr)
		}
	}
	if has(a, "mon-app-media-prod") || !has(a, "mon-app-media-staging") || !has(b, "mon-app-media-prod") {
		t.Error("a refused run created or deleted a bucket")
	}
	after, _ := os.ReadFile(filepath.Join(dir, ".s3wizard", "prod.json"))
	if string(after) != string(before) {
		t.Errorf("a refused run changed prod's progress file:\n%s", after)
	}

	// staging's destroy deletes its account's budget: prod records a budget
	// of the same name, in account B.
	r := wizard(t, dir, env, "destroy", "--env", "staging")
	r.Stdin = strings.NewReader("mon-app-media-staging\n")
	if out, err := r.CombinedOutput(); err != nil {
		t.Fatalf("destroy staging: %v\n%s", err, out)
	}
	if budgetsIn(a, acctA) != 0 || budgetsIn(b, acctB) != 1 {
		t.Errorf("after destroying staging: budgets A %d, B %d; want 0 and 1", budgetsIn(a, acctA), budgetsIn(b, acctB))
	}
}

// The account was bound before anything was confirmed: apply saved the
// account of the credentials it planned with, then asked; a user who saw
// the wrong account there and answered no could never run the env with
// the right profile (WrongAccountError, until the progress file was
// deleted by hand). A declined apply binds nothing: the next one, from the
// right account, applies, and the env belongs to that account from then on.
func TestDeclinedApplyDoesNotBindTheAccount(t *testing.T) {
	const acctA, acctB = "111111111111", "222222222222"
	a, b := motoserver.StartAccount(t, acctA), motoserver.StartAccount(t, acctB)
	env := motoserver.ProfilesConfig(t, map[string]*motoserver.Server{"wrong": a, "right": b})
	dir := project(t, stagingAnswers)

	tm := inTerminal(t, dir, env, "apply", "--env", "staging", "--answers", "answers.yaml", "--profile", "wrong")
	shown := tm.waitFor("[y/N]: ")
	if !strings.Contains(shown, "in account "+acctA+"?") || !strings.Contains(shown, "env staging will belong to account "+acctA+" (profile wrong)") {
		t.Errorf("the question does not name account %s, or its plan does not say the env will belong to it:\n%s", acctA, shown)
	}
	tm.send("n\n")
	if code := tm.exit(); code != 130 {
		t.Fatalf("apply answered no: exit %d, want 130\n%s", code, tm.screen())
	}

	mustOK(t, run(t, dir, env, "apply", "--env", "staging", "--answers", "answers.yaml", "--profile", "right", "--yes"))
	mustAccount(t, dir, "staging", acctB)
	r := run(t, dir, env, "plan", "--env", "staging", "--answers", "answers.yaml", "--profile", "wrong")
	if r.code != 2 || !strings.Contains(r.stderr, "env staging belongs to AWS account "+acctB) {
		t.Errorf("plan from account %s once the env is set up in %s: exit %d, want 2 and the refusal\n%s", acctA, acctB, r.code, r.stderr)
	}
}

// adopt bound the env to the account it read even when it failed and said
// "nothing was recorded": a teammate who adopted with the wrong profile
// (there, another project's bucket of the same name) could then run
// nothing from the right account.
func TestFailedAdoptDoesNotBindTheAccount(t *testing.T) {
	const acctA, acctB = "111111111111", "222222222222"
	a, b := motoserver.StartAccount(t, acctA), motoserver.StartAccount(t, acctB)
	env := motoserver.ProfilesConfig(t, map[string]*motoserver.Server{"wrong": a, "right": b})
	dir := project(t, stagingAnswers)
	cl := s3client(t, a, "", "")
	bucket := sdk.String("mon-app-media-staging")
	if _, err := cl.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: bucket, CreateBucketConfiguration: &s3typesCBC}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutBucketTagging(context.Background(), &s3.PutBucketTaggingInput{Bucket: bucket, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: sdk.String(steps.TagProject), Value: sdk.String("other-app")}, {Key: sdk.String(steps.TagEnv), Value: sdk.String("staging")}}}}); err != nil {
		t.Fatal(err)
	}

	r := run(t, dir, env, "adopt", "--env", "staging", "--answers", "answers.yaml", "--profile", "wrong")
	if r.code == 0 || !strings.Contains(r.stderr, "nothing was recorded") {
		t.Fatalf("adopt over another project's bucket: exit %d, want a failure saying nothing was recorded\n%s", r.code, r.stderr)
	}
	mustOK(t, run(t, dir, env, "apply", "--env", "staging", "--answers", "answers.yaml", "--profile", "right", "--yes"))
	mustAccount(t, dir, "staging", acctB)
}

// mustAccount fails t unless env's progress records account.
func mustAccount(t *testing.T, dir, env, account string) {
	t.Helper()
	p, err := state.Read(dir, env)
	if err != nil {
		t.Fatal(err)
	}
	if p.Account() != account {
		t.Fatalf("%s's progress records account %q, want %s", env, p.Account(), account)
	}
}
