package tui

import (
	"context"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/internal/motoserver"
)

// Two accounts (issue 22 §3): the default credentials are account A's,
// prod's saved aws_profile is account B's. Resuming prod, the start screen
// shows (and the run checks) B, the account prod's run will use, not the
// default credentials' A.
func TestLiveResumeShowsTheEnvProfilesIdentity(t *testing.T) {
	const acctA, acctB = "111111111111", "222222222222"
	a, b := motoserver.StartAccount(t, acctA), motoserver.StartAccount(t, acctB)
	useProfiles(t, map[string]*motoserver.Server{"default": a, "prod-acct": b})
	dir := newProject(t)
	ctx := context.Background()

	eng := NewEngine(app.Options{Dir: dir, Env: "prod"})
	ans, err := eng.Answers("prod", false)
	must(t, err)
	resumeAnswers(ans)
	ans.AWSProfile, ans.Set["aws_profile"] = "prod-acct", true
	must(t, eng.Open(ctx, ans, true)) // saves prod's answers: aws_profile prod-acct
	must(t, eng.Close())

	// A later run, no --profile: the saved answer decides.
	eng = NewEngine(app.Options{Dir: dir, Env: "prod"})
	t.Cleanup(func() { _ = eng.Close() })
	p := &pump{t: t, msgs: make(chan tea.Msg, 1024)}
	p.m = newModel(ctx, eng, dir, "prod")
	p.m.width, p.m.height = 120, 40
	p.exec(p.m.Init())
	p.settleFor(func() bool { return p.m.identity != nil || p.m.idErr != nil })
	if p.m.identity == nil || p.m.identity.Account != acctB {
		t.Fatalf("prod's start screen shows identity %+v (err %v), want account %s (profile prod-acct)", p.m.identity, p.m.idErr, acctB)
	}
	p.requireView("account    "+acctB, "account "+acctB)
	if strings.Contains(p.view(), acctA) {
		t.Fatalf("the default credentials' account %s is shown:\n%s", acctA, p.view())
	}
}

// Setting up prod after staging asks prod's profile again; once answered,
// the identity shown is that profile's account, not staging's.
func TestToProdShowsTheAnsweredProfilesIdentity(t *testing.T) {
	f := newFake()
	f.accounts = map[string]string{"prod-acct": "222222222222"}
	p := newPump(t, f)
	p.key("enter")
	for i := 0; i < 12 && p.m.phase != phDone; i++ {
		p.throughStep()
	}
	p.key("p")
	for i := 0; i < 10 && p.m.phase == phAsk && p.m.form.qs[p.m.form.index()].Key != "aws_profile"; i++ {
		p.key("enter")
	}
	if p.m.phase != phAsk || p.m.form.qs[p.m.form.index()].Key != "aws_profile" {
		t.Fatalf("prod's profile not asked:\n%s", p.view())
	}
	p.typeText("prod-acct")
	p.key("enter")
	if p.m.identity == nil || p.m.identity.Account != "222222222222" {
		t.Fatalf("after prod's profile prod-acct, identity %+v, want account 222222222222:\n%s", p.m.identity, p.view())
	}
	p.requireView("account 222222222222")
}

// useProfiles points the SDK of this process at an AWS config file with a
// profile per moto server ("default": the default credentials), and
// clears the variables that would override it.
func useProfiles(t *testing.T, servers map[string]*motoserver.Server) {
	t.Helper()
	vars := motoserver.ProfilesConfig(t, servers)
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
		must(t, os.Unsetenv(k))
	}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
