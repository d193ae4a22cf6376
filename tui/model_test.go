package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/state"
	"github.com/s3wizard/s3wizard/steps"
)

// answerDefaults accepts every offered value of the current step.
func (p *pump) answerDefaults() {
	p.t.Helper()
	for i := 0; p.m.phase == phAsk && i < 30; i++ {
		p.key("enter")
	}
	if p.m.phase == phAsk {
		p.t.Fatalf("form did not complete:\n%s", p.view())
	}
}

// throughStep answers with defaults, applies and moves on.
func (p *pump) throughStep() {
	p.t.Helper()
	p.answerDefaults()
	if p.m.phase != phConfirm {
		p.t.Fatalf("phase %d, want the plan:\n%s", p.m.phase, p.view())
	}
	p.key("y")
	if p.m.phase != phResult {
		p.t.Fatalf("phase %d, want the result:\n%s", p.m.phase, p.view())
	}
	p.key("enter")
}

func TestStartScreenShowsProjectIdentityAndProgress(t *testing.T) {
	p := newPump(t, newFake())
	p.requireView("/srv/mon-app/manage.py", "mysite.settings", "5.1.4", "account    123456789012",
		"arn:aws:iam::123456789012:user/admin", "Environment staging", "no saved progress", "> Start", "Switch environment")
}

func TestNavigationQuestionsPlanApply(t *testing.T) {
	f := newFake()
	p := newPump(t, f)
	p.key("down")
	p.requireView("> Switch environment")
	p.key("up", "enter")
	if p.m.phase != phAsk {
		t.Fatalf("phase %d after Start", p.m.phase)
	}
	p.requireView("Step 1/10", "Why:", "App name", "mon-app")
	p.answerDefaults()
	p.requireView("Plan", "do preflight", "AWS: svc:preflight", "Press y to apply")
	if f.answers == nil || f.answers.App != "mon-app" || f.answers.Region != "eu-west-3" || f.answers.Credentials != config.CredAccessKeys {
		t.Fatalf("answers after step 1: %+v", f.answers)
	}
	// esc goes back to the questions, with the answers kept.
	p.key("esc")
	if p.m.phase != phAsk {
		t.Fatalf("esc on the plan: phase %d", p.m.phase)
	}
	p.answerDefaults()
	p.key("y")
	p.requireView("✓ Check your AWS identity: done", "Live verification")
	p.key("enter")
	p.requireView("Step 2/10 · Create the S3 bucket", "Departs from the guide", "mon-app-media-staging")
	p.requireView("✓ Check your AWS identity") // sidebar
}

func TestBadBucketNameShowsTheRule(t *testing.T) {
	f := newFake()
	f.taken["mon-app-taken"] = true
	p := newPump(t, f)
	p.key("enter")
	p.throughStep()
	p.requireView("Bucket name")
	p.key("ctrl+u")
	p.typeText("Bad_Name")
	p.key("enter")
	p.requireView("only lowercase letters, digits, dots and hyphens are allowed")
	if p.m.phase != phAsk {
		t.Fatal("a bad name must keep the form open")
	}
	// A valid but taken name: the live check (debounced) says so.
	p.key("ctrl+u")
	p.typeText("mon-app-taken")
	p.requireView("taken by another AWS account")
	p.key("ctrl+u")
	p.typeText("mon-app-free")
	p.requireView("✓ mon-app-free is available")
	p.key("enter")
	p.requireView("create bucket mon-app-free in eu-west-3")
}

func TestResumePrompt(t *testing.T) {
	f := newFake()
	saved := &config.Answers{Env: "staging", App: "shop", Region: "eu-west-1", Credentials: config.CredAccessKeys,
		Set: map[string]bool{"env": true, "app": true, "region": true, "credentials": true, "bucket": true}, Bucket: "shop-media-staging"}
	f.saved["staging"] = savedProgress("staging", saved, "preflight", "bucket")
	p := newPump(t, f)
	p.requireView("saved progress: 2 of 10 steps done", "> Resume where you left off", "Start over")
	p.requireView("✓ Check your AWS identity", "✓ Create the S3 bucket")
	p.key("enter")
	p.requireView("Step 3/10 · Organise the bucket")
	p.answerDefaults()
	p.requireView("Plan")
	if f.answers.Bucket != "shop-media-staging" || f.answers.Region != "eu-west-1" {
		t.Fatalf("saved answers not resumed: %+v", f.answers)
	}
	if f.fresh {
		t.Fatal("resume opened the run fresh")
	}
}

func TestStartOverAsksAgain(t *testing.T) {
	f := newFake()
	f.saved["staging"] = savedProgress("staging", &config.Answers{App: "shop", Set: map[string]bool{"app": true}}, "preflight")
	p := newPump(t, f)
	p.key("down", "enter")
	p.requireView("Step 1/10", "App name")
	p.answerDefaults()
	if !f.fresh || f.answers.App != "mon-app" {
		t.Fatalf("start over: fresh=%v app=%q", f.fresh, f.answers.App)
	}
}

func TestSwitchEnv(t *testing.T) {
	p := newPump(t, newFake())
	p.key("down", "enter")
	p.typeText("Prod!")
	p.key("enter")
	p.requireView("use lowercase letters, digits and dashes")
	p.key("ctrl+u")
	p.typeText("prod")
	p.key("enter")
	p.requireView("Environment prod", "env prod")
}

func TestErrorThenRetry(t *testing.T) {
	f := newFake()
	f.fail["bucket"] = 1
	p := newPump(t, f)
	p.key("enter")
	p.throughStep()
	p.answerDefaults()
	p.key("y")
	p.requireView("✗ This step failed", "AccessDenied on s3:CreateBucket", "ask an admin", "> Retry", "✗ Create the S3 bucket")
	if strings.Contains(p.view(), "Skip this step") {
		t.Fatal("the bucket step must not be skippable")
	}
	p.key("r")
	p.requireView("Plan", "create bucket")
	p.key("y")
	p.requireView("✓ Create the S3 bucket: done")
}

func TestSkipWhereSafe(t *testing.T) {
	f := newFake()
	f.fail["monitoring"] = 1
	p := newPump(t, f)
	p.key("enter")
	for i := 0; i < 8 && p.m.cur < 8; i++ {
		p.throughStep()
	}
	p.requireView("Monitoring")
	p.answerDefaults()
	p.key("y")
	p.requireView("✗ This step failed", "Skip this step")
	p.key("s")
	p.requireView("Configure the Django app")
	if f.status["monitoring"] != state.Skipped {
		t.Fatalf("monitoring status %q", f.status["monitoring"])
	}
}

func TestCtrlCCancelsKeepingProgress(t *testing.T) {
	f := newFake()
	p := newPump(t, f)
	p.key("enter")
	p.throughStep()
	p.key("ctrl+c")
	if !p.quit {
		t.Fatal("ctrl+c did not quit")
	}
	if err := p.m.Err(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("Err() = %v", err)
	}
	if f.status["preflight"] != state.Done {
		t.Fatal("progress lost")
	}
}

func TestWholeRunThenProd(t *testing.T) {
	f := newFake()
	p := newPump(t, f)
	p.key("enter")
	for i := 0; i < 12 && p.m.phase != phDone; i++ {
		p.throughStep()
	}
	if p.m.phase != phDone {
		t.Fatalf("not done:\n%s", p.view())
	}
	p.requireView("Environment staging is set up", "secret access key is in /srv/mon-app/.env", "never shown", "Set up prod now")
	if strings.Contains(strings.Join(f.applied, ","), "role") {
		t.Fatal("role applied with access keys")
	}
	if f.status["role"] != state.Skipped {
		t.Fatalf("role status %q", f.status["role"])
	}
	p.key("p")
	p.requireView("env prod", "Step 1/10")
	p.answerDefaults()
	p.key("y", "enter")
	p.requireView("Step 2/10", "mon-app-media-prod")
}

func TestResizeAndHelp(t *testing.T) {
	p := newPump(t, newFake())
	p.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	if p.m.width != 80 {
		t.Fatal("resize ignored")
	}
	p.key("?")
	p.requireView("ctrl+c        quit; progress is saved")
	p.key("?")
	p.requireView("> Start")
}

func TestToProd(t *testing.T) {
	a := &config.Answers{Env: "staging", App: "shop", Bucket: "shop-staging-files", IAMUser: "django-s3-user-staging", EnvFile: ".env",
		Set: map[string]bool{"env": true, "app": true, "bucket": true}}
	p := toProd(a)
	p.ApplyDefaults()
	if p.Env != "prod" || p.Bucket != "shop-prod-files" || p.IAMUser != "shop-prod-s3-user" || p.EnvFile != ".env.prod" {
		t.Fatalf("prod answers: %+v", p)
	}
	if a.Env != "staging" || a.Bucket != "shop-staging-files" {
		t.Fatal("staging answers changed")
	}
}

// Events queued from an earlier engine call (the previous step's apply)
// never show under the next step, and each call's stream is closed when the
// call returns, so its listener ends.
func TestStaleEventsDropped(t *testing.T) {
	f := newFake()
	p := newPump(t, f)
	p.key("enter")
	p.throughStep()
	old := p.m.seq
	p.answerDefaults() // step 2's plan: a new engine call
	if p.m.phase != phConfirm || p.m.seq == old {
		t.Fatalf("phase %d seq %d (was %d)", p.m.phase, p.m.seq, old)
	}
	p.m.phase, p.m.calls = phPlanning, nil
	ch := make(chan steps.Event)
	close(ch)
	p.handle(eventMsg{seq: old, ev: steps.Event{Kind: engine.EvCall, Step: "preflight", Text: "sts:GetCallerIdentity"}, ch: ch})
	p.handle(eventMsg{seq: p.m.seq, ev: steps.Event{Kind: engine.EvCall, Step: "preflight", Text: "iam:StalePreflightCall"}, ch: ch})
	p.settle()
	if strings.Contains(p.view(), "GetCallerIdentity") || strings.Contains(p.view(), "StalePreflightCall") || len(p.m.calls) != 0 {
		t.Fatalf("a stale call shows in step 2: %v\n%s", p.m.calls, p.view())
	}
	p.handle(eventMsg{seq: p.m.seq, ev: steps.Event{Kind: engine.EvCall, Step: "bucket", Text: "s3:HeadBucket"}, ch: ch})
	p.settle()
	p.requireView("s3:HeadBucket")

	// A plan's stream is closed once the plan returned.
	cmd := p.m.planCmd()
	batch := cmd().(tea.BatchMsg)
	if _, ok := batch[1]().(planMsg); !ok {
		t.Fatal("second command of a plan is not the plan")
	}
	done := make(chan tea.Msg, 1)
	go func() {
		var last tea.Msg
		for c := batch[0]; c != nil; {
			last = c()
			ev, ok := last.(eventMsg)
			if !ok {
				break
			}
			c = listen(ev.seq, ev.ch)
		}
		done <- last
	}()
	select {
	case last := <-done:
		if last != nil {
			t.Fatalf("listener ended with %T, want nil (stream closed)", last)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the plan's event stream was never closed")
	}
}

// prod may live in another AWS account (issue 22 §3): staging's profile is
// never carried over, so the wizard asks prod's.
func TestToProdAsksTheProfileAgain(t *testing.T) {
	a := &config.Answers{Env: "staging", App: "shop", AWSProfile: "shop-staging", Set: map[string]bool{"env": true, "app": true, "aws_profile": true}}
	p := toProd(a)
	if p.AWSProfile != "" || p.Set["aws_profile"] {
		t.Errorf("prod carries staging's profile: %q (answered %v)", p.AWSProfile, p.Set["aws_profile"])
	}
	if a.AWSProfile != "shop-staging" {
		t.Error("staging's answers changed")
	}
}
